import type { Logger, WatchState } from "@aiq/config-core";
import type { EventManager } from "@aiq/config-events";

/** Options of `new ConfigWatcher()`. */
export interface ConfigWatcherOptions {
  /**
   * The bus the file events are emitted on.
   * @default getEventManager()
   */
  events?: EventManager | undefined;
  /**
   * How long a file must be quiet after its last file event before it is read, in milliseconds
   * (trailing debounce: every event restarts it), when it was not read in the last 100 ms: the
   * first save after a quiet time reaches the program this fast.
   * @default DEFAULT_DEBOUNCE_MS (5; see the README for the measurement)
   */
  debounceMs?: number | undefined;
  /**
   * The debounce while saves keep coming: an event less than 100 ms (or twice the burst debounce)
   * after the file was last read waits this long for quiet, so the rest of a burst is read once,
   * at its end.
   * @default max(DEFAULT_BURST_DEBOUNCE_MS (30), debounceMs)
   */
  burstDebounceMs?: number | undefined;
  /**
   * Poll with `fs.watchFile` instead of native events (network and container file systems).
   * `CHOKIDAR_USEPOLLING` in the environment wins over this option, as in chokidar.
   * @default false
   */
  usePolling?: boolean | undefined;
  /**
   * The poll interval in polling mode, in milliseconds (`CHOKIDAR_INTERVAL` wins, as in chokidar).
   * @default 100
   */
  interval?: number | undefined;
  /**
   * When native watching fails for lack of resources (`ENOSPC`: inotify watches used up, `EMFILE`,
   * `ENFILE`), switch to polling. `state()` stays `degraded` either way.
   * @default true
   */
  fallbackToPolling?: boolean | undefined;
  /**
   * Where log lines go (`debug`: each file event and decision; `warn`: watcher errors).
   * @default warnings on stderr; every step with `AIQ_CONFIG_LOG=debug`
   */
  logger?: Logger | undefined;
}

/**
 * What `autoReload` needs from a watcher: `ConfigWatcher`, or a stand-in such as the testing
 * package's `FakeWatcher`. It must emit the file events of its files on the manager's bus.
 */
export interface FileWatcher {
  addFile(path: string): void;
  removeFile(path: string): void;
  state(): WatchState;
  close(): Promise<void>;
  /** Resolves once every file added so far is being watched, where the watcher can tell. */
  ready?(): Promise<void>;
  /**
   * How long a transient state (missing, empty, cut off mid line) must hold before the watcher
   * reports it, in ms; `autoReload` reads again this long after a reload met a save in progress
   * (`EMPTY`, `ENOENT`, `READ_FAILED`).
   * @default 100
   */
  readonly settleMs?: number;
}
