import * as net from "node:net";
import { type AttachedWatcher, type ConfigStatus, isConfigError } from "@aiq/config-core";
import { lineReader, RUNNER_ENV, type RunnerChildMessage, type RunnerReloadMessage } from "./runner-protocol.js";

/** What `connectRunner` needs of a manager; a `ConfigManager` has it all. */
export interface RunnerManager {
  readonly status: ConfigStatus;
  reloadConfig(): Promise<unknown>;
  attachWatcher(watcher: AttachedWatcher): () => void;
}

/** Options of {@link connectRunner}. */
export interface ConnectRunnerOptions {
  /**
   * Where `AIQ_CONFIG_RUNNER` is looked up.
   * @default process.env
   */
  env?: Record<string, string | undefined> | undefined;
}

/** A connection to `aiq-config run`, from {@link connectRunner}. */
export interface RunnerConnection extends AsyncDisposable {
  /**
   * Resolves once connected (the runner then hands every valid save to this process instead of
   * restarting it); rejects when the runner cannot be reached.
   */
  readonly ready: Promise<void>;
  /**
   * Disconnects: the runner restarts this process on the next save. Idempotent; `manager.close()` calls it too.
   * @returns a promise that resolves once the socket is closed
   */
  close(): Promise<void>;
}

/**
 * Under `aiq-config run` (which sets `AIQ_CONFIG_RUNNER`), connects to the runner so that each
 * valid save is handed to this process and reloaded through `manager` (no restart), and the runner
 * hears whether it was applied or refused (a stricter schema here, say). Outside the runner it does
 * nothing and returns `undefined`, so one line serves both.
 * @param manager - the manager to reload on each save the runner hands over
 * @param options - where to read `AIQ_CONFIG_RUNNER`
 * @returns the connection, or `undefined` when not run by `aiq-config run`
 * @example
 * const manager = await createConfigManager(process.env.AIQ_CONFIG_FILE ?? "config.yml");
 * connectRunner(manager) ?? autoReload(manager);
 */
export function connectRunner(
  manager: RunnerManager,
  options: ConnectRunnerOptions = {},
): RunnerConnection | undefined {
  const socketPath = (options.env ?? process.env)[RUNNER_ENV];
  if (socketPath === undefined || socketPath === "") return undefined;
  let connected = false;
  const detach = manager.attachWatcher({
    state: () => ({ mode: "push", degraded: !connected, connected }),
    close: () => connection.close(),
  });
  let closing: Promise<void> | undefined;
  // Like autoReload's watcher, the connection keeps the process alive until closed (manager.close()).
  const socket = net.createConnection(socketPath);
  socket.setEncoding("utf8");

  const send = (message: RunnerChildMessage): void => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
  };
  const reload = async (id: number): Promise<void> => {
    try {
      await manager.reloadConfig();
      send({ type: "applied", id, version: manager.status.version });
    } catch (error) {
      if (isConfigError(error) && error.code === "CLOSED") return;
      // status.lastError is the redacted form of what was just thrown.
      const failed = manager.status.lastError;
      const { name, code, message, issues } = failed ?? {
        name: "Error",
        code: undefined,
        message: String(error),
        issues: undefined,
      };
      send({
        type: "refused",
        id,
        version: manager.status.version,
        error: { name, message, ...(code ? { code } : {}), ...(issues ? { issues } : {}) },
      });
    }
  };
  socket.on(
    "data",
    lineReader((message) => {
      const reloadMessage = message as Partial<RunnerReloadMessage>;
      if (reloadMessage.type === "reload" && typeof reloadMessage.id === "number") void reload(reloadMessage.id);
    }),
  );

  const ready = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => {
      connected = true;
      const { version, sourceId } = manager.status;
      send({ type: "hello", pid: process.pid, version, sourceId });
      resolve();
    });
    socket.once("error", (error) =>
      reject(new Error(`cannot reach aiq-config run at ${socketPath}: ${error.message}`, { cause: error })),
    );
  });
  // A caller that never awaits `ready` must not see an unhandled rejection.
  ready.catch(() => undefined);
  socket.on("error", () => undefined);
  socket.on("close", () => {
    connected = false;
  });

  const connection: RunnerConnection = {
    ready,
    close() {
      closing ??= new Promise<void>((resolve) => {
        detach();
        if (socket.destroyed) return resolve();
        socket.once("close", () => resolve());
        socket.destroy();
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return connection.close();
    },
  };
  return connection;
}
