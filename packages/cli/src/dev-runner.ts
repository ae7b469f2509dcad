import type { ChildProcess, StdioOptions } from "node:child_process";
import * as fs from "node:fs";
import { type ConfigManager, isConfigError, type Logger, ReloadLoop, type StandardSchemaV1 } from "@aiq/config-core";
import { ConfigEventType, createEventManager, type EventManager } from "@aiq/config-events";
import { createConfigManager } from "@aiq/config-loader";
import { autoReload, ConfigWatcher, RUNNER_ENV } from "@aiq/config-watcher";
import { HandoffServer } from "./handoff-server.js";
import {
  exitCodeOf,
  groupAlive,
  killGroup,
  type ProcessExit,
  type ProcessGroup,
  startGroup,
  stopGroup,
} from "./process-group.js";
import type { RunCounts, RunReporter, ServiceState } from "./run-report.js";

/** Options of {@link DevRunner}. */
export interface DevRunnerOptions {
  /** The config file, absolute. */
  file: string;
  command: string;
  args: readonly string[];
  overrides: Readonly<Record<string, string>>;
  /** The service's own schema (`--schema`); the default AIQ schema when absent. */
  schema?: StandardSchemaV1<unknown, unknown> | undefined;
  /** `--strict-keys`: the runner refuses a save whose component keys look like typos of known fields. */
  strictKeys?: boolean | undefined;
  /** Sent to the group to restart it (`--signal`). */
  restartSignal: NodeJS.Signals;
  graceMs: number;
  handoffTimeoutMs: number;
  exitWithChild: boolean;
  /** The runner's environment; the service gets it plus `AIQ_CONFIG_*`. */
  env: Record<string, string | undefined>;
  stdio: StdioOptions;
  onSpawn?: ((child: ChildProcess) => void) | undefined;
  reporter: RunReporter;
  logger: Logger;
  /** Aborted (reason: the signal's name) to stop the runner: SIGINT is passed on, anything else becomes SIGTERM. */
  stop?: AbortSignal | undefined;
}

/** A started service and what the runner knows of it. */
interface Service extends ServiceState {
  group: ProcessGroup;
  /** Set once the command itself exited. */
  exit?: ProcessExit;
  /** True once the runner is stopping it: its exit is not a crash. */
  stopping: boolean;
}

type StopReason = { signal: NodeJS.Signals } | { exit: ProcessExit };

/** Each file of a source (a file and its `base:` chain) with its bytes. */
type SourceBytes = readonly (readonly [string, Buffer])[];

/** What a reload before a start validated: the version it left current, and the bytes it read. */
interface Validated {
  version: number;
  bytes: SourceBytes;
}

/** The bytes of every file of the manager's source now; `undefined` when one cannot be read. */
function readSources(manager: ConfigManager<unknown>): SourceBytes | undefined {
  try {
    return (manager.source.files ?? []).map((file) => [file, fs.readFileSync(file)] as const);
  } catch {
    return undefined;
  }
}

function sameBytes(a: SourceBytes, b: SourceBytes | undefined): boolean {
  return (
    b !== undefined &&
    a.length > 0 &&
    a.length === b.length &&
    a.every(([file, bytes], i) => {
      const other = b[i];
      return other !== undefined && file === other[0] && bytes.equals(other[1]);
    })
  );
}

const QUICK_EXIT_MS = 1000;
const CRASH_LOOP_EXITS = 3;
const USER_MISTAKES: ReadonlySet<string> = new Set(["INVALID_OVERRIDE", "INVALID_PATH"]);

/**
 * `aiq-config run`: runs a service in its own process group and lets each valid save reach it, by
 * a hand-off to a connected service or by a restart; a save that does not validate never touches it.
 * Saves are seen by `autoReload` (the `watch` command's watcher and reload loop) on the runner's
 * own manager; what to do with the service runs on a second `ReloadLoop`, so a burst of saves is
 * one restart, plus at most one more with the newest content.
 */
export class DevRunner {
  readonly #o: DevRunnerOptions;
  readonly #bus: EventManager = createEventManager();
  readonly #counts: RunCounts = { starts: 0, restarts: 0, handoffs: 0, refused: 0, crashes: 0 };
  #server: HandoffServer | undefined;
  #service: Service | undefined;
  /** The version last started or handed to the service (applied or not): never offered twice. */
  #offered = 0;
  #quickExits = 0;
  #startingReload = false;
  #finishing = false;
  #requestStop: (reason: StopReason) => void = () => undefined;
  readonly #stopped: Promise<StopReason>;

