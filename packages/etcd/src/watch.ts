import { type AttachedWatcher, type ConfigSource, ReloadLoop, type WatchState } from "@aiq/config-core";
import { writeCache } from "./cache.js";
import { type EtcdSource, etcdSourceOf } from "./source.js";
import type { EtcdHeader, EtcdWatch } from "./transport.js";

/** What `watchEtcd` needs of a manager; a `ConfigManager` has it all. */
export interface EtcdReloadableManager {
  /** The manager's source: it must come from `etcdSource()`. */
  readonly source: ConfigSource;
  readonly status: { readonly sourceRevision?: string };
  reloadConfig(): Promise<unknown>;
  attachWatcher(watcher: AttachedWatcher): () => void;
}

/** A running {@link watchEtcd}. */
export interface EtcdWatchHandle extends AsyncDisposable {
  /**
   * The reloads running now (and the one queued behind them); resolves at once when idle. Never rejects.
   * @returns a promise of the current reload chain
   */
  readonly done: Promise<void>;
  /**
   * Resolves once the watch stream is up and the manager has caught up with what etcd held then.
   * @returns a promise that never rejects (it waits as long as etcd is unreachable)
   */
  ready(): Promise<void>;
  /**
   * Stops watching: waits for a running reload and cancels the watch. Idempotent; `manager.close()`
   * calls it too (and closes the source's connection).
   */
  stop(): Promise<void>;
}

/** Retry delays after a failed read of etcd: doubling, capped at 1 s. */
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1000;

/** Follows one etcd key for a manager: watch events and full reads, through one reload loop. */
class EtcdFollower implements AttachedWatcher {
  readonly #source: EtcdSource;
  readonly #manager: EtcdReloadableManager;
  readonly #loop: ReloadLoop;
  readonly #detach: () => void;
  #watch: EtcdWatch | undefined;
  #watchConnectedOnce = false;
  #connected = false;
  #disconnectError: string | undefined;
  #readError: string | undefined;
  #needsRead = true;
  #known: EtcdHeader | undefined;
  #retryMs = FIRST_RETRY_MS;
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #resyncTimer: NodeJS.Timeout;
  #cachedRevision: string | undefined;
  #ready: { promise: Promise<void>; resolve: () => void };
  #stopping: Promise<void> | undefined;

  constructor(manager: EtcdReloadableManager, source: EtcdSource) {
    this.#manager = manager;
    this.#source = source;
    let resolve!: () => void;
    this.#ready = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    this.#loop = new ReloadLoop(() => this.#step());
    this.#detach = manager.attachWatcher(this);
    this.#resyncTimer = setInterval(() => this.#requestRead(), source.resyncIntervalMs);
    this.#resyncTimer.unref();
    this.#loop.request();
  }

  get done(): Promise<void> {
    return this.#loop.idle();
  }

  ready(): Promise<void> {
    return this.#ready.promise;
  }

  state(): WatchState {
    const startedFrom = this.#source.startedFrom;
    const problems = [
      this.#readError,
      this.#connected ? undefined : (this.#disconnectError ?? "the watch stream is not connected yet"),
      startedFrom
        ? `serving revision ${startedFrom.revision} from the cache file ${this.#source.cacheFile}`
        : undefined,
    ].filter((problem): problem is string => problem !== undefined);
    return {
      mode: "push",
      connected: this.#connected,
      degraded: problems.length > 0,
      ...(problems.length > 0 ? { error: problems.join("; ") } : {}),
    };
  }

  /** Stops watching; with `closeSource`, also closes the source's connection (the manager is closing). */
  stop(closeSource = false): Promise<void> {
    this.#stopping ??= (async () => {
      clearInterval(this.#resyncTimer);
      clearTimeout(this.#retryTimer);
      await this.#loop.stop();
      await this.#watch?.cancel();
      this.#watch = undefined;
      this.#connected = false;
      this.#detach();
    })();
    return closeSource ? this.#stopping.then(() => this.#source.close()) : this.#stopping;
  }

  close(): Promise<void> {
    return this.stop(true);
  }

