import * as nodePath from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import {
  type AttachedWatcher,
  type ConfigSource,
  createConsoleLogger,
  diffConfigs,
  isConfigError,
  type Logger,
  type ReloadOptions,
  ReloadLoop,
  type SourceDocument,
} from "@aiq/config-core";
import { type AiqConfigEvent, ConfigEventType, type EventManager, type FileEvent } from "@aiq/config-events";
import { ConfigWatcher, DEFAULT_DEBOUNCE_MS, MIN_SETTLE_MS } from "./config-watcher.js";
import { type FileChecksums, ReportedContent, sameChecksums } from "./reported-content.js";
import type { ConfigWatcherOptions, FileWatcher } from "./types.js";

/** What `autoReload` needs of a manager; a `ConfigManager` has it all. */
export interface ReloadableManager {
  /** The bus the manager emits on; the watcher's file events are expected there too. */
  readonly events: EventManager;
  /** The source whose `files` are watched (re-read after every reload: `base:` chains change). */
  readonly source: ConfigSource;
  /** The config now current, compared with a fresh read once the watcher is ready. */
  readonly currentConfig: unknown;
  reloadConfig(options?: ReloadOptions): Promise<unknown>;
  /**
   * The kept snapshots, newest first (`[0]` is current): its checksum lets the catch-up once watching
   * skip re-reading a single file the watcher found unchanged. Without it every file is read again.
   */
  getSnapshots?(): readonly { readonly checksum: string }[];
  attachWatcher(watcher: AttachedWatcher): () => void;
}

/** Options of {@link autoReload}. */
export interface AutoReloadOptions
  extends Pick<
    ConfigWatcherOptions,
    "debounceMs" | "burstDebounceMs" | "usePolling" | "interval" | "fallbackToPolling" | "onLook"
  > {
  /**
   * The watcher to use: a `ConfigWatcher` or a stand-in such as the testing package's `FakeWatcher`.
   * It must emit on the manager's bus. autoReload owns it from then on: `stop()` closes it.
   * @default a new `ConfigWatcher` on `manager.events` with the other options
   */
  watcher?: FileWatcher | undefined;
  /**
   * Where log lines go.
   * @default warnings on stderr; every step with `AIQ_CONFIG_LOG=debug`
   */
  logger?: Logger | undefined;
}

/** A running {@link autoReload}. */
export interface AutoReloadHandle extends AsyncDisposable {
  /** The watcher in use. */
  readonly watcher: FileWatcher;
  /** The files being watched (absolute), as of the last reload. */
  readonly files: readonly string[];
  /**
   * The reloads running now (and the one queued behind them, and the second look after a read that
   * found the file empty or missing); resolves at once when idle. Never rejects.
   * @returns a promise of the current reload chain
   */
  readonly done: Promise<void>;
  /**
   * Resolves once the watcher watches every file (so a save from then on is reloaded) and a save
   * made before that, since the manager's last read, has been caught up with.
   * @returns a promise that never rejects
   */
  ready(): Promise<void>;
  /**
   * Stops watching and reloading: waits for a running reload, closes the watcher, detaches it from
   * the manager. Idempotent; `manager.close()` calls it too.
   * @returns a promise that resolves when everything is released
   */
  stop(): Promise<void>;
}

// A reload that read a file in the middle of a save (truncated and not yet written: EMPTY; renamed
// away and not yet back: ENOENT; written while it was read: READ_FAILED) is refused, and so is one
// that read other bytes than the watcher reported (SUPERSEDED: the next save had begun). The watcher
// may never report the save that completes it (an identical rewrite holds what it reported already),
// so the file is looked at again (read and parsed, nothing validated or changed) a settle time apart,
// up to this many times: it is reloaded once a look agrees with the watcher or finds the same bytes
// as the look before.
const TRANSIENT_CODES: ReadonlySet<string> = new Set(["EMPTY", "ENOENT", "READ_FAILED", "SUPERSEDED"]);
const TRANSIENT_LOOKS = 5;
// After SUPERSEDED the file is changing under a writer that may never pause long enough for the
// watcher's burst debounce: it is looked at every QUIET_MS (the watcher's own quiet debounce), and
// reloaded once two looks that far apart find the same bytes, as the watcher would report it.
const QUIET_MS = DEFAULT_DEBOUNCE_MS;
const QUIET_LOOKS = 40;

