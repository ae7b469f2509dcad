import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { waitFor } from "@aiq/config-testing";
import { must } from "../../../tests/support/must.js";

/** What service.mjs reports of its manager. */
export interface ServiceStatus {
  sourceRevision?: string;
  version: number;
  missing: boolean;
  watch?: { mode: string; connected?: boolean; degraded: boolean; error?: string };
  lastError?: { code: string; message: string };
}

/** One service process (test/service.mjs) following an etcd key through the built package. */
export interface ServiceProcess {
  readonly pid: number;
  /** Every status it reported, in order, with the time it reported it (ms since the epoch, sub-ms). */
  readonly history: { status: ServiceStatus; t: number }[];
  /** Unhandled rejections it reported (it exits on the first). */
  readonly unhandled: string[];
  /** Its exit code once it has exited. */
  readonly exitCode: number | null | undefined;
  latest(): ServiceStatus;
  /** Stops it: "exit" on stdin, SIGKILL by pid if it has not exited within 5 s. */
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL("./service.mjs", import.meta.url));
const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** Whether the built package is there for service processes (`pnpm test` builds first). */
export const builtForServices = existsSync(dist);

/** Starts `count` service processes and waits until each is ready (created, watch connected). */
export async function startServices(
  count: number,
  options: { endpoints: readonly string[]; key: string; options?: Record<string, unknown>; readyTimeout?: number },
): Promise<ServiceProcess[]> {
  const services = Array.from({ length: count }, () => startService(options));
  try {
    await waitFor(() => services.every((s) => s.ready || s.exitCode !== undefined), {
      timeout: options.readyTimeout ?? 20_000,
      message: `${count} service processes ready`,
    });
    const failed = services.find((s) => !s.ready);
    if (failed) throw new Error(`a service process exited (${failed.exitCode}) before it was ready:\n${failed.stderr}`);
    return services;
  } catch (error) {
    await Promise.all(services.map((s) => s.stop()));
    throw error;
  }
}

function startService(options: { endpoints: readonly string[]; key: string; options?: Record<string, unknown> }) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      AIQ_ETCD_ENDPOINTS: options.endpoints.join(","),
      AIQ_TEST_KEY: options.key,
      AIQ_TEST_OPTIONS: JSON.stringify(options.options ?? {}),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const history: { status: ServiceStatus; t: number }[] = [];
  const unhandled: string[] = [];
  let stderr = "";
  let ready = false;
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      resolve();
    }),
  );
  let buffer = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
      const message = JSON.parse(buffer.slice(0, end)) as {
        event: string;
        status?: ServiceStatus;
        t?: number;
        message?: string;
      };
      buffer = buffer.slice(end + 1);
      if (message.event === "ready") ready = true;
      if (message.status) history.push({ status: message.status, t: message.t ?? Date.now() });
      if (message.event === "unhandled") unhandled.push(message.message ?? "");
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const service = {
    pid: must(child.pid, "the service's pid"),
    history,
    unhandled,
    get ready() {
      return ready;
    },
    get stderr() {
      return stderr;
    },
    get exitCode() {
      return exitCode;
    },
    latest: () => history.at(-1)?.status ?? { version: 0, missing: false },
    stop: async () => {
      if (exitCode !== undefined) return;
      child.stdin.write("exit\n");
      const timer = setTimeout(() => process.kill(service.pid, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  return service;
}

/** I2 across processes: waits until every service reports `revision`; returns when the last one did. */
export async function servicesOn(
  services: readonly ServiceProcess[],
  revision: string,
  timeout = 10_000,
): Promise<number> {
  await waitFor(() => services.every((s) => s.latest().sourceRevision === revision), {
    timeout,
    message: `every service on revision ${revision}: ${services.map((s) => JSON.stringify(s.latest())).join(" | ")}`,
  });
  return Math.max(
    ...services.map(
      (s) =>
        must(
          s.history.find((h) => h.status.sourceRevision === revision),
          `${revision} in a history`,
        ).t,
    ),
  );
}
