import * as nodePath from "node:path";
import type { Logger } from "@aiq/config-core";
import { ConfigEventType, type FileEvent } from "@aiq/config-events";
import { type DebounceDelays, TrailingDebounce } from "./debounce.js";
import { type FileObservation, isTransient, sameObservation } from "./observe-file.js";
import type { FileLook } from "./types.js";

/** Why a file is looked at (see {@link FileLook}). */
export type CheckReason = FileLook["reason"];

/** What a watched file needs from its watcher. */
export interface FileWatcherHost {
  readonly debounce: DebounceDelays;
  readonly settleMs: number;
  readonly logger: Logger;
  isOpen(): boolean;
  /** Whether the file's directory is watched (or known to be gone): a look from now on is a baseline. */
  isEstablished(file: WatchedFile): boolean;
  /** Reads the file (once its directory is known to be the one watched). */
  lookAt(file: WatchedFile): Promise<FileObservation>;
  /** After every look: a symlinked file is also watched through its target. */
  followSymlink(file: WatchedFile, observation: FileObservation): void;
  /** Every look's outcome, as data. */
  looked(look: FileLook): void;
  emit(event: FileEvent): void;
  track(task: Promise<void>): void;
}

/**
 * One watched path and its state machine: debounce the raw events, read and hash, report a change
 * only when the content (or the real path) differs from what was reported last, and look once more
 * a little later so that a final write whose event was dropped is still seen. Internal.
 */
export class WatchedFile {
  readonly path: string;
  readonly dir: string;
  readonly name: string;

  readonly #host: FileWatcherHost;
  readonly #debounce: TrailingDebounce;
  readonly baseline: Promise<void>;
  #resolveBaseline!: () => void;
  #reported: FileObservation | undefined;
  #seen: { observation: FileObservation; at: number } | undefined;
  #recheck: NodeJS.Timeout | undefined;
  #running = false;
  #rerun: CheckReason | undefined;
  #pokes = 0;
  #disposed = false;

  constructor(path: string, host: FileWatcherHost) {
    this.path = path;
    this.dir = nodePath.dirname(path);
    this.name = nodePath.basename(path);
    this.#host = host;
    this.#debounce = new TrailingDebounce(host.debounce, (forced) => this.run(forced ? "busy" : "event"));
    this.baseline = new Promise<void>((resolve) => {
      this.#resolveBaseline = resolve;
    });
  }

  /** A file event concerns this file: (re)start the debounce; a pending second look is superseded. */
  poke(): void {
    if (this.#disposed) return;
    this.#pokes++;
    this.#clearRecheck();
    this.#debounce.poke();
  }

  /** Looks at the file now (or right after the running look). */
  run(reason: CheckReason): void {
    if (this.#disposed || !this.#host.isOpen()) return;
    if (this.#running) {
      // A pending "recheck" must not downgrade a reason that reports at once.
      if (this.#rerun === undefined || this.#rerun === "recheck") this.#rerun = reason;
      return;
    }
    this.#running = true;
    const task = this.#check(reason)
      .catch((error: unknown) => {
        this.#host.logger.warn(
          `checking ${this.path} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        this.#running = false;
        const next = this.#rerun;
        this.#rerun = undefined;
        if (next !== undefined) this.run(next);
      });
    this.#host.track(task);
  }

  /** Stops every timer; the file reports nothing more. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    this.#debounce.cancel();
    this.#clearRecheck();
    this.#resolveBaseline();
  }

  async #check(reason: CheckReason): Promise<void> {
    const pokes = this.#pokes;
    const established = this.#host.isEstablished(this);
    const observation = await this.#host.lookAt(this);
    if (this.#disposed || !this.#host.isOpen()) return;
    this.#host.followSymlink(this, observation);
    const looked = (outcome: FileLook["outcome"], event?: FileEvent): void => {
      const checksum = observation.kind === "file" ? observation.checksum : undefined;
      this.#host.looked({ path: this.path, reason, outcome, checksum, event });
    };
    const now = performance.now();
    if (!this.#seen || !sameObservation(this.#seen.observation, observation)) this.#seen = { observation, at: now };

    // ready() waits for a look taken while the directory was watched: a save after it has an event.
    if (established) this.#resolveBaseline();
    const reported = this.#reported;
    if (reported === undefined) {
      // The first look is the baseline: what was there when watching started is not a change.
      this.#reported = observation;
      this.#host.logger.debug(`watching ${this.path} (${describe(observation)})`);
      looked("baseline");
      return;
    }
    if (pokes !== this.#pokes && reason !== "busy") {
      // A new event arrived while reading: the file is still being written; its debounce looks
      // again. (Unless it is written without pause: then what was read is reported.)
      looked("superseded");
      return;
    }
    if (sameObservation(observation, reported)) {
      this.#host.logger.debug(`${this.path}: unchanged (${reason})`);
      looked("unchanged");
      // One second look after an event: chokidar drops a change within 50 ms of the previous one.
      if (reason !== "recheck") this.#scheduleRecheck(this.#host.settleMs);
      return;
    }
    const heldFor = now - this.#seen.at;
    if (isTransient(observation) && heldFor < this.#host.settleMs) {
      // Missing or empty may be the middle of a save (vim, JetBrains, truncate-then-write): report it
      // only if it is still so after the settle time.
      this.#host.logger.debug(`${this.path}: ${describe(observation)}, not settled; looking again`);
      looked("unsettled");
      this.#scheduleRecheck(this.#host.settleMs - heldFor);
      return;
    }
    this.#reported = observation;
    const event: FileEvent = { type: eventType(reported, observation), filePath: this.path, timestamp: new Date() };
    if (observation.kind === "file") event.checksum = observation.checksum;
    this.#host.logger.debug(`${this.path}: ${event.type} (${describe(observation)}, ${reason})`);
    looked("reported", event);
    this.#host.emit(event);
    this.#scheduleRecheck(this.#host.settleMs);
  }

  #scheduleRecheck(delayMs: number): void {
    // A pending debounce looks anyway; no second timer.
    if (this.#disposed || this.#debounce.pending) return;
    this.#clearRecheck();
    this.#recheck = setTimeout(
      () => {
        this.#recheck = undefined;
        this.run("recheck");
      },
      Math.max(1, delayMs),
    );
  }

  #clearRecheck(): void {
    clearTimeout(this.#recheck);
    this.#recheck = undefined;
  }
}

function eventType(before: FileObservation, after: FileObservation): FileEvent["type"] {
  if (after.kind === "missing") return ConfigEventType.FILE_DELETED;
  if (before.kind === "missing") return ConfigEventType.FILE_CREATED;
  return ConfigEventType.FILE_MODIFIED;
}

function describe(observation: FileObservation): string {
  switch (observation.kind) {
    case "missing":
      return "missing";
    case "unreadable":
      return `unreadable: ${observation.code}`;
    default:
      return `${observation.size} bytes, sha-256 ${observation.checksum.slice(0, 12)}`;
  }
}
