import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { httpRequest } from "./etcd-http.js";
import type { EtcdTlsFiles } from "./etcd-types.js";

/** How a member serves clients over TLS: its files, the client material for its own checks, and `--client-cert-auth`. */
export interface EtcdProcessTls {
  files: EtcdTlsFiles;
  /** The CA, client certificate and key as PEM text: what the health check and the gateway present. */
  client: { ca: Buffer; cert: Buffer; key: Buffer };
  clientCertAuth: boolean;
}

/** How one member is started: the binary, its name, URLs, data dir, log file and cluster flags. */
export interface EtcdProcessSpec {
  binary: string;
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  logFile: string;
  initialCluster: string;
  extraArgs: readonly string[];
  /** Serve clients over TLS (the client URL is then `https://`). */
  tls?: EtcdProcessTls;
}

// Every etcd this module started and that has not exited yet: killed by pid if the process exits
// without closing them (a test that forgot, a crash), so no etcd outlives the test run.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLeftovers(): void {
  for (const child of live) {
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

function tlsArgs(tls: EtcdProcessTls | undefined): string[] {
  if (!tls) return [];
  const { files } = tls;
  return [
    ...["--cert-file", files.serverCert, "--key-file", files.serverKey, "--trusted-ca-file", files.ca],
    ...(tls.clientCertAuth ? ["--client-cert-auth"] : []),
  ];
}

/** One etcd process: spawned with its log in a file (no pipes kept open), stopped by its pid. */
export class EtcdProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #paused = false;

  constructor(readonly spec: EtcdProcessSpec) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Spawns etcd; `token` and `state` only matter for an empty data dir. */
  spawn(token: string, state: "new" | "existing"): void {
    if (this.#child) throw new Error(`etcd ${this.spec.name} is already running (pid ${this.#child.pid})`);
    const { spec } = this;
    const args = [
      ...["--name", spec.name, "--data-dir", spec.dataDir],
      ...["--listen-client-urls", spec.clientUrl, "--advertise-client-urls", spec.clientUrl],
      ...["--listen-peer-urls", spec.peerUrl, "--initial-advertise-peer-urls", spec.peerUrl],
      ...["--initial-cluster", spec.initialCluster, "--initial-cluster-token", token, "--initial-cluster-state", state],
      // Leader election in ~0.1 s instead of ~1 s: a test's restart is ready almost at once.
      ...["--heartbeat-interval", "10", "--election-timeout", "100"],
      ...tlsArgs(spec.tls),
      ...spec.extraArgs,
    ];
    const log = openSync(spec.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(spec.binary, args, { stdio: ["ignore", log, log] });
    } finally {
      closeSync(log);
    }
    this.#child = child;
    this.#paused = false;
    live.add(child);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once("exit", killLeftovers);
    }
    this.#exited = new Promise<void>((resolve) => {
      const done = (): void => {
        live.delete(child);
        if (this.#child === child) {
          this.#child = undefined;
          this.#paused = false;
        }
        resolve();
      };
      child.once("exit", done);
      child.once("error", done);
    });
  }

  /** Sends `signal` to the pid; unless it only pauses or resumes, waits until the process is gone. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    process.kill(pid, signal);
    if (signal === "SIGSTOP" || signal === "SIGTSTP") {
      this.#paused = true;
      return;
    }
    if (signal === "SIGCONT") {
      this.#paused = false;
      return;
    }
    // A stopped process only acts on SIGKILL: let it run to handle any other signal.
    if (this.#paused && signal !== "SIGKILL") process.kill(pid, "SIGCONT");
    await this.#exited;
  }

  /** Waits until `/health` says true (a leader is known), the process exits, or `timeoutMs` passes. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const child = this.#child;
    const started = Date.now();
    let last = "no answer yet";
    while (Date.now() - started < timeoutMs) {
      if (this.#child !== child || !child) {
        throw new Error(`etcd ${this.spec.name} exited before it was ready:\n${this.logTail()}`);
      }
      try {
        const body = await httpRequest(`${this.spec.clientUrl}/health`, {
          timeoutMs: 1000,
          ...(this.spec.tls ? { tls: this.spec.tls.client } : {}),
        });
        if (body.includes('"health":"true"')) return;
        last = body.trim();
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    throw new Error(`etcd ${this.spec.name} not healthy after ${timeoutMs} ms (${last}):\n${this.logTail()}`);
  }

  /** The last lines etcd logged, for error messages. */
  logTail(lines = 15): string {
    try {
      return readFileSync(this.spec.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }
}
