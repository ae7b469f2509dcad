import {
  type ConfigSource,
  ConfigReloadError,
  createConsoleLogger,
  type Logger,
  type SourceDocument,
} from "@aiq/config-core";
import { type CacheEntry, readCache } from "./cache.js";
import { parseEtcdValue, revisionName } from "./document.js";
import { withDeadline } from "./deadline.js";
import { isTlsFailure, reasonOf, sourceIdOf, unavailable } from "./errors.js";
import { type EtcdConnection, type EtcdSourceOptions, resolveConnection } from "./options.js";
import {
  type EtcdHeader,
  type EtcdKeyValue,
  type EtcdTransport,
  type EtcdWatch,
  type EtcdWatchHandlers,
  openTransport,
} from "./transport.js";

/** A `ConfigSource` reading one etcd key; `watchEtcd` follows it. */
export interface EtcdConfigSource extends ConfigSource, AsyncDisposable {
  /** `etcd:<key>`. */
  readonly id: string;
  /** The key read. */
  readonly key: string;
  /** The client URLs in use. */
  readonly endpoints: readonly string[];
  /** Closes the connection to etcd (`watchEtcd` does it when the manager closes); idempotent. */
  close(): Promise<void>;
}

/** What is known of the key in one cluster: its value and `mod_revision`, or its absence at a revision. */
export interface KeyState {
  clusterId: string;
  kv: EtcdKeyValue | undefined;
  /** `mod_revision` of the value; for an absent key, the revision of the delete (or of the read). */
  revision: string;
}

