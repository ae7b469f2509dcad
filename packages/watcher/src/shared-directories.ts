import type { Logger } from "@aiq/config-core";
import { DirectoryWatchPool } from "./directory-watch-pool.js";
import { resolveWatchMode } from "./watch-mode.js";

/** How a leased pool watches; ConfigWatchers that agree on all of it share one. */
export interface WatchModeOptions {
  usePolling: boolean | undefined;
  interval: number | undefined;
  fallbackToPolling: boolean;
}

/** A ConfigWatcher's use of the process's shared DirectoryWatchPool. Internal. */
export interface PoolLease {
  readonly pool: DirectoryWatchPool;
  /** Gives it back; the last lease closes it and waits for everything it runs. Idempotent. */
  release(): Promise<void>;
}

interface Shared {
  pool: DirectoryWatchPool;
  leases: number;
  /** Each holder's logger (counted: several watchers may share one logger). */
  loggers: Map<Logger, number>;
  tasks: Set<Promise<void>>;
}

// One DirectoryWatchPool per watch mode and interval in the process: a thousand managers with
// autoReload watch each directory once, with one chokidar instance, not one per manager.
const shared = new Map<string, Shared>();

/**
 * Leases the process's DirectoryWatchPool for these options (created on first use): its warnings
 * and debug lines go to every holder's logger.
 */
export function leaseDirectoryWatchPool(options: WatchModeOptions, logger: Logger): PoolLease {
  const key = `${resolveWatchMode(options.usePolling)}:${options.interval ?? ""}:${options.fallbackToPolling}`;
  let entry = shared.get(key);
  if (!entry) {
    const loggers = new Map<Logger, number>();
    const tasks = new Set<Promise<void>>();
    const pool = new DirectoryWatchPool({
      ...options,
      logger: {
        debug: (message) => {
          for (const each of loggers.keys()) each.debug(message);
        },
        info: (message) => {
          for (const each of loggers.keys()) each.info(message);
        },
        warn: (message) => {
          for (const each of loggers.keys()) each.warn(message);
        },
        error: (message) => {
          for (const each of loggers.keys()) each.error(message);
        },
      },
      track: (task) => {
        tasks.add(task);
        const done = (): void => {
          tasks.delete(task);
        };
        task.then(done, done);
      },
    });
    entry = { pool, leases: 0, loggers, tasks };
    shared.set(key, entry);
  }
  const held = entry;
  held.leases++;
  held.loggers.set(logger, (held.loggers.get(logger) ?? 0) + 1);
  let released: Promise<void> | undefined;
  return {
    pool: held.pool,
    release() {
      released ??= (async () => {
        const count = (held.loggers.get(logger) ?? 1) - 1;
        if (count === 0) held.loggers.delete(logger);
        else held.loggers.set(logger, count);
        if (--held.leases > 0) return;
        shared.delete(key);
        await held.pool.close();
        while (held.tasks.size > 0) await Promise.allSettled([...held.tasks]);
      })();
      return released;
    },
  };
}
