import { promises as fs } from "node:fs";
import * as nodePath from "node:path";
import type { Logger, WatchState } from "@aiq/config-core";
import type { FSWatcher } from "chokidar";
import { closeChokidar, createChokidar, isWatching } from "./chokidar-internals.js";
import { resolveWatchMode } from "./watch-mode.js";
import { type Added, type DirectoryEntry, type DirectoryWatch, DirectoryIndex } from "./directory-index.js";
import type { WatchedFile } from "./watched-file.js";

// How long to wait for chokidar to set up a directory before checking its files anyway.
const ESTABLISH_TIMEOUT_MS = 5000;
const ESTABLISH_POLL_MS = 5;
// Errors after which native watching cannot go on; polling needs no inotify watch or descriptor.
const RESOURCE_ERRORS = new Set(["ENOSPC", "EMFILE", "ENFILE"]);

/** Options of {@link DirectoryWatchPool}. */
export interface DirectoryWatchPoolOptions {
  usePolling: boolean | undefined;
  interval: number | undefined;
  fallbackToPolling: boolean;
  logger: Logger;
  /** Keeps an async task until it settles, so that close() can wait for it. */
  track(task: Promise<void>): void;
}

/**
 * The directory watches the ConfigWatchers of a process share: which directories are watched (one
 * chokidar instance per directory, shared by every ConfigWatcher leasing this pool),
 * starting, losing and getting them back, routing chokidar's events to the files they concern, and
 * chokidar's errors. A directory is started for its first file and dropped with its last, whichever
 * ConfigWatcher they belong to; dropping one never restarts another. Internal.
 */
export class DirectoryWatchPool {
  readonly #dirs = new DirectoryIndex();
  readonly #logger: Logger;
  readonly #usePolling: boolean | undefined;
  readonly #interval: number | undefined;
  readonly #fallback: boolean;
  readonly #track: (task: Promise<void>) => void;
  #forcePolling = false;
  #error: string | undefined;
  #closed = false;

  constructor(options: DirectoryWatchPoolOptions) {
    this.#logger = options.logger;
    this.#usePolling = options.usePolling;
    this.#interval = options.interval;
    this.#fallback = options.fallbackToPolling;
    this.#track = options.track;
  }

  /** The directory at `path`, if watched. */
  get(path: string): DirectoryWatch | undefined {
    return this.#dirs.get(path);
  }

  /** The mode chokidar really runs in (or will), and the last watcher error. */
  state(): WatchState {
    const usePolling = this.#anyChokidar()?.options.usePolling;
    const mode =
      usePolling === undefined
        ? resolveWatchMode(this.#forcePolling || this.#usePolling)
        : usePolling
          ? "polling"
          : "native";
    return this.#error === undefined ? { mode, degraded: false } : { mode, degraded: true, error: this.#error };
  }

  /** Stops every directory and closes their chokidar instances. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#dirs.values()].map((dir) => this.#stopDir(dir, "dropped")));
  }

  /**
   * Makes events on the file's name in its own directory concern it, starting to watch the
   * directory if it is new.
   */
  watchFile(file: WatchedFile): DirectoryWatch {
    return this.#watching(this.#dirs.addFile(file), file.name);
  }

  /**
   * Makes events on `target` (a symlinked file's target) concern `file`, starting to watch the
   * target's directory if it is new.
   */
  watchTarget(file: WatchedFile, target: DirectoryEntry): DirectoryWatch {
    return this.#watching(this.#dirs.addTarget(file, target), target.name);
  }

  /**
   * Undoes {@link watchFile}; a directory with nothing left to watch is dropped.
   * @returns a promise of its chokidar instance closed, when it was dropped
   */
  unwatchFile(file: WatchedFile): Promise<void> | undefined {
    return this.#dropped(this.#dirs.removeFile(file));
  }

  /**
   * Undoes {@link watchTarget}; a directory with nothing left to watch is dropped.
   * @returns a promise of its chokidar instance closed, when it was dropped
   */
  unwatchTarget(file: WatchedFile, target: DirectoryEntry): Promise<void> | undefined {
    return this.#dropped(this.#dirs.removeTarget(file, target));
  }

  #watching({ dir, created }: Added, name: string): DirectoryWatch {
    if (created) this.#startDir(dir);
    // A poller per name: a name new to a directory already scanned needs its own (natively the
    // directory's fs.watch reports every entry).
    else if (dir.fsw?.options.usePolling) dir.fsw.add(nodePath.join(dir.path, name));
    return dir;
  }

