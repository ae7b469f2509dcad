import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bin, notBuilt } from "./built.js";
import { OutputTail } from "./helpers.js";
import { must } from "../../../tests/support/must.js";

// `aiq-config run` as a user runs it: the BUILT binary (`pnpm test` builds first) in a real process,
// with a real service (test/fixtures/service.mjs) whose behaviour the SERVICE_* variables choose.
export { bin };
export const service = fileURLToPath(new URL("./fixtures/service.mjs", import.meta.url));
export const hasScript = spawnSync("script", ["--version"]).status === 0;
/** Why the runner tests cannot run here, or "". */
export const skipReason = process.platform === "win32" ? "process groups: POSIX only" : notBuilt();

/** A running `aiq-config run`: its stdout (the service's lines) and stderr (the runner's). */
export interface RunnerProcess {
  child: ChildProcess;
  out: OutputTail;
  err: OutputTail;
  exit: Promise<number | null>;
  /** Ends the runner (SIGKILL) and its service group if a test failed half-way; a no-op once it exited. */
  kill(): void;
}

/**
 * Starts `aiq-config -c config run [runArgs] -- node service.mjs [serviceArgs]`.
 * @param env SERVICE_* variables for the service (and anything else)
 */
export function startRunner(
  config: string,
  options: { runArgs?: string[]; serviceArgs?: string[]; env?: Record<string, string>; command?: string[] } = {},
): RunnerProcess {
  const command = options.command ?? [process.execPath, service, ...(options.serviceArgs ?? [])];
  const child = spawn(process.execPath, [bin, "-c", config, "run", ...(options.runArgs ?? []), "--", ...command], {
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = new OutputTail(must(child.stdout, "the runner's stdout pipe"));
  const err = new OutputTail(must(child.stderr, "the runner's stderr pipe"));
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exited = true;
      resolve(code);
    }),
  );
  return {
    child,
    out,
    err,
    exit,
    kill() {
      if (exited) return;
      // The runner's exit handler SIGKILLs its service group; SIGKILL of the runner would leave it.
      child.kill("SIGTERM");
    },
  };
}

/** The pids of the service processes that printed `up`, in order. */
export function servicePids(out: string): number[] {
  return [...out.matchAll(/\[service (\d+)\] up /g)].map((m) => Number(m[1]));
}

/** How many times a service got a signal (`[service P] signal SIG...` lines). */
export function signalsIn(out: string): string[] {
  return [...out.matchAll(/\[service \d+\] signal (SIG\w+)/g)].map((m) => must(m[1], "a signal name"));
}

/** `live`: the process runs (or sleeps); `zombie`: exited, not reaped; `gone`. */
export function processState(pid: number): "live" | "zombie" | "gone" {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    try {
      process.kill(pid, 0);
      return "live";
    } catch {
      return "gone";
    }
  }
  const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  return state === "Z" || state === "X" ? "zombie" : "live";
}

/** Zombie children of a process (it failed to reap them). Linux only; [] elsewhere. */
export function zombieChildrenOf(ppid: number): number[] {
  if (process.platform !== "linux") return [];
  const zombies: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const fields = readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      if (fields[0] === "Z" && Number(fields[1]) === ppid) zombies.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return zombies;
}
