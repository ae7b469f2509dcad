import { promises as fs } from "node:fs";
import * as nodePath from "node:path";
import { ConfigError, createConsoleLogger, type Logger, type WatchState } from "@aiq/config-core";
import { type EventManager, getEventManager } from "@aiq/config-events";
import { FSWatcher } from "chokidar";
import { clearThrottleTimers, isWatching } from "./chokidar-internals.js";
import { isAtomicSwapEntry, isEditorTempFile } from "./editor-files.js";
import { type FileObservation, observeFile } from "./observe-file.js";
import type { ConfigWatcherOptions, FileWatcher } from "./types.js";
import { resolveWatchMode } from "./watch-mode.js";
import { type FileWatcherHost, WatchedFile } from "./watched-file.js";

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

interface WatchedDir {
  readonly path: string;
  /** Files whose parent this is: a `..data` swap here concerns them all. */
  readonly home: Set<WatchedFile>;
  /** Entry name -> the files an event on it concerns (the file itself, a symlink target). */
  readonly names: Map<string, Set<WatchedFile>>;
  state: "starting" | "watching" | "missing" | "dropped";
  /** Bumped on every (re)start, so that a stale start gives up. */
  epoch: number;
  real?: string;
  /** Its identity when watching started: ext4 reuses a deleted directory's inode number at once. */
  ino?: number;
  dev?: number;
  birth?: number;
  /** An event said the directory itself went away: start over even if it is back. */
  suspect: boolean;
  presence?: NodeJS.Timeout;
  validating?: Promise<void>;
}

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
  readonly #debounceMs: number;
  readonly #settleMs: number;
  readonly #usePolling: boolean | undefined;
  readonly #interval: number | undefined;
  readonly #fallback: boolean;
  readonly #files = new Map<string, WatchedFile>();
  readonly #dirs = new Map<string, WatchedDir>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #host: FileWatcherHost;
  #fsw: FSWatcher | undefined;
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
    this.#debounceMs = validMs(options.debounceMs, DEFAULT_DEBOUNCE_MS, "debounceMs");
    this.#settleMs = Math.max(MIN_SETTLE_MS, 2 * this.#debounceMs);
    this.#usePolling = options.usePolling;
    this.#interval = options.interval === undefined ? undefined : validMs(options.interval, 100, "interval");
    this.#fallback = options.fallbackToPolling ?? true;
    this.#host = {
      debounceMs: this.#debounceMs,
      maxWaitMs: Math.max(MIN_MAX_WAIT_MS, 10 * this.#debounceMs),
      settleMs: this.#settleMs,
      logger: this.#logger,
      isOpen: () => this.#closed === undefined,
      observe: (file) => this.#observe(file),
      observed: (file, observation) => this.#updateRealTrigger(file, observation),
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
    const dir = this.#register(file.dir, file.name, file, true);
    // A directory being started looks at all its files when it is ready; otherwise look now.
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
    if (file.realTrigger) this.#unregister(file.realTrigger.dir, file.realTrigger.name, file, false);
    this.#unregister(file.dir, file.name, file, true);
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
    void task.finally(() => this.#tasks.delete(task));
  }

  async #observe(file: WatchedFile): Promise<FileObservation> {
    const dir = this.#dirs.get(file.dir);
    if (dir) await this.#validateDir(dir);
    return observeFile(file.path);
  }

  // --- directories -------------------------------------------------------------------------

  #register(dirPath: string, name: string, file: WatchedFile, home: boolean): WatchedDir {
    let dir = this.#dirs.get(dirPath);
    const created = dir === undefined;
    if (!dir) {
      dir = { path: dirPath, home: new Set(), names: new Map(), state: "starting", epoch: 0, suspect: false };
      this.#dirs.set(dirPath, dir);
    }
    const files = dir.names.get(name) ?? new Set<WatchedFile>();
    dir.names.set(name, files);
    files.add(file);
    if (home) dir.home.add(file);
    if (created) this.#startDir(dir);
    return dir;
  }

  #unregister(dirPath: string, name: string, file: WatchedFile, home: boolean): void {
    const dir = this.#dirs.get(dirPath);
    if (!dir) return;
    const files = dir.names.get(name);
    files?.delete(file);
    if (files?.size === 0) dir.names.delete(name);
    if (home) dir.home.delete(file);
    if (dir.names.size === 0 && dir.home.size === 0) {
      this.#dirs.delete(dirPath);
      this.#stopDir(dir, "dropped");
    }
  }

  #filesOf(dir: WatchedDir): Set<WatchedFile> {
    const files = new Set(dir.home);
    for (const set of dir.names.values()) for (const file of set) files.add(file);
    return files;
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
      for (const file of this.#filesOf(dir)) file.run("sync");
    };
    this.#track(start().catch((error: unknown) => this.#logger.warn(`watching ${dir.path} failed: ${String(error)}`)));
  }

  async #established(fsw: FSWatcher, path: string, stale: () => boolean): Promise<void> {
    const deadline = performance.now() + ESTABLISH_TIMEOUT_MS;
    while (!stale() && this.#fsw === fsw && isWatching(fsw, path) === false) {
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
    this.#fsw?.unwatch(dir.path);
  }

  #dirMissing(dir: WatchedDir): void {
    this.#stopDir(dir, "missing");
    this.#logger.debug(`${dir.path} is gone; watching for it to come back`);
    // The files are now missing: report it (after the settle time) and keep their baseline right.
    for (const file of this.#filesOf(dir)) file.run("sync");
    const epoch = dir.epoch;
    // chokidar cannot watch a directory that does not exist; poll for it, only while it is gone.
    const poll = (): void => {
      dir.presence = setTimeout(() => {
        dir.presence = undefined;
        const look = fs.stat(dir.path).then(
          (stats) => {
            if (dir.epoch !== epoch || this.#closed) return;
            if (stats.isDirectory()) this.#startDir(dir);
            else poll();
          },
          () => {
            if (dir.epoch === epoch && !this.#closed) poll();
          },
        );
        this.#track(look);
      }, this.#presenceIntervalMs());
    };
    poll();
  }

  // The directory of a file being checked: gone (deleted, renamed away) or replaced by another one
  // (deleted and recreated) means chokidar's watch on it is dead; start over.
  async #validateDir(dir: WatchedDir): Promise<void> {
    if (dir.state !== "watching") return;
    dir.validating ??= (async () => {
      const stats = await fs.stat(dir.path).catch(() => undefined);
      if (dir.state !== "watching" || this.#closed) return;
      if (!stats?.isDirectory()) this.#dirMissing(dir);
      else if (dir.suspect || stats.ino !== dir.ino || stats.dev !== dir.dev || stats.birthtimeMs !== dir.birth) {
        this.#logger.debug(`${dir.path} was replaced; watching the new one`);
        this.#fsw?.unwatch(dir.path);
        this.#startDir(dir);
      }
    })().finally(() => {
      dir.validating = undefined;
    });
    await dir.validating;
  }

  #presenceIntervalMs(): number {
    return this.#fsw?.options.interval ?? this.#interval ?? 100;
  }

  // A symlinked file also changes when its target does: watch the target's name (and directory).
  #updateRealTrigger(file: WatchedFile, observation: FileObservation): void {
    if (observation.kind !== "file" || observation.realpath === file.realpath) return;
    file.realpath = observation.realpath;
    const next = this.#triggerFor(file, observation.realpath);
    const current = file.realTrigger;
    if (current?.dir === next?.dir && current?.name === next?.name) return;
    if (current) this.#unregister(current.dir, current.name, file, false);
    file.realTrigger = next;
    if (next) this.#register(next.dir, next.name, file, false);
  }

  #triggerFor(file: WatchedFile, realpath: string): { dir: string; name: string } | undefined {
    if (realpath === file.path) return undefined;
    const home = this.#dirs.get(file.dir);
    const homeReal = home?.real ?? file.dir;
    const realDir = nodePath.dirname(realpath);
    const name = nodePath.basename(realpath);
    if (realDir === file.dir || realDir === homeReal) return name === file.name ? undefined : { dir: file.dir, name };
    const relative = nodePath.relative(homeReal, realDir);
    const first = relative.split(nodePath.sep)[0] ?? "";
    // Kubernetes: the target sits in a `..<timestamp>` payload directory that is swapped whole via
    // `..data`; the `..data` events in the file's own directory already cover it.
    if (first !== ".." && !nodePath.isAbsolute(relative) && isAtomicSwapEntry(first)) return undefined;
    return { dir: realDir, name };
  }

  // --- chokidar ----------------------------------------------------------------------------

  #chokidar(): FSWatcher {
    if (this.#fsw) return this.#fsw;
    const fsw = new FSWatcher({
      persistent: true,
      ignoreInitial: true,
      // Only the directory's own entries: a config directory may hold a large tree.
      depth: 0,
      followSymlinks: true,
      // chokidar's own atomic-save handling delays unlinks by 100 ms; the debounce and the hash do it.
      atomic: false,
      // A file made unreadable (chmod 000) is the reload's error to report, not the watcher's.
      ignorePermissionErrors: true,
      usePolling: this.#forcePolling || (this.#usePolling ?? false),
      ...(this.#interval === undefined ? {} : { interval: this.#interval }),
      // Only watch what concerns a watched file; no handle or poller for the rest of the directory.
      ignored: (path: string) => !this.#isRelevant(path),
    });
    fsw.on("all", (event, path) => {
      if (event === "unlinkDir") this.#suspectDir(path);
      this.#onPath(path);
    });
    fsw.on("raw", (_event, path, details) => this.#onRaw(path, details));
    fsw.on("error", (error) => this.#onError(error));
    this.#fsw = fsw;
    return fsw;
  }

  #isRelevant(path: string): boolean {
    if (this.#dirs.has(path)) return true;
    const dir = this.#dirs.get(nodePath.dirname(path));
    if (!dir) return false;
    const name = nodePath.basename(path);
    return dir.names.has(name) || (dir.home.size > 0 && isAtomicSwapEntry(name));
  }

  // chokidar's raw events bypass its 50 ms `change` throttle. Native: (event, name, { watchedPath });
  // polling: (event, fullPath, { curr, prev }).
  #onRaw(path: string | null | undefined, details: unknown): void {
    const { watchedPath, curr } = (details ?? {}) as { watchedPath?: unknown; curr?: { ino: number; birthtimeMs: number; mtimeMs: number } };
    if (typeof watchedPath === "string") {
      if (!this.#dirs.has(watchedPath)) {
        this.#onPath(watchedPath); // a file's own fs.watch
        return;
      }
      // inotify reports the watched directory's own deletion or move under its own name.
      if (path === nodePath.basename(watchedPath)) this.#suspectDir(watchedPath);
      this.#onPath(path ? nodePath.join(watchedPath, path) : watchedPath);
    } else if (typeof path === "string") {
      const dir = this.#dirs.get(path);
      if (dir && curr && (curr.mtimeMs === 0 || curr.ino !== dir.ino || curr.birthtimeMs !== dir.birth)) this.#suspectDir(path);
      this.#onPath(path);
    }
  }

  #suspectDir(path: string): void {
    const dir = this.#dirs.get(path);
    if (dir?.state === "watching") dir.suspect = true;
  }

  #onPath(path: string): void {
    if (this.#closed) return;
    const asDir = this.#dirs.get(path);
    if (asDir) {
      for (const file of this.#filesOf(asDir)) file.poke();
      return;
    }
    const dir = this.#dirs.get(nodePath.dirname(path));
    if (!dir) return;
    const name = nodePath.basename(path);
    const files = dir.names.get(name);
    if (files) {
      for (const file of files) file.poke();
    } else if (isAtomicSwapEntry(name) && !isEditorTempFile(name)) {
      // `..data` swapped (Kubernetes): every file of the directory may now read differently.
      for (const file of dir.home) file.poke();
    }
  }

  #onError(error: unknown): void {
    if (this.#closed) return;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    const text = code && !message.includes(code) ? `${code}: ${message}` : message;
    const polling = this.state().mode === "polling";
    if (this.#fallback && !polling && code !== undefined && RESOURCE_ERRORS.has(code)) {
      this.#error = `${text}; fell back to polling`;
      this.#logger.warn(`file watching failed (${text}); falling back to polling`);
      this.#switchToPolling();
      return;
    }
    this.#error = text;
    this.#logger.warn(`file watching failed (${text}); changes may be missed`);
  }

  #switchToPolling(): void {
    const old = this.#fsw;
    this.#fsw = undefined;
    this.#forcePolling = true;
    if (old) this.#track(closeChokidar(old));
    for (const dir of this.#dirs.values()) {
      if (dir.state === "watching" || dir.state === "starting") this.#startDir(dir);
    }
  }
}

async function closeChokidar(fsw: FSWatcher): Promise<void> {
  clearThrottleTimers(fsw);
  const closing = fsw.close();
  // close() removed every listener; an fs.watch error arriving now must not become an unhandled 'error'.
  fsw.on("error", () => undefined);
  await closing;
  clearThrottleTimers(fsw);
}

function validMs(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, received ${value}`);
  return value;
}