  constructor(options: DevRunnerOptions) {
    this.#o = options;
    this.#stopped = new Promise<StopReason>((resolve) => {
      this.#requestStop = resolve;
    });
    const signal = options.stop;
    const onAbort = (): void => this.#requestStop({ signal: signal?.reason === "SIGINT" ? "SIGINT" : "SIGTERM" });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  }

  /**
   * Runs until stopped (or, with `exitWithChild`, until the service exits).
   * @returns the exit code
   */
  async run(): Promise<number> {
    const server = await HandoffServer.open((pid) => this.#o.reporter.connected(pid));
    this.#server = server;
    // Whatever ends this process (a second Ctrl-C exits at once), the group must not outlive it.
    const onExit = (): void => {
      if (this.#service) killGroup(this.#service.pid);
      server.close();
    };
    process.on("exit", onExit);
    try {
      const manager = await this.#firstValidManager();
      if (manager === undefined) return this.#finish(this.#o.exitWithChild ? 1 : 0);
      return await this.#serve(manager);
    } finally {
      process.off("exit", onExit);
      server.close();
    }
  }

  /** The hand-off server `run()` opened: everything that starts or stops the service runs after it. */
  #handoff(): HandoffServer {
    if (this.#server === undefined) throw new Error("DevRunner: the hand-off server is used before run() opened it");
    return this.#server;
  }

  #createManager(): Promise<ConfigManager<unknown>> {
    const { file, overrides, schema, logger, env, strictKeys } = this.#o;
    return createConfigManager<unknown>(file, {
      overrides,
      logger,
      logFailures: false,
      env,
      events: this.#bus,
      schema,
      strictKeys,
    });
  }

  /** The manager of the first valid config: now, or after the first valid save. `undefined`: stopped first. */
  async #firstValidManager(): Promise<ConfigManager<unknown> | undefined> {
    try {
      return await this.#createManager();
    } catch (error) {
      if (!isConfigError(error) || USER_MISTAKES.has(error.code)) throw error;
      this.#o.reporter.invalid(error, !this.#o.exitWithChild);
      if (this.#o.exitWithChild) return undefined;
    }
    // Until the file is valid: the same watcher as autoReload's, retrying on each save.
    const bus = createEventManager();
    const watcher = new ConfigWatcher({ events: bus, logger: this.#o.logger });
    let found: (manager: ConfigManager<unknown>) => void = () => undefined;
    const valid = new Promise<ConfigManager<unknown>>((resolve) => {
      found = resolve;
    });
    let quiet = true;
    const retries = new ReloadLoop(async () => {
      try {
        found(await this.#createManager());
        void retries.stop();
      } catch (error) {
        if (!quiet) this.#o.reporter.invalid(error, true);
      }
    });
    bus.registerHandler(() => {
      quiet = false;
      retries.request();
    });
    watcher.addFile(this.#o.file);
    // A save before the watcher was ready has no event: try once more, quietly, once it is.
    void watcher.ready().then(() => retries.request());
    try {
      const first = await Promise.race([valid, this.#stopped]);
      return "close" in first ? first : undefined;
    } finally {
      await retries.stop();
      await watcher.close();
    }
  }

  async #serve(manager: ConfigManager<unknown>): Promise<number> {
    const { reporter } = this.#o;
    const { describeOverrides } = await import("./overrides.js");
    reporter.validated(manager.currentConfig, manager.status.version, describeOverrides(this.#o.overrides));
    const actions = new ReloadLoop(() => this.#act(manager));
    manager.subscribe((config, change) => reporter.changed(config, change));
    this.#bus.registerHandler(() => {
      // A reload made to validate before a start is not a save.
      if (!this.#startingReload) actions.request();
    }, ConfigEventType.CONFIG_RELOADED);
    this.#bus.registerHandler((event) => {
      // A save caught mid-write by the reload before a start: the watcher's own reload of it follows.
      if (this.#startingReload) return;
      this.#counts.refused++;
      reporter.refused(event.error, this.#running());
    }, ConfigEventType.CONFIG_RELOAD_FAILED);
    autoReload(manager, { logger: this.#o.logger });
    actions.request();
    const reason = await this.#stopped;
    this.#finishing = true;
    await actions.stop();
    await manager.close();
    return this.#finish(await this.#stopService(reason));
  }

  #running(): ServiceState | undefined {
    const service = this.#service;
    return service && !service.exit ? { pid: service.pid, version: service.version } : undefined;
  }

  /** One step towards "the service runs the newest valid config": hand it off, or restart, or start. */
  async #act(manager: ConfigManager<unknown>): Promise<void> {
    if (this.#finishing) return;
    const version = manager.status.version;
    const service = this.#service;
    const running = service && !service.exit;
    if (running && version === this.#offered) return;
    const actStarted = performance.now();
    const server = this.#handoff();
    if (running && server.connected > 0) {
      this.#offered = version;
      const result = await server.handOff(this.#o.handoffTimeoutMs);
      if (result.kind === "applied") {
        this.#counts.handoffs++;
        service.version = version;
        this.#o.reporter.handedOff(result.pids, version, performance.now() - actStarted);
        return;
      }
      if (result.kind === "refused") {
        this.#o.reporter.serviceRefused(result.pid, result.error, service);
        return;
      }
      this.#o.reporter.noAnswer(result.pids, this.#o.handoffTimeoutMs);
      if (this.#finishing) return;
    }
    let stopped: { pid: number; outcome: "exited" | "killed"; stopMs: number } | undefined;
    let validated: Promise<Validated | undefined> = Promise.resolve(undefined);
    if (service && groupAlive(service.pid)) {
      // The service, or what a crashed one left running in its group.
      service.stopping = true;
      server.accepting = false;
      const stopStarted = performance.now();
      // Validated while the service stops (it takes it a while to exit): the bytes it came from are
      // compared with the files once the group is empty, and read again only if they changed.
      validated = this.#validate(manager);
      const outcome = await stopGroup(service.group, this.#o.restartSignal, this.#o.graceMs);
      if (running) stopped = { pid: service.pid, outcome, stopMs: performance.now() - stopStarted };
    }
    const early = await validated;
    if (this.#finishing) return;
    // Validated before every start: the newest content, as the files hold it now, is what the service will read.
    // (The version too: the watcher may have made another save current meanwhile, even one since undone.)
    if (early?.version !== manager.status.version || !sameBytes(early.bytes, readSources(manager))) {
      this.#startingReload = true;
      try {
        await manager.reloadConfig();
      } catch {
        this.#service = undefined;
        this.#o.reporter.notStarted();
        return;
      } finally {
        this.#startingReload = false;
      }
    }
    this.#start(manager.status.version, stopped ? { ...stopped, totalMs: performance.now() - actStarted } : undefined);
  }

  /**
   * Reloads (a reload made to validate before a start, not a save), between two reads of the
   * source's files: the version and the bytes when both reads agree (what that version came from,
   * unless the files changed and changed back within the reload), `undefined` when they differ or the reload failed.
   */
  async #validate(manager: ConfigManager<unknown>): Promise<Validated | undefined> {
    const before = readSources(manager);
    if (before === undefined) return undefined;
    this.#startingReload = true;
    try {
      await manager.reloadConfig();
    } catch {
      return undefined;
    } finally {
      this.#startingReload = false;
    }
    const after = readSources(manager);
    return after !== undefined && sameBytes(before, after)
      ? { bytes: after, version: manager.status.version }
      : undefined;
  }

  #start(
    version: number,
    stopped: { pid: number; outcome: "exited" | "killed"; stopMs: number; totalMs: number } | undefined,
  ): void {
    const { command, args, file, overrides, env, stdio, onSpawn } = this.#o;
    const server = this.#handoff();
    const childEnv: Record<string, string | undefined> = {
      ...env,
      AIQ_CONFIG_FILE: file,
      [RUNNER_ENV]: server.socketPath,
    };
    if (Object.keys(overrides).length > 0) childEnv.AIQ_CONFIG_OVERRIDES = JSON.stringify(overrides);
    else delete childEnv.AIQ_CONFIG_OVERRIDES;
    server.accepting = true;
    const group = startGroup(command, args, { env: childEnv, stdio, onSpawn });
    const service: Service = { group, pid: group.pid, version, stopping: false };
    this.#service = service;
    this.#offered = version;
    this.#counts.starts++;
    if (stopped) this.#counts.restarts++;
    this.#o.reporter.started(service, [command, ...args].join(" "), stopped);
    void group.exited.then((exit) => this.#exited(service, exit));
  }

  #exited(service: Service, exit: ProcessExit): void {
    service.exit = exit;
    if (service.stopping || this.#finishing) return;
    if (this.#service === service) this.#handoff().accepting = false;
    const uptime = performance.now() - service.group.startedAt;
    this.#counts.crashes++;
    this.#o.reporter.exited(service.pid, exit, uptime, !this.#o.exitWithChild);
    if (this.#o.exitWithChild) {
      this.#requestStop({ exit });
      return;
    }
    this.#quickExits = uptime < QUICK_EXIT_MS ? this.#quickExits + 1 : 0;
    if (this.#quickExits >= CRASH_LOOP_EXITS) {
      this.#o.reporter.crashLoop(this.#quickExits);
      this.#quickExits = 0;
    }
  }

  /** Stops what is left of the service's group; returns the runner's exit code. */
  async #stopService(reason: StopReason): Promise<number> {
    const service = this.#service;
    const alive = service !== undefined && groupAlive(service.pid);
    if ("exit" in reason) {
      // --exit-with-child: what the service left running goes too.
      if (alive) await stopGroup(service.group, "SIGTERM", this.#o.graceMs);
      return exitCodeOf(reason.exit);
    }
    this.#o.reporter.stopping(reason.signal, alive ? service.pid : undefined);
    if (!alive) return 0;
    service.stopping = true;
    const outcome = await stopGroup(service.group, reason.signal, this.#o.graceMs);
    return outcome === "killed" ? 130 : 0;
  }

  #finish(code: number): number {
    this.#o.reporter.summary(this.#counts, code);
    return code;
  }
}
