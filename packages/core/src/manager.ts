import { type ConfigChangeReason, ConfigEventType, type EventManager, getEventManager } from "@aiq/config-events";
import type { AiqConfig } from "./aiq-schema.js";
import { ConfigError, ConfigReloadError } from "./errors.js";
import { type ListenerFailure, ListenerRegistry } from "./listeners.js";
import { createConsoleLogger, type Logger } from "./logger.js";
import { OperationQueue } from "./operation-queue.js";
import { formatOverridePath, parseOverridePath } from "./overrides.js";
import { resolveDocument, type ResolveConfigOptions, secretsOf } from "./pipeline.js";
import { readDocument } from "./read-document.js";
import type { SecretKeyPattern } from "./redact.js";
import { describeError, toEventError } from "./report.js";
import { createSnapshotMeta, overridesAsStrings, SnapshotStore } from "./snapshots.js";
import type {
  AttachedWatcher,
  ConfigListener,
  ConfigManagerOptions,
  ConfigOverrides,
  ConfigPath,
  ConfigSnapshot,
  ConfigSource,
  ConfigStatus,
  ConfigStatusError,
  ReloadOptions,
  SourceDocument,
} from "./types.js";

const DEFAULT_MAX_SNAPSHOTS = 10;
// From this size (bytes of source text) a reload yields to the event loop between its steps, so no
// single slice of a huge config's processing stalls the program long; smaller ones run straight on.
const YIELD_FROM_BYTES = 64 * 1024;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Holds the current config of a running program and replaces it only with a config that was read,
 * overridden and validated whole: validate, then swap, keep the last good one.
 * @example
 * await using manager = await ConfigManager.create({ source: fileSource("config.yml") });
 * manager.subscribe("llms", (config) => rebuildClients(config.llms));
 * await manager.reloadConfig();
 */
export class ConfigManager<T = AiqConfig> implements AsyncDisposable {
  readonly #source: ConfigSource;
  readonly #resolveOptions: ResolveConfigOptions<T>;
  readonly #secretKeys: readonly SecretKeyPattern[];
  readonly #events: EventManager;
  readonly #logger: Logger;
  readonly #logFailures: boolean;
  readonly #queue = new OperationQueue();
  readonly #listeners = new ListenerRegistry<T>();
  readonly #snapshots: SnapshotStore<T>;
  readonly #watchers = new Set<AttachedWatcher>();
  readonly #abort = new AbortController();
  #config!: Readonly<T>;
  #document!: SourceDocument;
  #overrides: ConfigOverrides;
  #version = 0;
  #reloadCount = 0;
  #lastReloadAt: Date | undefined;
  #lastSuccessAt: Date | undefined;
  #lastError: ConfigStatusError | undefined;
  #missing = false;
  #sourceRevision: string | undefined;
  #closed: Promise<void> | undefined;

