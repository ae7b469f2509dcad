import { promises as fs } from "node:fs";
import * as nodePath from "node:path";
import { ConfigError, createConsoleLogger, type Logger, type WatchState } from "@aiq/config-core";
import { type EventManager, getEventManager } from "@aiq/config-events";
import type { FSWatcher } from "chokidar";
import { closeChokidar, createChokidar, isWatching, type RawEventDetails } from "./chokidar-internals.js";
import { type FileObservation, observeFile } from "./observe-file.js";
import type { ConfigWatcherOptions, FileWatcher } from "./types.js";
import { type WatchedDir, WatchedDirs, symlinkTarget } from "./watched-dirs.js";
import { type FileWatcherHost, WatchedFile } from "./watched-file.js";
import { resolveWatchMode } from "./watch-mode.js";

/**
 * The default trailing debounce, in milliseconds: the shortest that kept the reliability scenarios
 * green on a loaded 2-core machine (see the README).
 */
export const DEFAULT_DEBOUNCE_MS = 40;

// A transient state (missing, empty) must hold this long before it is reported, and every change
// is looked at once more after it (chokidar throttles `change` to one per 50 ms and path).
const MIN_SETTLE_MS = 100;
// A file rewritten without pause is still read at least this often.
const MIN_MAX_WAIT_MS = 1000;
// How long to wait for chokidar to set up a directory before checking its files anyway.
const ESTABLISH_TIMEOUT_MS = 5000;
const ESTABLISH_POLL_MS = 5;
// Errors after which native watching cannot go on; polling needs no inotify watch or descriptor.
const RESOURCE_ERRORS = new Set(["ENOSPC", "EMFILE", "ENFILE"]);

/**
 * Watches config files and emits FILE_MODIFIED / FILE_CREATED / FILE_DELETED on the bus, once per
 * real change: it watches each file's parent directory (so atomic renames, vim, JetBrains,
 * truncate-then-write, delete + recreate and Kubernetes `..data` swaps are all seen), debounces,
 * hashes the content with the real path, and looks once more shortly after, so the last write of
 * a burst is never lost.
 * @example
 * await using watcher = new ConfigWatcher({ events: bus });
 * watcher.addFile("config.yml");
 * bus.registerHandler((e) => console.log(e.type, e.filePath), ConfigEventType.FILE_MODIFIED);
 */
export class ConfigWatcher implements FileWatcher, AsyncDisposable {
  readonly #events: EventManager;
  readonly #logger: Logger;
  readonly #usePolling: boolean | undefined;
  readonly #interval: number | undefined;
  readonly #fallback: boolean;
  readonly #host: FileWatcherHost;
  readonly #files = new Map<string, WatchedFile>();
  readonly #dirs = new WatchedDirs();
  readonly #tasks = new Set<Promise<void>>();
  #fsw: FSWatcher | undefined;
  #rebuildQueued = false;
  #forcePolling = false;
  #error: string | undefined;
  #closed: Promise<void> | undefined;

  /**
   * Creates a watcher; nothing is watched until `addFile`.
   * @param options - the bus, the debounce, polling and the logger
   */
  constructor(options: ConfigWatcherOptions = {}) {
    this.#events = options.events ?? getEventManager();
    this.#logger = options.logger ?? createConsoleLogger();
    const debounceMs = validMs(options.debounceMs, DEFAULT_DEBOUNCE_MS, "debounceMs");
    this.#usePolling = options.usePolling;
    this.#interval = options.interval === undefined ? undefined : validMs(options.interval, 100, "interval");
    this.#fallback = options.fallbackToPolling ?? true;
    this.#host = {
      debounceMs,
      maxWaitMs: Math.max(MIN_MAX_WAIT_MS, 10 * debounceMs),
      settleMs: Math.max(MIN_SETTLE_MS, 2 * debounceMs),
      logger: this.#logger,
      isOpen: () => this.#closed === undefined,
      observe: (file) => this.#observe(file),
      observed: (file, observation) => this.#followSymlink(file, observation),
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
    const dir = this.#watch(file.dir, file.name, file, true);
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
    file.dispose();
    if (file.realTrigger) this.#unwatch(file.realTrigger.dir, file.realTrigger.name, file, false);
    this.#unwatch(file.dir, file.name, file, true);
  }

