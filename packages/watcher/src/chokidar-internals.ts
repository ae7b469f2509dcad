import { FSWatcher } from "chokidar";

/** The third argument of chokidar's `raw` event: `watchedPath` natively, `curr`/`prev` stats when polling. */
export interface RawEventDetails {
  watchedPath?: string;
  curr?: { ino: number; birthtimeMs: number; mtimeMs: number };
}

/** What the watcher needs from its chokidar instance. */
export interface ChokidarSetup {
  usePolling: boolean;
  interval?: number;
  isRelevant(path: string): boolean;
  onEvent(event: string, path: string): void;
  onRaw(path: string | null | undefined, details: RawEventDetails): void;
  onError(error: unknown): void;
}

/** Creates the one chokidar instance a ConfigWatcher uses, set up for watching directories of config files. */
export function createChokidar(setup: ChokidarSetup): FSWatcher {
  const fsw = new FSWatcher({
    persistent: true,
    ignoreInitial: true,
    // Only the directories' own entries: a config directory may hold a large tree.
    depth: 0,
    followSymlinks: true,
    // chokidar's atomic-save handling delays unlinks by 100 ms; the debounce and the hash do that job.
    atomic: false,
    // A file made unreadable (chmod 000) is the reload's error to report, not the watcher's.
    ignorePermissionErrors: true,
    usePolling: setup.usePolling,
    ...(setup.interval === undefined ? {} : { interval: setup.interval }),
    // No handle or poller for the rest of the directory, only for what concerns a watched file.
    ignored: (path: string) => !setup.isRelevant(path),
  });
  fsw.on("all", (event, path) => setup.onEvent(event, path));
  fsw.on("raw", (_event, path, details) => setup.onRaw(path, (details ?? {}) as RawEventDetails));
  // Always listened to: an 'error' without a listener would throw from inside chokidar.
  fsw.on("error", (error) => setup.onError(error));
  return fsw;
}

/** Closes a chokidar instance and everything it runs. */
export async function closeChokidar(fsw: FSWatcher): Promise<void> {
  clearThrottleTimers(fsw);
  const closing = fsw.close();
  // close() removed every listener; an fs.watch error arriving now must not become an unhandled 'error'.
  fsw.on("error", () => undefined);
  await closing;
  clearThrottleTimers(fsw);
}

// chokidar 5 has no public way to tell when a path added after `ready` is actually watched, and
// its close() leaves its throttle timers running (up to 1 s). Both are handled below through
// fields its own index.d.ts declares; this file is the only one that touches them (chokidar is pinned).

/**
 * Tells whether chokidar has set up its fs watcher (or stat poller) for a path it was asked to watch.
 * @returns true when it has, or when this chokidar build does not expose it (then assume so)
 */
export function isWatching(fsw: FSWatcher, path: string): boolean {
  const closers = (fsw as Partial<Pick<FSWatcher, "_closers">>)._closers;
  return closers instanceof Map ? closers.has(path) : true;
}

function clearThrottleTimers(fsw: FSWatcher): void {
  const throttled = (fsw as Partial<Pick<FSWatcher, "_throttled">>)._throttled;
  if (!(throttled instanceof Map)) return;
  for (const byPath of throttled.values()) {
    for (const throttler of (byPath as Map<string, { clear?: () => void }>).values()) throttler.clear?.();
  }
}
