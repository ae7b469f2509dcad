import * as path from "node:path";
import type { WatchState } from "@aiq/config-core";
import { ConfigEventType, type EventManager, type FileEvent, getEventManager } from "@aiq/config-events";

/** Options of {@link FakeWatcher}. */
export interface FakeWatcherOptions {
  /**
   * The bus the scripted file events are emitted on.
   * @default getEventManager()
   */
  events?: EventManager;
  /**
   * The watch mode `state()` reports.
   * @default "native"
   */
  mode?: WatchState["mode"];
  /**
   * Files watched from the start.
   * @default []
   */
  files?: readonly string[];
}

/**
 * A stand-in for `ConfigWatcher` whose file events a test emits by hand, synchronously, on the bus.
 *
 * It has the real watcher's shape (`addFile`, `removeFile`, `files`, `state()`, `close()`), so it
 * can be given to `manager.attachWatcher()` or to code that expects a watcher.
 * @example
 * const watcher = new FakeWatcher({ events: bus, files: [fixture.path("config.yml")] });
 * watcher.modify(fixture.path("config.yml"));
 */
export class FakeWatcher implements AsyncDisposable {
  readonly #events: EventManager;
  readonly #mode: WatchState["mode"];
  readonly #files = new Set<string>();
  #error: string | undefined;
  #closed = false;

  /**
   * Creates a fake watcher.
   * @param options - the bus, the mode to report and the first files
   */
  constructor(options: FakeWatcherOptions = {}) {
    this.#events = options.events ?? getEventManager();
    this.#mode = options.mode ?? "native";
    for (const file of options.files ?? []) this.#files.add(path.resolve(file));
  }

  /** The watched files (absolute), in the order they were added. */
  get files(): readonly string[] {
    return Object.freeze([...this.#files]);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Watches a file (it need not exist); adding it twice is a no-op.
   * @param file - a path, resolved against the working directory
   */
  addFile(file: string): void {
    this.#assertOpen("addFile");
    this.#files.add(path.resolve(file));
  }

  /**
   * Stops watching a file; a file not watched is ignored.
   * @param file - a path, resolved against the working directory
   */
  removeFile(file: string): void {
    this.#assertOpen("removeFile");
    this.#files.delete(path.resolve(file));
  }

  /**
   * The watch state, as `status.watch` shows it.
   * @returns `{ mode, degraded: false }`, or `degraded: true` with the error after `degrade()`
   */
  state(): WatchState {
    return this.#error === undefined
      ? { mode: this.#mode, degraded: false }
      : { mode: this.#mode, degraded: true, error: this.#error };
  }

  /**
   * Reports a watcher failure (as chokidar's `ENOSPC`/`EMFILE` would) until `recover()`.
   * @param error - the failure, or its message
   */
  degrade(error: Error | string): void {
    this.#assertOpen("degrade");
    this.#error = typeof error === "string" ? error : error.message;
  }

  /** Clears a `degrade()`, as a fallback to polling would. */
  recover(): void {
    this.#assertOpen("recover");
    this.#error = undefined;
  }

  /**
   * Emits FILE_MODIFIED for a watched file, synchronously.
   * @param file - a watched file
   * @param checksum - the sha-256 hex of the new content, if the test cares
   * @returns the event emitted
   */
  modify(file: string, checksum?: string): FileEvent {
    return this.#emit(ConfigEventType.FILE_MODIFIED, "modify", file, checksum);
  }

  /**
   * Emits FILE_CREATED for a watched file, synchronously.
   * @param file - a watched file
   * @param checksum - the sha-256 hex of its content, if the test cares
   * @returns the event emitted
   */
  create(file: string, checksum?: string): FileEvent {
    return this.#emit(ConfigEventType.FILE_CREATED, "create", file, checksum);
  }

  /**
   * Emits FILE_DELETED for a watched file, synchronously.
   * @param file - a watched file
   * @returns the event emitted
   */
  delete(file: string): FileEvent {
    return this.#emit(ConfigEventType.FILE_DELETED, "delete", file, undefined);
  }

  /** Stops the watcher: scripting afterwards throws; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#files.clear();
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #emit(type: FileEvent["type"], method: string, file: string, checksum: string | undefined): FileEvent {
    this.#assertOpen(method);
    const filePath = path.resolve(file);
    if (!this.#files.has(filePath)) {
      const watched = this.#files.size === 0 ? "none" : [...this.#files].join(", ");
      throw new Error(
        `FakeWatcher.${method}(${JSON.stringify(file)}): that file is not watched; call addFile() first (watched: ${watched}).`,
      );
    }
    const event: FileEvent = { type, filePath, timestamp: new Date() };
    if (checksum !== undefined) event.checksum = checksum;
    this.#events.emit(event);
    return event;
  }

  #assertOpen(method: string): void {
    if (this.#closed) throw new Error(`FakeWatcher.${method}(): the watcher is closed.`);
  }
}
