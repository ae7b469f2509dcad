import { type ConfigChangeReason, type EventManager, getEventManager } from "@aiq/config-events";
import type { AiqConfig } from "./aiq-schema.js";
import { ConfigError } from "./errors.js";
import { type ListenerFailure, ListenerRegistry } from "./listeners.js";
import { createConsoleLogger, type Logger } from "./logger.js";
import { type EventState, ManagerEvents } from "./manager-events.js";
import { OperationQueue } from "./operation-queue.js";
import { formatOverridePath, parseOverridePath } from "./overrides.js";
import { type Resolved, resolveDocument, type ResolveConfigOptions, secretsOf } from "./pipeline.js";
import { readAndResolve } from "./read-step.js";
import type { SecretKeyPattern } from "./redact.js";
import { describeError, toEventError } from "./report.js";
import { rollbackDocument } from "./rollback.js";
import { createSnapshotMeta, overridesAsStrings, SnapshotStore } from "./snapshots.js";
import { StatusRecord } from "./status-record.js";
import type {
  AttachedWatcher,
  ConfigListener,
  ConfigManagerOptions,
  ConfigOverrides,
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
  readonly #emit: ManagerEvents;
  readonly #logger: Logger;
  readonly #logFailures: boolean;
  readonly #queue = new OperationQueue();
  readonly #listeners = new ListenerRegistry<T>();
  readonly #snapshots: SnapshotStore<T>;
  readonly #watchers = new Set<AttachedWatcher>();
  readonly #abort = new AbortController();
  readonly #record = new StatusRecord();
  #config!: Readonly<T>;
  #document!: SourceDocument;
  #overrides: ConfigOverrides;
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
    this.#emit = new ManagerEvents(this.#events, options.source.id);
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
    const { document, resolved } = await this.#readAndResolve("initial");
    this.#commit("initial", document, resolved);
  }

  /** The current config: deep-frozen, never half-applied. Reading it never waits. */
  get currentConfig(): Readonly<T> {
    return this.#config;
  }

  /** Successful reloads and rollbacks since create. */
  get reloadCount(): number {
    return this.#record.reloadCount;
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
    return this.#record.status({
      sourceId: this.#source.id,
      watch: [...this.#watchers][0]?.state(),
      snapshots: this.#snapshots.length,
      closed: this.#closed !== undefined,
    });
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
        const { document, resolved } = await this.#readAndResolve("reload", options.signal, options.accept);
        if (validateOnly) return resolved.config;
        this.#ensureOpen();
        this.#commit("reload", document, resolved);
        return this.#config;
      } catch (error) {
        // A validate-only run changes nothing, its failure included; nor does a read its caller refused.
        const refused = error instanceof ConfigError && error.code === "SUPERSEDED";
        throw validateOnly || refused ? error : this.#recordFailure(error);
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
        const document = rollbackDocument(this.#snapshots, steps, this.#source.id);
        const resolved = await resolveDocument(document, this.#optionsWith(this.#overrides), this.#config);
        this.#ensureOpen();
        this.#commit("rollback", document, resolved, steps);
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
        this.#commit("overrides", this.#document, resolved);
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

  #readAndResolve(step: "initial" | "reload", signal?: AbortSignal, accept?: ReloadOptions["accept"]) {
    return readAndResolve(step, {
      source: this.#source,
      accept,
      signal: signal ? AbortSignal.any([signal, this.#abort.signal]) : this.#abort.signal,
      previous: { document: this.#document, config: this.#config },
      secretKeys: this.#secretKeys,
      options: this.#optionsWith(this.#overrides),
      logger: this.#logger,
    });
  }

  /**
   * Makes a resolved document current: the swap, its snapshot (in place of the `dropNewest` newest,
   * for a rollback), the event, the listeners. Reloads and rollbacks count in `reloadCount`.
   */
  #commit(reason: ConfigChangeReason, document: SourceDocument, resolved: Resolved<T>, dropNewest?: number): void {
    const previous = this.#config;
    const { config, changedPaths: changed } = resolved;
    // Keep only what later operations need: positions (locate) hold the parsed YAML tree, many
    // times the size of the data; overrides and rollbacks report issues by path.
    const { data, checksum, revision } = document;
    this.#document = { data, checksum, ...(revision === undefined ? {} : { revision }) };
    this.#record.succeeded(reason, revision, reason === "reload" || reason === "rollback");
    if (previous !== undefined && config === previous && reason === "reload") {
      // A reload that changes nothing counts, but makes no version, snapshot or notification. The
      // snapshot keeps the document its version came from (its checksum says so): a later rollback to
      // it re-resolves that document, not a newer one that only looked the same under the overrides then.
      this.#logger.debug(`reload ${this.#source.id}: no change`);
      this.#emit.changed(this.#eventState(), "reload", []);
      return;
    }
    // The swap: one assignment, so a reader sees the old or the new config, never a mix.
    this.#config = config;
    const version = ++this.#record.version;
    const secretKeys = this.#secretKeys;
    const meta = createSnapshotMeta({ version, reason, overrides: this.#overrides, checksum, revision, secretKeys });
    const state = { meta, config, data };
    if (dropNewest !== undefined) this.#snapshots.replaceFrom(dropNewest, state);
    else this.#snapshots.push(state);
    if (reason === "initial") return;
    const changedPaths = changed.map(formatOverridePath);
    this.#logger.debug(`${reason} ${this.#source.id}: version ${version}, ${changedPaths.length} path(s) changed`);
    this.#emit.changed(this.#eventState(), reason, changedPaths);
    const onFailure: ListenerFailure = (listenerId, error) => this.#listenerFailed(listenerId, error);
    this.#listeners.notify(config, { version, reason, previous, changedPaths }, changed, onFailure);
  }

  /** Records a failed operation (status, event, warning) without changing the config; returns the error to throw. */
  #recordFailure(error: unknown): unknown {
    const described = this.#describe(error);
    this.#record.failed(described);
    if (described.code === "CLOSED") return error;
    if (this.#logFailures)
      this.#logger.warn(
        `reload of ${this.#source.id} failed; keeping version ${this.#record.version}: ${described.message}`,
      );
    this.#emit.failed(this.#eventState(), toEventError(described));
    return error;
  }

  #listenerFailed(listenerId: number, error: unknown): void {
    const described = this.#describe(error);
    this.#logger.warn(`listener ${listenerId} failed on version ${this.#record.version}: ${described.message}`);
    this.#emit.listenerFailed(listenerId, this.#record.version, toEventError(described));
  }

  /** An error as redacted plain data: no secret value of the document or the overrides in it. */
  #describe(error: unknown): ConfigStatusError {
    return describeError(error, secretsOf(this.#document?.data, this.#overrides, this.#secretKeys));
  }

  #eventState(): EventState {
    const { version, reloadCount } = this.#record;
    return { version, reloadCount, revision: this.#document?.revision };
  }
}
