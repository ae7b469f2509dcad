import { type ConfigErrorCode, ConfigReloadError, type ConfigSource, type SourceDocument } from "@aiq/config-core";
import { checksumOf } from "./stable-json.js";

/** Options of {@link MemorySource}. */
export interface MemorySourceOptions {
  /**
   * The source id the manager reports (`status.sourceId`, events).
   * @default "memory"
   */
  id?: string;
  /**
   * Files a watcher should watch for this source (`source.files`), e.g. fixture paths driven by a `FakeWatcher`.
   * @default undefined (nothing to watch)
   */
  files?: readonly string[];
}

// What a read returns, decided when the read starts.
type Outcome = { kind: "data"; data: unknown; checksum: string } | { kind: "error"; error: Error };

interface Gate {
  promise: Promise<void>;
  open: () => void;
  opened: boolean;
}

/**
 * A {@link ConfigSource} held in memory whose reads a test scripts: new data, failures, partial documents, hung reads.
 *
 * A read returns what the source held when the read started, even if it is held by `hang()` and
 * released later: that is how a test makes an old read finish after a newer one.
 * @example
 * const source = new MemorySource({ llms: {} });
 * const manager = await ConfigManager.create({ source, events: createEventManager() });
 * source.set({ llms: { main: { _type: "openai" } } });
 * await manager.reloadConfig();
 */
export class MemorySource implements ConfigSource {
  /** The source id, `"memory"` unless given. */
  readonly id: string;
  /** The files to watch for this source, when given. */
  readonly files?: readonly string[];
  #current: Outcome;
  #partial: Outcome | undefined;
  #gate: Gate | undefined;
  #reads = 0;
  #pending = 0;

  /**
   * Creates a source that returns `data` until told otherwise.
   * @param data - the document every read returns; copied (it must be structured-clonable)
   * @param options - the source id and its files
   */
  constructor(data: unknown = {}, options: MemorySourceOptions = {}) {
    this.id = options.id ?? "memory";
    if (options.files !== undefined) this.files = Object.freeze([...options.files]);
    this.#current = toData(data);
  }

  /** How many times `read()` was called. */
  get reads(): number {
    return this.#reads;
  }

  /** How many reads have started and not yet settled (e.g. held by `hang()`). */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Makes the next reads return `data` (and clears a `fail()`); its checksum is the sha-256 of its sorted-key JSON.
   * @param data - the new document; copied
   */
  set(data: unknown): void {
    this.#current = toData(data);
  }

  /**
   * Makes the next reads throw `error` until `set()` is called again.
   * @param error - the error to throw, or a code such as `"ENOENT"` for a `ConfigReloadError` with that code
   * @example source.fail("EACCES");
   */
  fail(error: Error | ConfigErrorCode): void {
    const thrown =
      typeof error === "string"
        ? new ConfigReloadError(error, `MemorySource "${this.id}": simulated ${error} failure.`, { sourceId: this.id })
        : error;
    this.#current = { kind: "error", error: thrown };
  }

  /**
   * Makes the next read (only) return `data`, e.g. a truncated document, then go back to the current one.
   * @param data - the document of that one read; copied
   */
  partial(data: unknown): void {
    this.#partial = toData(data);
  }

  /**
   * Holds every read that starts from now on until the returned function is called.
   * @returns `release()`, which lets the reads held by this call finish (idempotent)
   * @example
   * const release = source.hang();
   * const reload = manager.reloadConfig();
   * source.set(newer); // the held read still returns what it saw when it started
   * release();
   */
  hang(): () => void {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gate: Gate = { promise, opened: false, open: () => undefined };
    gate.open = () => {
      if (gate.opened) return;
      gate.opened = true;
      if (this.#gate === gate) this.#gate = undefined;
      open();
    };
    this.#gate = gate;
    return gate.open;
  }

  /**
   * Reads the document: the scripted data, error or partial document.
   * @param signal - aborts the read (also while it is held); it then rejects with code `ABORTED`
   * @returns a fresh copy of the data and its checksum
   */
  async read(signal?: AbortSignal): Promise<SourceDocument> {
    this.#reads++;
    const outcome = this.#partial ?? this.#current;
    this.#partial = undefined;
    const gate = this.#gate;
    this.#pending++;
    try {
      this.#throwIfAborted(signal);
      // Always async, like real I/O: a caller never gets its result in the same tick.
      await (gate ? waitOrAbort(gate.promise, signal, () => this.#abortError()) : Promise.resolve());
      this.#throwIfAborted(signal);
      if (outcome.kind === "error") throw outcome.error;
      return { data: structuredClone(outcome.data), checksum: outcome.checksum };
    } finally {
      this.#pending--;
    }
  }

  #throwIfAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw this.#abortError();
  }

  #abortError(): ConfigReloadError {
    return new ConfigReloadError("ABORTED", `MemorySource "${this.id}": the read was aborted.`, { sourceId: this.id });
  }
}

function toData(data: unknown): Outcome {
  return { kind: "data", data: structuredClone(data), checksum: checksumOf(data) };
}

function waitOrAbort(promise: Promise<void>, signal: AbortSignal | undefined, abortError: () => Error): Promise<void> {
  if (!signal) return promise;
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