  /**
   * How the files are watched: `mode` (`native` or `polling`, as chokidar really runs) and whether
   * a watcher error (`ENOSPC`, `EMFILE`, ...) means changes may be missed.
   * @returns plain data, for `status.watch`
   */
  state(): WatchState {
    const usePolling = this.#fsw?.options.usePolling;
    const mode = usePolling === undefined ? resolveWatchMode(this.#forcePolling || this.#usePolling) : usePolling ? "polling" : "native";
    return this.#error === undefined ? { mode, degraded: false } : { mode, degraded: true, error: this.#error };
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
      for (const file of this.#files.values()) file.dispose();
      for (const dir of this.#dirs.values()) this.#stopDir(dir, "dropped");
      const fsw = this.#fsw;
      this.#fsw = undefined;
      if (fsw) await closeChokidar(fsw);
      while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
    })();
    return this.#closed;
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    const done = (): void => {
      this.#tasks.delete(task);
    };
    task.then(done, done);
  }

  async #observe(file: WatchedFile): Promise<FileObservation> {
    const dir = this.#dirs.get(file.dir);
    if (dir) await this.#validateDir(dir);
    return observeFile(file.path);
  }

  // A symlinked file also changes when its target does: watch the target's name (and directory).
  #followSymlink(file: WatchedFile, observation: FileObservation): void {
    if (observation.kind !== "file" || observation.realpath === file.realpath) return;
    file.realpath = observation.realpath;
    const next = symlinkTarget(file.path, observation.realpath, this.#dirs.get(file.dir)?.real ?? file.dir);
    const current = file.realTrigger;
    if (current?.dir === next?.dir && current?.name === next?.name) return;
    if (current) this.#unwatch(current.dir, current.name, file, false);
    file.realTrigger = next;
    if (next) this.#watch(next.dir, next.name, file, false);
  }

  // --- directories: start, lose, get back ---------------------------------------------------

