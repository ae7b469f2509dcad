import { promises as fs } from "node:fs";
import type { Logger, WatchState } from "@aiq/config-core";
import type { FSWatcher } from "chokidar";
import { closeChokidar, createChokidar, isWatching } from "./chokidar-internals.js";
import { resolveWatchMode } from "./watch-mode.js";
import { type WatchedDir, WatchedDirs } from "./watched-dirs.js";
import type { WatchedFile } from "./watched-file.js";

// How long to wait for chokidar to set up a directory before checking its files anyway.
const ESTABLISH_TIMEOUT_MS = 5000;
const ESTABLISH_POLL_MS = 5;
// Errors after which native watching cannot go on; polling needs no inotify watch or descriptor.
const RESOURCE_ERRORS = new Set(["ENOSPC", "EMFILE", "ENFILE"]);

/** Options of {@link DirectoryWatcher}. */
export interface DirectoryWatcherOptions {
  usePolling: boolean | undefined;
  interval: number | undefined;
  fallbackToPolling: boolean;
  logger: Logger;
  /** Keeps an async task until it settles, so that close() can wait for it. */
  track(task: Promise<void>): void;
}

/**
 * The directory side of a ConfigWatcher: which directories chokidar watches (one instance for all
 * of them), starting, losing and getting them back, routing chokidar's events to the files they
 * concern, and chokidar's errors. Internal.
 */
export class DirectoryWatcher {
  readonly #dirs = new WatchedDirs();
  readonly #logger: Logger;
  readonly #usePolling: boolean | undefined;
  readonly #interval: number | undefined;
  readonly #fallback: boolean;
  readonly #track: (task: Promise<void>) => void;
  #fsw: FSWatcher | undefined;
  #rebuildQueued = false;
  #forcePolling = false;
  #error: string | undefined;
  #closed = false;

  constructor(options: DirectoryWatcherOptions) {
    this.#logger = options.logger;
    this.#usePolling = options.usePolling;
    this.#interval = options.interval;
    this.#fallback = options.fallbackToPolling;
    this.#track = options.track;
  }

  /** The directory at `path`, if watched. */
  get(path: string): WatchedDir | undefined {
    return this.#dirs.get(path);
  }

  /** The mode chokidar really runs in (or will), and the last watcher error. */
  state(): WatchState {
    const usePolling = this.#fsw?.options.usePolling;
    const mode = usePolling === undefined ? resolveWatchMode(this.#forcePolling || this.#usePolling) : usePolling ? "polling" : "native";
    return this.#error === undefined ? { mode, degraded: false } : { mode, degraded: true, error: this.#error };
  }

  /** Stops every directory and closes chokidar. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const dir of this.#dirs.values()) this.#stopDir(dir, "dropped");
    const fsw = this.#fsw;
    this.#fsw = undefined;
    if (fsw) await closeChokidar(fsw);
  }

  /**
   * Makes events on `dir/name` concern `file` (`home`: `dir` is its own directory), starting to
   * watch `dir` if it is new.
   */
  watch(dirPath: string, name: string, file: WatchedFile, home: boolean): WatchedDir {
    const { dir, created } = this.#dirs.add(dirPath, name, file, home);
    if (created) this.#startDir(dir);
    return dir;
  }

  /** Undoes {@link watch}; a directory with nothing left to watch is dropped. */
  unwatch(dirPath: string, name: string, file: WatchedFile, home: boolean): void {
    const dropped = this.#dirs.remove(dirPath, name, file, home);
    if (dropped) this.#stopDir(dropped, "dropped");
  }

  #startDir(dir: WatchedDir): void {
    const epoch = ++dir.epoch;
    dir.state = "starting";
    dir.suspect = false;
    const stale = (): boolean => dir.epoch !== epoch || this.#closed;
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
      dir.added = true;
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
    if (dir.added && !this.#closed) this.#rebuildChokidar();
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
        const gone = (): boolean => dir.epoch !== epoch || this.#closed;
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

  /**
   * Checks the directory of a file about to be read: gone (deleted, renamed away) or replaced
   * (deleted and recreated) means chokidar's watch on it is dead; start over.
   */
  async validate(dir: WatchedDir): Promise<void> {
    if (dir.state !== "watching") return;
    dir.validating ??= (async () => {
      const stats = await fs.stat(dir.path).catch(() => undefined);
      if (dir.state !== "watching" || this.#closed) return;
      if (!stats?.isDirectory()) this.#dirMissing(dir);
      else if (dir.suspect || stats.ino !== dir.ino || stats.dev !== dir.dev || stats.birthtimeMs !== dir.birth) {
        this.#logger.debug(`${dir.path} was replaced; watching the new one`);
        dir.epoch++;
        dir.state = "starting"; // started again by the rebuild
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
      onEvent: (event, path) => this.#poke(this.#dirs.routeEvent(event, path)),
      onRaw: (path, details) => this.#poke(this.#dirs.routeRaw(path, details)),
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
    for (const dir of this.#dirs.values()) dir.added = false;
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

  #poke(files: Iterable<WatchedFile>): void {
    if (this.#closed) return;
    for (const file of files) file.poke();
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