  #dropped(dir: DirectoryWatch | undefined): Promise<void> | undefined {
    return dir ? this.#stopDir(dir, "dropped") : undefined;
  }

  #startDir(dir: DirectoryWatch): void {
    const epoch = ++dir.epoch;
    dir.state = "starting";
    dir.suspect = false;
    this.#closeChokidar(dir);
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
      const fsw = this.#chokidar(dir);
      dir.fsw = fsw;
      fsw.add(dir.path);
      await this.#established(fsw, dir, stale);
      if (stale()) return;
      dir.state = "watching";
      // Whatever changed before the watch was in place is caught here (or is the baseline).
      for (const file of this.#dirs.filesOf(dir)) file.run("sync");
    };
    this.#track(start().catch((error: unknown) => this.#logger.warn(`watching ${dir.path} failed: ${String(error)}`)));
  }

  async #established(fsw: FSWatcher, dir: DirectoryWatch, stale: () => boolean): Promise<void> {
    const deadline = performance.now() + ESTABLISH_TIMEOUT_MS;
    while (!stale() && dir.fsw === fsw && !isWatching(fsw, dir.path)) {
      if (performance.now() > deadline) {
        this.#logger.debug(
          `chokidar did not report watching ${dir.path} within ${ESTABLISH_TIMEOUT_MS} ms; checking its files anyway`,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, ESTABLISH_POLL_MS));
    }
  }

  #stopDir(dir: DirectoryWatch, state: "missing" | "dropped"): Promise<void> {
    dir.epoch++;
    dir.state = state;
    clearTimeout(dir.presence);
    dir.presence = undefined;
    return this.#closeChokidar(dir);
  }

  // chokidar.unwatch() would leave the path in its ignore list, hiding it from a later add(): a
  // directory that stops or starts over gets a fresh instance of its own.
  #closeChokidar(dir: DirectoryWatch): Promise<void> {
    const fsw = dir.fsw;
    if (!fsw) return Promise.resolve();
    dir.fsw = undefined;
    const closing = closeChokidar(fsw);
    this.#track(closing);
    return closing;
  }

  #dirMissing(dir: DirectoryWatch): void {
    const interval = this.#pollInterval(dir);
    void this.#stopDir(dir, "missing");
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
      }, interval);
    };
    poll();
  }

  /**
   * Checks the directory of a file about to be read: gone (deleted, renamed away) or replaced
   * (deleted and recreated) means chokidar's watch on it is dead; start over.
   */
  async validate(dir: DirectoryWatch): Promise<void> {
    if (dir.state !== "watching") return;
    dir.validating ??= (async () => {
      const stats = await fs.stat(dir.path).catch(() => undefined);
      if (dir.state !== "watching" || this.#closed) return;
      if (!stats?.isDirectory()) this.#dirMissing(dir);
      else if (dir.suspect || stats.ino !== dir.ino || stats.dev !== dir.dev || stats.birthtimeMs !== dir.birth) {
        this.#logger.debug(`${dir.path} was replaced; watching the new one`);
        this.#startDir(dir);
      }
    })().finally(() => {
      dir.validating = undefined;
    });
    await dir.validating;
  }

  // --- chokidar -------------------------------------------------------------------------------

  #chokidar(dir: DirectoryWatch): FSWatcher {
    const fsw = createChokidar({
      usePolling: this.#forcePolling || (this.#usePolling ?? false),
      ...(this.#interval === undefined ? {} : { interval: this.#interval }),
      // Natively the directory's own fs.watch reports every change to its entries (raw events, by
      // name): one OS watch handle per directory, none per file. Polling stats each watched name.
      isRelevant: (path) => (fsw.options.usePolling ? this.#dirs.isRelevant(path) : this.#dirs.get(path) !== undefined),
      onEvent: (event, path) => this.#poke(this.#dirs.routeEvent(event, path)),
      onRaw: (path, details) => this.#poke(this.#dirs.routeRaw(path, details)),
      onError: (error) => this.#onError(dir, error),
    });
    return fsw;
  }

  #anyChokidar(): FSWatcher | undefined {
    for (const dir of this.#dirs.values()) if (dir.fsw) return dir.fsw;
    return undefined;
  }

  // The poll interval chokidar uses (CHOKIDAR_INTERVAL wins over the option), for a directory that is gone.
  #pollInterval(dir: DirectoryWatch): number {
    return (dir.fsw ?? this.#anyChokidar())?.options.interval ?? this.#interval ?? 100;
  }

  #poke(files: Iterable<WatchedFile>): void {
    if (this.#closed) return;
    for (const file of files) file.poke();
  }

  #onError(dir: DirectoryWatch, error: unknown): void {
    if (this.#closed) return;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    const text = code && !message.includes(code) ? `${code}: ${message}` : message;
    if (this.#fallback && this.state().mode === "native" && code !== undefined && RESOURCE_ERRORS.has(code)) {
      this.#error = `${text}; fell back to polling`;
      this.#logger.warn(`file watching failed (${text}); falling back to polling`);
      this.#forcePolling = true;
      // The whole process is out of watches or descriptors: every directory polls from now on.
      for (const each of this.#dirs.values())
        if (each.state === "watching" || each.state === "starting") this.#startDir(each);
      return;
    }
    this.#error = text;
    this.#logger.warn(`file watching failed (${text} on ${dir.path}); changes may be missed`);
  }
}