  #watch(dirPath: string, name: string, file: WatchedFile, home: boolean): WatchedDir {
    const { dir, created } = this.#dirs.add(dirPath, name, file, home);
    if (created) this.#startDir(dir);
    return dir;
  }

  #unwatch(dirPath: string, name: string, file: WatchedFile, home: boolean): void {
    const dropped = this.#dirs.remove(dirPath, name, file, home);
    if (dropped) this.#stopDir(dropped, "dropped");
  }

  #startDir(dir: WatchedDir): void {
    const epoch = ++dir.epoch;
    dir.state = "starting";
    dir.suspect = false;
    const stale = (): boolean => dir.epoch !== epoch || this.#closed !== undefined;
    const start = async (): Promise<void> => {
      const stats = await fs.stat(dir.path).catch(() => undefined);
      if (stale()) return;
      if (!stats?.isDirectory()) {
        this.#dirMissing(dir);
        return;
      }
      dir.ino = stats.ino;
      dir.dev = stats.dev;
      dir.birth = stats.birthtimeMs;
      dir.real = await fs.realpath(dir.path).catch(() => dir.path);
      if (stale()) return;
      const fsw = this.#chokidar();
      fsw.add(dir.path);
      await this.#established(fsw, dir.path, stale);
      if (stale()) return;
      dir.state = "watching";
      // Whatever changed before the watch was in place is caught here (or is the baseline).
      for (const file of this.#dirs.filesOf(dir)) file.run("sync");
    };
    this.#track(start().catch((error: unknown) => this.#logger.warn(`watching ${dir.path} failed: ${String(error)}`)));
  }

  async #established(fsw: FSWatcher, path: string, stale: () => boolean): Promise<void> {
    const deadline = performance.now() + ESTABLISH_TIMEOUT_MS;
    while (!stale() && this.#fsw === fsw && !isWatching(fsw, path)) {
      if (performance.now() > deadline) {
        this.#logger.debug(`chokidar did not report watching ${path} within ${ESTABLISH_TIMEOUT_MS} ms; checking its files anyway`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, ESTABLISH_POLL_MS));
    }
  }

  #stopDir(dir: WatchedDir, state: "missing" | "dropped"): void {
    dir.epoch++;
    dir.state = state;
    clearTimeout(dir.presence);
    dir.presence = undefined;
    // chokidar.unwatch() would leave the path in its ignore list, hiding it from a later add() (and
    // every directory under it); a fresh chokidar instance forgets it.
    if (this.#closed === undefined) this.#rebuildChokidar();
  }

  #dirMissing(dir: WatchedDir): void {
    this.#stopDir(dir, "missing");
    this.#logger.debug(`${dir.path} is gone; watching for it to come back`);
    // Its files are missing now: they report it (once it held for the settle time).
    for (const file of this.#dirs.filesOf(dir)) file.run("sync");
    const epoch = dir.epoch;
    // chokidar cannot watch a directory that does not exist: poll for it, only while it is gone.
    const poll = (): void => {
      dir.presence = setTimeout(() => {
        dir.presence = undefined;
        const gone = (): boolean => dir.epoch !== epoch || this.#closed !== undefined;
        const look = fs.stat(dir.path).then(
          (stats) => {
            if (gone()) return;
            if (stats.isDirectory()) this.#startDir(dir);
            else poll();
          },
          () => {
            if (!gone()) poll();
          },
        );
        this.#track(look);
      }, this.#fsw?.options.interval ?? this.#interval ?? 100);
    };
    poll();
  }

  // The directory of a file being checked: gone (deleted, renamed away) or replaced (deleted and
  // recreated) means chokidar's watch on it is dead; start over.
  async #validateDir(dir: WatchedDir): Promise<void> {
    if (dir.state !== "watching") return;
    dir.validating ??= (async () => {
      const stats = await fs.stat(dir.path).catch(() => undefined);
      if (dir.state !== "watching" || this.#closed) return;
      if (!stats?.isDirectory()) this.#dirMissing(dir);
      else if (dir.suspect || stats.ino !== dir.ino || stats.dev !== dir.dev || stats.birthtimeMs !== dir.birth) {
        this.#logger.debug(`${dir.path} was replaced; watching the new one`);
        dir.epoch++;
        dir.state = "starting";
        this.#rebuildChokidar();
      }
    })().finally(() => {
      dir.validating = undefined;
    });
    await dir.validating;
  }

  // --- chokidar -------------------------------------------------------------------------------

  #chokidar(): FSWatcher {
    this.#fsw ??= createChokidar({
      usePolling: this.#forcePolling || (this.#usePolling ?? false),
      ...(this.#interval === undefined ? {} : { interval: this.#interval }),
      isRelevant: (path) => this.#dirs.isRelevant(path),
      onPath: (path) => this.#onPath(path),
      onDirGone: (path) => this.#suspectDir(path, undefined),
      onRaw: (path, details) => this.#onRaw(path, details),
      onError: (error) => this.#onError(error),
    });
    return this.#fsw;
  }

  // One instance at a time: replaced whole (and every live directory started again) when a
  // directory was lost, replaced or dropped, or when native watching failed.
  #rebuildChokidar(): void {
    const old = this.#fsw;
    this.#fsw = undefined;
    if (old) this.#track(closeChokidar(old));
    // Several directories may be lost at once (rm -rf): start the others over once.
    if (this.#rebuildQueued) return;
    this.#rebuildQueued = true;
    queueMicrotask(() => {
      this.#rebuildQueued = false;
      if (this.#closed) return;
      for (const dir of this.#dirs.values()) {
        if (dir.state === "watching" || dir.state === "starting") this.#startDir(dir);
      }
    });
  }

  // Native raw events: (event, entry name, { watchedPath }); polling: (event, full path, { curr, prev }).
  // They bypass chokidar's 50 ms `change` throttle.
  #onRaw(path: string | null | undefined, details: RawEventDetails): void {
    const { watchedPath, curr } = details;
    if (typeof watchedPath === "string") {
      if (!this.#dirs.get(watchedPath)) {
        this.#onPath(watchedPath); // a file's own fs.watch
        return;
      }
      // inotify reports the watched directory's own deletion or move under its own name.
      if (path === nodePath.basename(watchedPath)) this.#suspectDir(watchedPath, undefined);
      this.#onPath(path ? nodePath.join(watchedPath, path) : watchedPath);
    } else if (typeof path === "string") {
      this.#suspectDir(path, curr);
      this.#onPath(path);
    }
  }

  #suspectDir(path: string, now: RawEventDetails["curr"]): void {
    const dir = this.#dirs.get(path);
    if (dir?.state !== "watching") return;
    if (!now || now.mtimeMs === 0 || now.ino !== dir.ino || now.birthtimeMs !== dir.birth) dir.suspect = true;
  }

  #onPath(path: string): void {
    if (this.#closed) return;
    for (const file of this.#dirs.concerned(path)) file.poke();
  }

  #onError(error: unknown): void {
    if (this.#closed) return;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    const text = code && !message.includes(code) ? `${code}: ${message}` : message;
    if (this.#fallback && this.state().mode === "native" && code !== undefined && RESOURCE_ERRORS.has(code)) {
      this.#error = `${text}; fell back to polling`;
      this.#logger.warn(`file watching failed (${text}); falling back to polling`);
      this.#forcePolling = true;
      this.#rebuildChokidar();
      return;
    }
    this.#error = text;
    this.#logger.warn(`file watching failed (${text}); changes may be missed`);
  }
}

function validMs(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, received ${value}`);
  return value;
}
