import type { FSWatcher } from "chokidar";

// chokidar 5 has no public way to tell when a path added after `ready` is actually watched, nor does
// its close() clear its throttle timers (up to 1 s). Both are done here, through fields its own
// index.d.ts declares; this file is the only one that touches them, and chokidar is pinned.

/**
 * Tells whether chokidar has set up its fs watcher (or stat poller) for a path it was asked to watch.
 * @returns undefined when this chokidar build does not expose the information
 */
export function isWatching(fsw: FSWatcher, path: string): boolean | undefined {
  const closers = (fsw as Partial<Pick<FSWatcher, "_closers">>)._closers;
  return closers instanceof Map ? closers.has(path) : undefined;
}

/** Clears chokidar's pending throttle timers, so that nothing is left running after close(). */
export function clearThrottleTimers(fsw: FSWatcher): void {
  const throttled = (fsw as Partial<Pick<FSWatcher, "_throttled">>)._throttled;
  if (!(throttled instanceof Map)) return;
  for (const byPath of throttled.values()) {
    for (const throttler of (byPath as Map<string, { clear?: () => void }>).values()) throttler.clear?.();
  }
}