/** True when `next` is news compared with `held`: another cluster, a newer value, or a deletion. */
export function isNewer(next: KeyState, held: KeyState | undefined): boolean {
  if (!held || next.clusterId !== held.clusterId) return true;
  if (!next.kv) return held.kv !== undefined;
  return BigInt(next.revision) > BigInt(held.revision);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The etcd source: reads go to etcd, or take the newer state a watch event already delivered. */
export class EtcdSource implements EtcdConfigSource {
  readonly id: string;
  readonly connection: EtcdConnection;
  readonly logger: Logger;
  readonly #options: EtcdSourceOptions;
  #transport: Promise<EtcdTransport> | undefined;
  /** The newest state known (from a read or a watch event), and whether no read has taken it yet. */
  #latest: KeyState | undefined;
  #fresh = false;
  /** The state last handed to the manager (applied or refused): what "newer" is measured against. */
  #held: KeyState | undefined;
  #text: { state: KeyState; value: string } | undefined;
  #startedFrom: CacheEntry | undefined;
  #started = false;
  #closed = false;

  constructor(options: EtcdSourceOptions) {
    this.#options = { ...options };
    this.connection = resolveConnection(options, options.env ?? process.env);
    this.id = sourceIdOf(this.connection.key);
    this.logger = options.logger ?? createConsoleLogger();
  }

  get key(): string {
    return this.connection.key;
  }

  get endpoints(): readonly string[] {
    return this.connection.endpoints;
  }

  get resyncIntervalMs(): number {
    return this.#options.resyncIntervalMs ?? 300_000;
  }

  get cacheFile(): string | undefined {
    return this.#options.cacheFile;
  }

  /** The cache entry the manager started from while etcd was down, until etcd has been read. */
  get startedFrom(): CacheEntry | undefined {
    return this.#startedFrom;
  }

  /** The raw text of the state last read, for the cache. */
  get lastText(): { state: KeyState; value: string } | undefined {
    return this.#text;
  }

  /** True when etcd holds something the manager has not read yet. */
  get hasNews(): boolean {
    return this.#latest !== undefined && isNewer(this.#latest, this.#held);
  }

  transport(): Promise<EtcdTransport> {
    if (this.#closed)
      return Promise.reject(
        new ConfigReloadError("CLOSED", `The etcd source ${this.id} is closed.`, { sourceId: this.id }),
      );
    this.#transport ??= openTransport(this.connection);
    return this.#transport;
  }

  /** Reads the key from etcd; the state is offered like a watch event's. */
  async fetch(): Promise<{ header: EtcdHeader; state: KeyState }> {
    const { header, kv } = await (await this.transport()).get(this.connection.key);
    const state = { clusterId: header.clusterId, kv, revision: kv?.modRevision ?? header.revision };
    this.#startedFrom = undefined;
    this.offer(state);
    return { header, state };
  }

  /** A newer state (from a watch event or a read): kept for the next read; an older one is ignored. */
  offer(state: KeyState): void {
    if (this.#latest && !isNewer(state, this.#latest)) return;
    this.#latest = state;
    this.#fresh = true;
  }

  /** After a restore: forgets what was held, so `state` (the new cluster's) is news whatever its revision. */
  restoredTo(state: KeyState): void {
    this.#held = undefined;
    this.#latest = undefined;
    this.offer(state);
  }

  /** Watches the key from `fromRevision` (the connection is open: a read came first). */
  async watch(fromRevision: string, handlers: EtcdWatchHandlers): Promise<EtcdWatch> {
    return (await this.transport()).watch(this.connection.key, fromRevision, handlers);
  }

  async read(signal?: AbortSignal): Promise<SourceDocument> {
    if (!this.#started) {
      this.#started = true;
      return this.#firstRead(signal);
    }
    const state = this.#fresh && this.#latest ? this.#latest : (await this.fetch()).state;
    this.#fresh = false;
    return this.#document(state);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const transport = await this.#transport?.catch(() => undefined);
    transport?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #parse(value: Buffer, revision: string): SourceDocument {
    const { maxAliasCount, maxDepth, env, secretKeys } = this.#options;
    const { key, maxBytes } = this.connection;
    return parseEtcdValue(value, { key, revision, maxBytes, maxAliasCount, maxDepth, env, secretKeys });
  }

  #document(state: KeyState): SourceDocument {
    this.#held = state;
    if (!state.kv) {
      throw new ConfigReloadError(
        "ENOENT",
        `etcd key ${this.connection.key} does not exist (revision ${state.revision}).`,
        { sourceId: this.id },
      );
    }
    const document = this.#parse(state.kv.value, state.revision);
    // The text is kept for the cache file only: no second decode of every value without one.
    if (this.#options.cacheFile) this.#text = { state, value: state.kv.value.toString("utf8") };
    return document;
  }

  /**
   * The first read retries an unreachable etcd (backoff up to 1 s) until `startupTimeoutMs`, then
   * starts from the cache file when it holds this key, else fails with `UNAVAILABLE`.
   */
  async #firstRead(signal: AbortSignal | undefined): Promise<SourceDocument> {
    // Loading the client (gRPC and its protocol files: slow on a loaded machine) is not etcd's time.
    await this.transport();
    const timeout = this.#options.startupTimeoutMs ?? 5000;
    const deadline = Date.now() + timeout;
    let delay = 50;
    let lastError: unknown;
    const noAnswer = unavailable(this.connection, "no answer");
    for (;;) {
      signal?.throwIfAborted();
      try {
        const { state } = await withDeadline(this.fetch(), deadline - Date.now(), () => noAnswer);
        this.#fresh = false;
        return this.#document(state);
      } catch (error) {
        if ((error as { code?: unknown }).code !== "UNAVAILABLE") throw error;
        // The final error names the most telling one: a try cut short by the deadline tells less
        // than the error before it, and gRPC's retries after a refused TLS handshake say only
        // "No connection established", so a TLS failure stays named.
        const keep =
          lastError !== undefined && (error === noAnswer || (isTlsFailure(lastError) && !isTlsFailure(error)));
        if (!keep) lastError = error;
      }
      // Retries until the deadline, never giving up earlier; the last try is at the deadline.
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await sleep(Math.min(delay, remaining));
      delay = Math.min(delay * 2, 1000);
    }
    const cached = this.#options.cacheFile
      ? await readCache(this.#options.cacheFile, this.connection.key, this.logger)
      : undefined;
    const cause = (lastError as { cause?: unknown } | undefined)?.cause;
    const last = cause instanceof Error ? `; last error: ${reasonOf(cause)}` : "";
    if (!cached)
      throw unavailable(this.connection, `not reached within ${timeout} ms (startupTimeoutMs)${last}`, lastError);
    this.logger.warn(
      `etcd unreachable at start; serving ${revisionName(cached.key, cached.revision)} from ${this.#options.cacheFile}`,
    );
    this.#startedFrom = cached;
    const value = Buffer.from(cached.value, "utf8");
    this.#held = {
      clusterId: cached.clusterId,
      kv: { value, modRevision: cached.revision, createRevision: "0" },
      revision: cached.revision,
    };
    this.#text = { state: this.#held, value: cached.value };
    return this.#parse(value, cached.revision);
  }
}

/** The source behind a manager, when it is an etcd source. */
export function etcdSourceOf(source: ConfigSource): EtcdSource | undefined {
  return source instanceof EtcdSource ? source : undefined;
}

/**
 * A config source reading one etcd key: each read takes the value through the loader's pipeline
 * (size limit, strict UTF-8, YAML or JSON by the key's extension, positions, `${VAR:-default}`);
 * `base:` is refused. Issues name `etcd:<key>@<revision>`; the document's `revision` is the
 * value's `mod_revision`. The first read retries an unreachable etcd until `startupTimeoutMs`,
 * then starts from `cacheFile` when it holds this key, else fails with `UNAVAILABLE`.
 * @param options - endpoints, key, credentials, timeouts, cache file, the loader's limits
 * @returns the source; give it to `ConfigManager.create`, then `watchEtcd(manager)`
 * @throws TypeError when no endpoint or key is given (here, not at the first read)
 * @example
 * const manager = await ConfigManager.create({ source: etcdSource({ endpoints: "http://127.0.0.1:2379", key: "aiq/prod/agent.yml" }) });
 */
export function etcdSource(options: EtcdSourceOptions): EtcdConfigSource {
  return new EtcdSource(options);
}
