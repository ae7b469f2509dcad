import * as nodePath from "node:path";
import { ConfigError, createConsoleLogger, type Logger, type WatchState } from "@aiq/config-core";
import { type EventManager, getEventManager } from "@aiq/config-events";
import type { DirectoryWatchPool } from "./directory-watch-pool.js";
import { type FileObservation, observeFile } from "./observe-file.js";
import { leaseDirectoryWatchPool, type PoolLease } from "./shared-directories.js";
import { SymlinkFollower } from "./symlink-follow.js";
import type { ConfigWatcherOptions, FileWatcher } from "./types.js";
import { type FileWatcherHost, WatchedFile } from "./watched-file.js";

/**
 * The default trailing debounce of a quiet file, in milliseconds: long enough that the events of
 * one save (truncate, write, close) are one read, short enough that a save reaches the program
 * within a few milliseconds of what the machine allows (see the README for the measurement).
 */
export const DEFAULT_DEBOUNCE_MS = 5;

/**
 * The default trailing debounce during a burst of saves, in milliseconds: the shortest that kept
 * the reliability scenarios (a burst of 50 writes in 200 ms is validated a few times, not 50) green
 * on a loaded 2-core machine.
 */
export const DEFAULT_BURST_DEBOUNCE_MS = 30;

// A transient state (missing, empty, cut off mid line) must hold this long before it is reported,
// and every change is looked at once more after it (chokidar throttles `change` to one per 50 ms
// and path). Events this soon after a read are a burst: they wait the burst debounce.
export const MIN_SETTLE_MS = 100;
// A file rewritten without pause is still read at least this often.
const MIN_MAX_WAIT_MS = 1000;

/**
 * Watches config files and emits FILE_MODIFIED / FILE_CREATED / FILE_DELETED on the bus, once per
 * real change: it watches each file's parent directory (so atomic renames, vim, JetBrains,
 * truncate-then-write, delete + recreate and Kubernetes `..data` swaps are all seen), debounces,
 * hashes the content with the real path, and looks once more shortly after, so the last write of
 * a burst is never lost. Every ConfigWatcher of a process with the same `usePolling`, `interval` and
 * `fallbackToPolling` shares the watching of directories: one chokidar instance per directory,
 * however many watchers (and `autoReload`ed managers) watch files in it; each watcher still has
 * its own files, debounce, events and bus, and closing it releases only its files.
 * @example
 * await using watcher = new ConfigWatcher({ events: bus });
 * watcher.addFile("config.yml");
 * bus.registerHandler((e) => console.log(e.type, e.filePath), ConfigEventType.FILE_MODIFIED);
 */
export class ConfigWatcher implements FileWatcher, AsyncDisposable {
  readonly #events: EventManager;
  readonly #logger: Logger;
  readonly #host: FileWatcherHost;
  readonly #lease: PoolLease;
  readonly #pool: DirectoryWatchPool;
  readonly #symlinks: SymlinkFollower;
  readonly #files = new Map<string, WatchedFile>();
  readonly #tasks = new Set<Promise<void>>();
  #closed: Promise<void> | undefined;
  /**
   * How long a transient state (missing, empty, cut off mid line) must hold before it is reported, in
   * ms: `max(100, 2 x burstDebounceMs)`. Also the delay of the second look after each change, and
   * how long `autoReload` waits before reading again after a reload that met a save in progress.
   */
  readonly settleMs: number;