  private constructor(options: ConfigManagerOptions<T>) {
    this.#source = options.source;
    this.#secretKeys = options.secretKeys ?? [];
    this.#resolveOptions = {
      schema: options.schema,
      sourceId: options.source.id,
      secretKeys: this.#secretKeys,
      strictKeys: options.strictKeys,
    };
    this.#events = options.events ?? getEventManager();
    this.#logger = options.logger ?? createConsoleLogger();
    this.#logFailures = options.logFailures ?? true;
    this.#snapshots = new SnapshotStore(options.maxSnapshots ?? DEFAULT_MAX_SNAPSHOTS);
    this.#overrides = Object.freeze({ ...(options.overrides ?? {}) });
  }

  /**
   * Reads, overrides and validates the source and returns a manager holding it (version 1, one
   * `initial` snapshot, reloadCount 0).
   * @param options the source, schema, overrides and limits
   * @returns the manager
   * @throws ConfigReloadError when the source cannot be read; ConfigValidationError when it is invalid
   */
  static async create<T = AiqConfig>(options: ConfigManagerOptions<T>): Promise<ConfigManager<T>> {
    const manager = new ConfigManager<T>(options);
    await manager.#initialLoad();
    return manager;
  }

  async #initialLoad(): Promise<void> {
    const { document, resolved } = await this.#readAndResolve(this.#overrides, "initial");
    this.#commit({ document, config: resolved.config, reason: "initial", changed: [], countsAsReload: false });
  }

  /** The current config: deep-frozen, never half-applied. Reading it never waits. */
  get currentConfig(): Readonly<T> {
    return this.#config;
  }

  /** Successful reloads and rollbacks since create. */
  get reloadCount(): number {
    return this.#reloadCount;
  }

  /** The active overrides, as strings. */
  get configOverrides(): Readonly<Record<string, string>> {
    return overridesAsStrings(this.#overrides);
  }

  /** The source this manager reads. */
  get source(): ConfigSource {
    return this.#source;
  }

  /** The bus this manager emits on. */
  get events(): EventManager {
    return this.#events;
  }

  /** The state of the manager as plain, redacted data. */
  get status(): ConfigStatus {
    const watcher = [...this.#watchers][0];
    return {
      sourceId: this.#source.id,
      version: this.#version,
      reloadCount: this.#reloadCount,
      ...(this.#lastReloadAt ? { lastReloadAt: this.#lastReloadAt } : {}),
      ...(this.#lastSuccessAt ? { lastSuccessAt: this.#lastSuccessAt } : {}),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
      missing: this.#missing,
      ...(this.#sourceRevision === undefined ? {} : { sourceRevision: this.#sourceRevision }),
      ...(watcher ? { watch: watcher.state() } : {}),
      snapshots: this.#snapshots.length,
      closed: this.#closed !== undefined,
    };
  }

  /**
   * Reads the source again and makes the result current if it is valid. Runs after any operation
   * already queued.
   * @param options `validateOnly` returns the candidate without applying it
   * @returns the new current config (or the candidate)
   * @throws ConfigReloadError (or ConfigValidationError); then nothing changed
   */
  reloadConfig(options: ReloadOptions = {}): Promise<Readonly<T>> {
    return this.#run(async () => {
      const validateOnly = options.validateOnly === true;
      try {
        const { document, resolved } = await this.#readAndResolve(this.#overrides, "reload", options.signal);
        if (validateOnly) return resolved.config;
        this.#ensureOpen();
        this.#commit({
          document,
          config: resolved.config,
          reason: "reload",
          changed: resolved.changedPaths,
          countsAsReload: true,
        });
        return this.#config;
      } catch (error) {
        // A validate-only run changes nothing, its failure included.
        throw validateOnly ? error : this.#recordFailure(error);
      }
    });
  }

  /**
   * Makes an older snapshot current again: its source document is re-resolved with today's
   * overrides and re-validated, and the `steps` newer snapshots are dropped.
   * @param steps how far back, 1 (the default) being the previous version
   * @returns the restored config
   * @throws ConfigReloadError (code ROLLBACK_RANGE) when fewer snapshots are kept
   */
  rollbackConfig(steps = 1): Promise<Readonly<T>> {
    return this.#run(async () => {
      try {
        const possible = this.#snapshots.length - 1;
        const target = Number.isInteger(steps) && steps >= 1 ? this.#snapshots.at(steps) : undefined;
        if (!target) {
          const can =
            possible === 0 ? "no rollback is possible" : `1 to ${possible} step${possible === 1 ? "" : "s"} possible`;
          throw new ConfigReloadError(
            "ROLLBACK_RANGE",
            `Cannot roll back ${steps} step(s): ${this.#snapshots.length} snapshot(s) kept, ${can}.`,
            {
              sourceId: this.#source.id,
            },
          );
        }
        const document: SourceDocument = {
          data: target.data,
          checksum: target.meta.checksum,
          ...(target.meta.revision === undefined ? {} : { revision: target.meta.revision }),
        };
        const resolved = await resolveDocument(document, this.#optionsWith(this.#overrides), this.#config);
        this.#ensureOpen();
        this.#commit({
          document,
          config: resolved.config,
          reason: "rollback",
          changed: resolved.changedPaths,
          countsAsReload: true,
          dropNewest: steps,
        });
        return this.#config;
      } catch (error) {
        throw this.#recordFailure(error);
      }
    });
  }

  /**
   * Replaces the whole set of overrides and applies it to the current source document at once.
   * @param overrides dotted paths to values, e.g. `{ "llms.main_llm.temperature": 0.9 }`
   * @returns the new current config
   * @throws ConfigValidationError when a path is invalid or the result does not validate; the previous overrides stay
   */
  setOverrides(overrides: ConfigOverrides): Promise<Readonly<T>> {
    const next = Object.freeze({ ...overrides });
    return this.#run(async () => {
      try {
        const resolved = await resolveDocument(this.#document, this.#optionsWith(next), this.#config);
        for (const warning of resolved.warnings) this.#logger.warn(warning);
        this.#ensureOpen();
        this.#overrides = next;
        this.#commit({
          document: this.#document,
          config: resolved.config,
          reason: "overrides",
          changed: resolved.changedPaths,
          countsAsReload: false,
        });
        return this.#config;
      } catch (error) {
        throw this.#recordFailure(error);
      }
    });
  }

  /** The kept snapshots, newest first; `[0]` is the current config. */
  getSnapshots(): readonly ConfigSnapshot<T>[] {
    return this.#snapshots.list();
  }

  /** Drops every snapshot but the current one. */
  clearSnapshots(): void {
    this.#snapshots.clear();
  }

  /**
   * Calls `listener` with each new version (after the swap). With a path, only when something
   * under that dotted path changed.
   * @returns a function that unsubscribes (idempotent)
   */
  subscribe(listener: ConfigListener<T>): () => void;
  subscribe(path: string, listener: ConfigListener<T>): () => void;
  subscribe(pathOrListener: string | ConfigListener<T>, maybeListener?: ConfigListener<T>): () => void {
    if (typeof pathOrListener === "function") return this.#listeners.add(pathOrListener);
    if (!maybeListener) throw new TypeError("subscribe(path, listener): the listener is missing");
    return this.#listeners.add(maybeListener, pathOrListener === "" ? [] : parseOverridePath(pathOrListener));
  }

  /** How many listeners are subscribed (for leak checks). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /**
   * Connects a watcher (as `autoReload` does): its state shows in `status.watch` and closing the
   * manager closes it.
   * @returns a function that detaches it
   */
  attachWatcher(watcher: AttachedWatcher): () => void {
    if (this.#closed) throw new ConfigError("CLOSED", "The config manager is closed.");
    this.#watchers.add(watcher);
    return () => {
      this.#watchers.delete(watcher);
    };
  }

  /** Stops watchers, waits for the running operation, and rejects queued ones. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#abort.abort();
      const watchers = [...this.#watchers];
      this.#watchers.clear();
      await Promise.allSettled(watchers.map((w) => w.close()));
      await this.#queue.idle();
      this.#listeners.clear();
      await this.#source.close?.();
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #run<R>(operation: () => Promise<R>): Promise<R> {
    if (this.#closed) return Promise.reject(new ConfigError("CLOSED", "The config manager is closed."));
    return this.#queue.run(async () => {
      this.#ensureOpen();
      return operation();
    });
  }

  #ensureOpen(): void {
    if (this.#closed)
      throw new ConfigError("CLOSED", "The config manager was closed during the operation; nothing changed.");
  }

  #optionsWith(overrides: ConfigOverrides): ResolveConfigOptions<T> {
    return { ...this.#resolveOptions, overrides };
  }

  async #readAndResolve(overrides: ConfigOverrides, step: string, signal?: AbortSignal) {
    const log = this.#logger;
    const started = performance.now();
    const readSignal = signal ? AbortSignal.any([signal, this.#abort.signal]) : this.#abort.signal;
    const document = await readDocument(this.#source, readSignal, {
      previous: this.#document,
      secretKeys: this.#secretKeys,
    });
    const read = performance.now();
    for (const warning of document.warnings ?? []) log.warn(warning);
    const large = (document.size ?? 0) >= YIELD_FROM_BYTES;
    if (large) await nextTurn();
    const resolved = await resolveDocument(document, this.#optionsWith(overrides), this.#config);
    if (large) await nextTurn();
    // Said once, when the overrides are first applied (setOverrides says it for a new set).
    if (step === "initial") for (const warning of resolved.warnings) log.warn(warning);
    for (const notice of resolved.notices) log.warn(notice);
    log.debug(
      `${step} ${this.#source.id}: read+parse ${ms(read - started)}, overrides+validate+freeze ${ms(performance.now() - read)}`,
    );
    return { document, resolved };
  }

  #commit(input: {
    document: SourceDocument;
    config: Readonly<T>;
    reason: ConfigChangeReason;
    changed: readonly ConfigPath[];
    countsAsReload: boolean;
    dropNewest?: number;
  }): void {
    const previous = this.#config;
    const unchanged = previous !== undefined && input.config === previous && input.reason === "reload";
    const now = new Date();
    // Keep only what later operations need: positions (locate) hold the parsed YAML tree, many
    // times the size of the data; overrides and rollbacks report issues by path.
    const { data, checksum, revision } = input.document;
    this.#document = { data, checksum, ...(revision === undefined ? {} : { revision }) };
    // A read (not a rollback or new overrides) tells which store revision is current there.
    if (revision !== undefined && (input.reason === "initial" || input.reason === "reload"))
      this.#sourceRevision = revision;
    if (input.countsAsReload) this.#reloadCount++;
    this.#lastReloadAt = now;
    this.#lastSuccessAt = now;
    this.#lastError = undefined;
    this.#missing = false;
    if (unchanged) {
      // A reload that changes nothing counts, but makes no version, snapshot or notification. The
      // snapshot keeps the document its version came from (its checksum says so): a later rollback to
      // it re-resolves that document, not a newer one that only looked the same under the overrides then.
      this.#logger.debug(`reload ${this.#source.id}: no change`);
      this.#emit(ConfigEventType.CONFIG_RELOADED, { reason: "reload", changedPaths: [] });
      return;
    }
    // The swap: one assignment, so a reader sees the old or the new config, never a mix.
    this.#config = input.config;
    this.#version++;
    const meta = createSnapshotMeta({
      version: this.#version,
      reason: input.reason,
      overrides: this.#overrides,
      checksum: input.document.checksum,
      revision: input.document.revision,
      secretKeys: this.#secretKeys,
    });
    const state = { meta, config: input.config, data: input.document.data };
    if (input.dropNewest !== undefined) this.#snapshots.replaceFrom(input.dropNewest, state);
    else this.#snapshots.push(state);
    if (input.reason === "initial") return;
    const changedPaths = input.changed.map(formatOverridePath);
    this.#logger.debug(
      `${input.reason} ${this.#source.id}: version ${this.#version}, ${changedPaths.length} path(s) changed`,
    );
    this.#emit(input.reason === "rollback" ? ConfigEventType.CONFIG_ROLLED_BACK : ConfigEventType.CONFIG_RELOADED, {
      reason: input.reason,
      changedPaths,
    });
    const onFailure: ListenerFailure = (listenerId, error) => this.#listenerFailed(listenerId, error);
    this.#listeners.notify(
      input.config,
      { version: this.#version, reason: input.reason, previous, changedPaths },
      input.changed,
      onFailure,
    );
  }

  /** Records a failed operation (status, event, warning) without changing the config; returns the error to throw. */
  #recordFailure(error: unknown): unknown {
    const secrets = secretsOf(this.#document?.data, this.#overrides, this.#secretKeys);
    const described = describeError(error, secrets);
    this.#lastReloadAt = described.at;
    this.#lastError = described;
    if (described.code === "ENOENT") this.#missing = true;
    if (described.code === "CLOSED") return error;
    if (this.#logFailures)
      this.#logger.warn(`reload of ${this.#source.id} failed; keeping version ${this.#version}: ${described.message}`);
    this.#emit(ConfigEventType.CONFIG_RELOAD_FAILED, { error: toEventError(described) });
    return error;
  }

  #listenerFailed(listenerId: number, error: unknown): void {
    const secrets = secretsOf(this.#document?.data, this.#overrides, this.#secretKeys);
    const described = describeError(error, secrets);
    this.#logger.warn(`listener ${listenerId} failed on version ${this.#version}: ${described.message}`);
    this.#events.emit({
      type: ConfigEventType.LISTENER_FAILED,
      timestamp: new Date(),
      sourceId: this.#source.id,
      listenerId,
      version: this.#version,
      error: toEventError(described),
    });
  }

  #emit(
    type: ConfigEventType.CONFIG_RELOADED | ConfigEventType.CONFIG_RELOAD_FAILED | ConfigEventType.CONFIG_ROLLED_BACK,
    extra: { reason?: ConfigChangeReason; changedPaths?: readonly string[]; error?: ReturnType<typeof toEventError> },
  ): void {
    const revision = this.#document?.revision;
    this.#events.emit({
      type,
      timestamp: new Date(),
      sourceId: this.#source.id,
      version: this.#version,
      reloadCount: this.#reloadCount,
      ...(revision === undefined ? {} : { revision }),
      ...extra,
    });
  }
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}