const FILE_EVENT_TYPES: ReadonlySet<string> = new Set([
  ConfigEventType.FILE_MODIFIED,
  ConfigEventType.FILE_CREATED,
  ConfigEventType.FILE_DELETED,
]);

/**
 * Reloads a manager whenever one of its source's files changes: one reload at a time, and if files
 * change during a reload exactly one more runs after it, so the latest content always wins and a
 * burst never queues a reload per save. A failed reload keeps the last good config; the manager
 * reports it (`status.lastError`, CONFIG_RELOAD_FAILED) and watching goes on.
 * @param manager - the manager to reload (its `source.files` are watched)
 * @param options - a watcher to use, or the options of the `ConfigWatcher` to create
 * @returns a handle to stop it; `manager.close()` stops it too
 * @example
 * const manager = await createConfigManager("config.yml");
 * const reloading = autoReload(manager);
 * manager.subscribe("llms", (config) => rebuildClients(config.llms));
 * // ... later: await manager.close(); // stops reloading too
 */
export function autoReload(manager: ReloadableManager, options: AutoReloadOptions = {}): AutoReloadHandle {
  const logger = options.logger ?? createConsoleLogger();
  // The checksum each watched file had at the watcher's last look, until the catch-up is done.
  let lastLooks: Map<string, string | undefined> | undefined = new Map();
  const watcher: FileWatcher =
    options.watcher ??
    new ConfigWatcher({
      events: manager.events,
      logger,
      debounceMs: options.debounceMs,
      burstDebounceMs: options.burstDebounceMs,
      usePolling: options.usePolling,
      interval: options.interval,
      fallbackToPolling: options.fallbackToPolling,
      onLook: (look) => {
        lastLooks?.set(look.path, look.checksum);
        options.onLook?.(look);
      },
    });
  const watched = new Set<string>();
  let stopping: Promise<void> | undefined;

  const syncFiles = (): void => {
    const next = new Set((manager.source.files ?? []).map((file) => nodePath.resolve(file)));
    for (const file of watched) {
      if (next.has(file)) continue;
      watched.delete(file);
      watcher.removeFile(file);
    }
    for (const file of next) {
      if (watched.has(file)) continue;
      watched.add(file);
      watcher.addFile(file);
    }
  };

  // What the watcher saw settle: a reload publishes only a read that agrees with it.
  const reported = new ReportedContent();

  const looks = new AbortController();
  let lookingAgain: Promise<void> | undefined;
  const lookAgain = (superseded: boolean): void => {
    if (stopping || lookingAgain) return;
    const reportsBefore = reported.reports;
    const [every, looksAtMost] = superseded
      ? [QUIET_MS, QUIET_LOOKS]
      : [watcher.settleMs ?? MIN_SETTLE_MS, TRANSIENT_LOOKS];
    lookingAgain = (async () => {
      let before: FileChecksums | undefined;
      for (let look = 1; look <= looksAtMost; look++) {
        await delay(every, undefined, { signal: looks.signal });
        // The watcher reported since: that report's reload reads the newer content (a file that keeps
        // changing is looked at on, in case no read ever agrees with a report).
        if (!superseded && reported.reports !== reportsBefore) return;
        // A look reads and parses, and stops there (its own `accept` refuses): it validates nothing.
        let read: FileChecksums | undefined;
        let readable = false;
        const keepChecksums = (document: SourceDocument): boolean => {
          read = document.fileChecksums;
          readable = true;
          return false;
        };
        try {
          await manager.reloadConfig({ validateOnly: true, accept: keepChecksums });
        } catch (error) {
          if (isConfigError(error) && error.code === "CLOSED") return;
          if (!readable && isConfigError(error) && TRANSIENT_CODES.has(error.code)) {
            before = undefined;
            continue;
          }
        }
        // Readable now (valid or not), and settled: what the watcher reported, or unchanged for the
        // settle time. A real reload publishes it or records why not.
        const settled = read === undefined || reported.agrees({ fileChecksums: read });
        if (!settled && !(before !== undefined && read !== undefined && sameChecksums(before, read))) {
          before = read;
          continue;
        }
        if (read !== undefined) reported.adopt(read);
        logger.debug(`${manager.source.id}: readable again (look ${look} after a save in progress); reloading`);
        loop.request();
        return;
      }
      logger.debug(
        `${manager.source.id}: still changing or unreadable after ${looksAtMost} looks; waiting for the watcher`,
      );
    })()
      .catch(() => undefined) // aborted by stop()
      .finally(() => {
        lookingAgain = undefined;
      });
  };

  const reloadOnce = async (): Promise<void> => {
    try {
      await manager.reloadConfig({ accept: (document) => reported.agrees(document) });
    } catch (error) {
      // The manager already recorded it (status.lastError, CONFIG_RELOAD_FAILED) and kept the last good config.
      if (isConfigError(error) && error.code === "CLOSED") return;
      const code = isConfigError(error) ? error.code : "error";
      if (TRANSIENT_CODES.has(code)) {
        logger.debug(`auto-reload of ${manager.source.id} met a save in progress (${code}); looking again`);
        lookAgain(code === "SUPERSEDED");
      } else logger.debug(`auto-reload of ${manager.source.id} refused (${code}); waiting for the next save`);
    }
    if (stopping) return;
    try {
      syncFiles();
    } catch (error) {
      logger.warn(
        `updating the watched files of ${manager.source.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  // One reload at a time; saves during a reload make exactly one more, which reads the latest content.
  const loop = new ReloadLoop(reloadOnce);
  const requestReload = (): void => loop.request();

  // The manager read the files before the watcher started: a save in between has no event. Once
  // watching, reload if the file differs: a single file the watcher hashed when it looked at it
  // (while watching) with the bytes the current config came from is unchanged; otherwise read once
  // more (validate only: changes nothing) and compare the configs.
  const unchangedSinceRead = (): boolean => {
    const files = [...watched];
    if (files.length !== 1) return false;
    const looked = lastLooks?.get(files[0] as string);
    return looked !== undefined && looked === manager.getSnapshots?.()[0]?.checksum;
  };
  const catchUp = async (): Promise<void> => {
    await watcher.ready?.();
    const unchanged = unchangedSinceRead();
    lastLooks = undefined;
    if (stopping || !watcher.ready || unchanged) return;
    try {
      const candidate = await manager.reloadConfig({ validateOnly: true });
      if (diffConfigs(manager.currentConfig, candidate).length === 0) return;
      logger.debug(`${manager.source.id} changed before watching started; reloading`);
    } catch (error) {
      if (isConfigError(error) && error.code === "CLOSED") return;
      // Unreadable or invalid now: a real reload records why (status.lastError, status.missing).
    }
    requestReload();
  };

  const onFileEvent = (event: AiqConfigEvent): void => {
    if (!FILE_EVENT_TYPES.has(event.type) || !watched.has((event as FileEvent).filePath)) return;
    reported.record(event as FileEvent);
    requestReload();
  };

  let unregister = (): void => undefined;
  let detach = (): void => undefined;
  let caughtUp: Promise<void> | undefined;

  const handle: AutoReloadHandle = {
    watcher,
    get files() {
      return Object.freeze([...watched]);
    },
    get done() {
      return (async () => {
        await caughtUp;
        await loop.idle();
        // A look after a transient read may request one more reload.
        while (lookingAgain) {
          await lookingAgain;
          await loop.idle();
        }
      })();
    },
    async ready() {
      await caughtUp;
    },
    stop() {
      stopping ??= (async () => {
        const reloadsDone = loop.stop(); // no reload starts from now on
        looks.abort();
        unregister();
        detach();
        await watcher.close();
        await caughtUp;
        await lookingAgain;
        await reloadsDone;
      })();
      return stopping;
    },
    [Symbol.asyncDispose]() {
      return handle.stop();
    },
  };

  try {
    // First: a closed manager refuses, before anything is watched.
    detach = manager.attachWatcher({ state: () => watcher.state(), close: () => handle.stop() });
    syncFiles();
  } catch (error) {
    detach();
    watcher.close().catch(() => undefined);
    throw error;
  }
  if (watched.size === 0) logger.warn(`${manager.source.id} lists no files to watch; autoReload will not reload it`);
  unregister = manager.events.registerHandler(onFileEvent);
  caughtUp = catchUp().catch((error: unknown) => logger.warn(`auto-reload of ${manager.source.id}: ${String(error)}`));
  return handle;
}