  #requestRead(): void {
    this.#needsRead = true;
    this.#loop.request();
  }

  /** One turn of the loop: a full read when one is due (then a watch from it), then a reload if etcd holds news. */
  async #step(): Promise<void> {
    if (this.#needsRead && !(await this.#read())) return;
    if (this.#source.hasNews) {
      // A failure is the manager's to report (status.lastError, CONFIG_RELOAD_FAILED); the loop goes on.
      await this.#manager.reloadConfig().catch(() => undefined);
    }
    await this.#saveCache();
    if (this.#connected && !this.#needsRead) this.#ready.resolve();
  }

  /** Reads the key; on a restore (another cluster, or the revision going back) forgets what it held and watches anew. */
  async #read(): Promise<boolean> {
    this.#needsRead = false;
    try {
      const known = this.#known;
      const { header, state } = await this.#source.fetch();
      const restored =
        known !== undefined &&
        (header.clusterId !== known.clusterId || BigInt(header.revision) < BigInt(known.revision));
      this.#known = header;
      this.#readError = undefined;
      this.#retryMs = FIRST_RETRY_MS;
      if (restored) this.#source.restoredTo(state);
      if (!this.#watch || restored) await this.#startWatch(header);
      return true;
    } catch (error) {
      this.#readError = `reading the key failed: ${error instanceof Error ? error.message : String(error)}`;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => this.#requestRead(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
      return false;
    }
  }

  async #startWatch(from: EtcdHeader): Promise<void> {
    void this.#watch?.cancel();
    this.#watch = undefined;
    this.#connected = false;
    this.#watchConnectedOnce = false;
    const source = this.#source;
    const watch: EtcdWatch = await source.watch(String(BigInt(from.revision) + 1n), {
      onPut: (kv, header) => {
        this.#saw(header);
        source.offer({ clusterId: header.clusterId, kv, revision: kv.modRevision });
        this.#loop.request();
      },
      onDelete: (revision, header) => {
        this.#saw(header);
        source.offer({ clusterId: header.clusterId, kv: undefined, revision });
        this.#loop.request();
      },
      onConnected: (header) => {
        if (this.#watch !== watch) return;
        this.#connected = true;
        this.#disconnectError = undefined;
        // The first connection follows the read it was started from; every later one may have
        // missed something (or come back to another cluster): read the key again.
        if (this.#watchConnectedOnce || header.clusterId !== this.#known?.clusterId) this.#needsRead = true;
        this.#watchConnectedOnce = true;
        this.#loop.request();
      },
      onDisconnected: (error) => {
        if (this.#watch !== watch) return;
        this.#connected = false;
        this.#disconnectError = `the watch stream is down: ${error instanceof Error ? error.message : String(error)}`;
      },
      onError: (error) => {
        // Cancelled by etcd (compaction, permission): this watch is gone; read and watch anew.
        if (this.#watch !== watch) return;
        this.#connected = false;
        this.#disconnectError = `the watch was cancelled: ${error instanceof Error ? error.message : String(error)}`;
        this.#watch = undefined;
        void watch.cancel();
        this.#requestRead();
      },
    });
    this.#watch = watch;
  }

  /** The store revision an event came at: a later read below it means a restore. */
  #saw(header: EtcdHeader): void {
    if (header.clusterId === this.#known?.clusterId && BigInt(header.revision) > BigInt(this.#known.revision))
      this.#known = header;
  }

  /** Keeps the last applied value in the cache file (raw, placeholders unresolved). */
  async #saveCache(): Promise<void> {
    const file = this.#source.cacheFile;
    const last = this.#source.lastText;
    const applied = this.#manager.status.sourceRevision;
    if (!file || !last?.state.kv || last.state.revision !== applied || this.#cachedRevision === applied) return;
    this.#cachedRevision = applied;
    try {
      await writeCache(file, {
        key: this.#source.key,
        clusterId: last.state.clusterId,
        revision: applied,
        value: last.value,
      });
    } catch (error) {
      this.#source.logger.warn(
        `etcd cache file ${file} cannot be written: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/**
 * Follows the manager's etcd key: each change reaches the manager in milliseconds, through the
 * same reload loop as `autoReload` (one reload at a time, one more after it, newest wins). Events
 * are hints, not truth: the key is read in full at start, after every reconnect, after the watch is
 * cancelled (compaction), when the cluster id changes or the revision goes back (a restore), and
 * every `resyncIntervalMs`. A revision at or below the one held is ignored. While etcd is down the
 * last good config stays current and `status.watch` says why (`degraded`, `error`).
 * @param manager - a manager whose source is an `etcdSource()`
 * @returns a handle: `ready()`, `done`, `stop()`; `manager.close()` stops it and closes the source
 * @throws TypeError when the manager's source is not an etcd source
 * @example
 * const manager = await ConfigManager.create({ source: etcdSource({ endpoints, key: "aiq/prod/agent.yml" }) });
 * const watching = watchEtcd(manager);
 * await watching.ready();
 */
export function watchEtcd(manager: EtcdReloadableManager): EtcdWatchHandle {
  const source = etcdSourceOf(manager.source);
  if (!source) throw new TypeError(`watchEtcd: the manager's source (${manager.source.id}) is not an etcdSource().`);
  const follower = new EtcdFollower(manager, source);
  return {
    get done() {
      return follower.done;
    },
    ready: () => follower.ready(),
    stop: () => follower.stop(),
    [Symbol.asyncDispose]: () => follower.stop(),
  };
}