  /**
   * Creates a watcher; nothing is watched until `addFile`.
   * @param options - the bus, the debounce, polling and the logger
   */
  constructor(options: ConfigWatcherOptions = {}) {
    this.#events = options.events ?? getEventManager();
    this.#logger = options.logger ?? createConsoleLogger();
    const debounceMs = validMs(options.debounceMs, DEFAULT_DEBOUNCE_MS, "debounceMs");
    const burstDelayMs = validMs(
      options.burstDebounceMs,
      Math.max(DEFAULT_BURST_DEBOUNCE_MS, debounceMs),
      "burstDebounceMs",
    );
    const settleMs = Math.max(MIN_SETTLE_MS, 2 * burstDelayMs);
    this.settleMs = settleMs;
    this.#lease = leaseDirectoryWatchPool(
      {
        usePolling: options.usePolling,
        interval: options.interval === undefined ? undefined : validMs(options.interval, 100, "interval"),
        fallbackToPolling: options.fallbackToPolling ?? true,
      },
      this.#logger,
    );
    this.#pool = this.#lease.pool;
    this.#symlinks = new SymlinkFollower(this.#pool);
    const onLook = options.onLook;
    this.#host = {
      debounce: {
        delayMs: debounceMs,
        burstDelayMs,
        burstWindowMs: settleMs,
        maxWaitMs: Math.max(MIN_MAX_WAIT_MS, 10 * burstDelayMs),
      },
      settleMs,
      logger: this.#logger,
      isOpen: () => this.#closed === undefined,
      isEstablished: (file) => {
        const state = this.#pool.get(file.dir)?.state;
        return state === "watching" || state === "missing";
      },
      lookAt: (file) => this.#lookAt(file),
      followSymlink: (file, observation) => this.#trackClosing(this.#symlinks.follow(file, observation)),
      looked: (look) => onLook?.(look),
      emit: (event) => {
        if (this.#closed === undefined) this.#events.emit(event);
      },
      track: (task) => this.#track(task),
    };
  }

  /** The watched files (absolute paths), in the order they were added. */
  get files(): readonly string[] {
    return Object.freeze([...this.#files.keys()]);
  }

  /**
   * Watches a file, which need not exist yet (its creation is reported); adding it twice is a no-op.
   * @param path - a path, resolved against the working directory; a symlink is followed on every read
   */
  addFile(path: string): void {
    if (this.#closed) throw new ConfigError("CLOSED", `Cannot watch ${path}: the watcher is closed.`);
    const absolute = nodePath.resolve(path);
    if (this.#files.has(absolute)) return;
    const file = new WatchedFile(absolute, this.#host);
    this.#files.set(absolute, file);
    const dir = this.#pool.watchFile(file);
    // A directory being started looks at all its files once it is watched; otherwise look now.
    if (dir.state !== "starting") file.run("sync");
  }

  /**
   * Stops watching a file; a file not watched is ignored.
   * @param path - the path as given to `addFile` (resolved against the working directory)
   */
  removeFile(path: string): void {
    const file = this.#files.get(nodePath.resolve(path));
    if (!file) return;
    this.#files.delete(file.path);
    this.#unwatch(file);
  }

  /**
   * How the files are watched: `mode` (`native` or `polling`, as chokidar really runs) and whether
   * a watcher error (`ENOSPC`, `EMFILE`, ...) means changes may be missed.
   * @returns plain data, for `status.watch`
   */
  state(): WatchState {
    return this.#pool.state();
  }

  /**
   * Resolves once every file added so far is being watched and its current content is known, so a
   * write after it is reported. Writes before it are not (they are the starting point).
   * @returns a promise that never rejects
   */
  async ready(): Promise<void> {
    await Promise.all([...this.#files.values()].map((file) => file.baseline));
  }

  /**
   * Stops watching: no event, timer, handle or listener is left once it resolves. Idempotent.
   * @returns a promise that resolves when everything is released
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (const file of this.#files.values()) this.#unwatch(file);
      while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
      await this.#lease.release();
    })();
    return this.#closed;
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // Releases the file's directories; one left with nothing to watch is closed (tracked: close() waits for it).
  #unwatch(file: WatchedFile): void {
    file.dispose();
    this.#trackClosing(this.#symlinks.release(file));
    this.#trackClosing(this.#pool.unwatchFile(file));
  }

  #trackClosing(closing: Promise<void> | undefined): void {
    if (closing) this.#track(closing);
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    const done = (): void => {
      this.#tasks.delete(task);
    };
    task.then(done, done);
  }

  async #lookAt(file: WatchedFile): Promise<FileObservation> {
    const dir = this.#pool.get(file.dir);
    if (dir) await this.#pool.validate(dir);
    return observeFile(file.path);
  }
}

function validMs(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a finite number >= 0, received ${value}`);
  return value;
}
