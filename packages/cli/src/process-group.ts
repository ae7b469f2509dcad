import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import * as fs from "node:fs";
import { constants } from "node:os";

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started at all (`ENOENT`: not found). */
  error?: Error;
}

/** A command started in a process group of its own (`aiq-config run`'s service). */
export interface ProcessGroup {
  /** The command's pid, which is also the group id. */
  readonly pid: number;
  /** `performance.now()` when it was started. */
  readonly startedAt: number;
  /** Resolves when the command itself (not the rest of its group) has exited. */
  readonly exited: Promise<ProcessExit>;
}

/** Options of {@link startGroup}. */
export interface StartGroupOptions {
  env: Record<string, string | undefined>;
  stdio: StdioOptions;
  /** Receives the child once spawned, to pipe its output where stdio says `pipe`. */
  onSpawn?: ((child: ChildProcess) => void) | undefined;
}

/**
 * Starts a command in a new process group (a detached child): signals to the group then reach it
 * and everything it starts, except what leaves the group (`setsid`).
 */
export function startGroup(command: string, args: readonly string[], options: StartGroupOptions): ProcessGroup {
  const child = spawn(command, args, { detached: true, env: options.env, stdio: options.stdio });
  options.onSpawn?.(child);
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
  });
  // pid is undefined when the spawn failed; -1 never names a group we could signal.
  return { pid: child.pid ?? -1, startedAt: performance.now(), exited };
}

/** Sends a signal to every process of a group; a group that is gone already is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (pgid <= 0) return;
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * True while a member of the group is alive. `kill(-pgid, 0)` counts zombies too (a container's
 * PID 1 that never reaps leaves them); on Linux `/proc` tells a zombie from a live process: the
 * group's leader is looked at first, every process only when the leader is gone or a zombie.
 */
export function groupAlive(pgid: number): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (process.platform !== "linux") return true;
  return liveMemberState(String(pgid), pgid) !== "other" || hasLiveMember(pgid);
}

/** `live`: a live member of the group; `other`: gone, a zombie or in another group; `unknown`: its /proc unreadable. */
function liveMemberState(pid: string, pgid: number): "live" | "other" | "unknown" {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "other" : "unknown";
  }
  // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X" ? "live" : "other";
}

function hasLiveMember(pgid: number): boolean {
  let names: string[];
  try {
    names = fs.readdirSync("/proc");
  } catch {
    return true;
  }
  for (const name of names) {
    if (name.charCodeAt(0) > 57) continue; // not a pid
    if (liveMemberState(name, pgid) === "live") return true;
  }
  return false;
}

const REAP_WAIT_MS = 1000;

/** How {@link stopGroup} ended: the group left within the grace period, or was SIGKILLed at its end. */
export type StopOutcome = "exited" | "killed";

/**
 * Stops a whole group: the signal (then SIGCONT, so a stopped member can act on it), wait until no
 * live member is left, SIGKILL at the grace period. Resolves once the group is empty and the command reaped.
 * @param group the group to stop
 * @param signal what to send first, e.g. SIGTERM
 * @param graceMs how long to wait before SIGKILL
 */
export async function stopGroup(group: ProcessGroup, signal: NodeJS.Signals, graceMs: number): Promise<StopOutcome> {
  signalGroup(group.pid, signal);
  signalGroup(group.pid, "SIGCONT");
  // A process forked just as the signal came can miss it (it ran the parent's handler before its
  // exec): once the command itself has exited, what is left of the group gets the signal again.
  void group.exited.then(() => signalGroup(group.pid, signal));
  const deadline = performance.now() + graceMs;
  let outcome: StopOutcome = "exited";
  if (!(await waitForEmpty(group, () => deadline - performance.now()))) {
    signalGroup(group.pid, "SIGKILL");
    await waitForEmpty(group, () => Number.POSITIVE_INFINITY);
    outcome = "killed";
  }
  // No live member is left: the command's exit (it is reaped then, no zombie of ours) is a moment away,
  // unless it left the group alive (setpgid), which a bounded wait does not hang on.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([group.exited, new Promise((resolve) => (timer = setTimeout(resolve, REAP_WAIT_MS)))]);
  clearTimeout(timer);
  return outcome;
}

/** Kills a group at once (the runner's last resort, e.g. on its own exit). */
export function killGroup(pgid: number): void {
  signalGroup(pgid, "SIGKILL");
}

/** Polls (backing off from 1 ms to 25 ms, woken early by the command's exit) until the group is empty or time is up. */
async function waitForEmpty(group: ProcessGroup, remaining: () => number): Promise<boolean> {
  let interval = 1;
  let exited = false;
  void group.exited.then(() => {
    exited = true;
  });
  for (;;) {
    if (!groupAlive(group.pid)) return true;
    const left = remaining();
    if (left <= 0) return false;
    const wasExited = exited;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(interval, left));
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      if (!wasExited) void group.exited.then(wake);
    });
    interval = Math.min(interval * 2, 25);
  }
}

/** The exit code a shell reports for a process: its code, or 128 + the signal's number. */
export function exitCodeOf(exit: ProcessExit): number {
  if (exit.code !== null) return exit.code;
  const number = exit.signal ? constants.signals[exit.signal] : undefined;
  return number === undefined ? 1 : 128 + number;
}
