import type { Logger, WatchState } from "@aiq/config-core";
import type { EventManager, FileEvent } from "@aiq/config-events";

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
  /**
   * Told every look at a watched file and what came of it: the watcher's decisions as data (what
   * the debug log says in words), for diagnostics and for tests that wait for a quiet point or
   * check how a change was seen.
   */
  onLook?: ((look: FileLook) => void) | undefined;
}

/** One look at a watched file and what came of it (see `ConfigWatcherOptions.onLook`). */
export interface FileLook {
  /** The watched path (absolute). */
  path: string;
  /**
   * Why it was looked at: `event` after the debounce of a file event, `busy` when the debounce's
   * max wait ran out (the file is written without pause), `recheck` a timed second look (a write
   * whose events were dropped, a transient state that must hold), `sync` after its directory
   * started (or restarted) being watched.
   */
  reason: "event" | "busy" | "recheck" | "sync";
  /**
   * `baseline`: the first look (what was there is the starting point, not a change); `unchanged`:
   * what was reported last; `unsettled`: missing, empty or cut off mid line, looked at again once
   * it held for the settle time; `reported`: a change, emitted as `event`; `superseded`: a file
   * event came during the read, and the look after its debounce decides.
   */
  outcome: "baseline" | "unchanged" | "unsettled" | "reported" | "superseded";
  /** The sha-256 of the content read, when a file was read. */
  checksum?: string | undefined;
  /** The event emitted, for `reported`. */
  event?: FileEvent | undefined;
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
