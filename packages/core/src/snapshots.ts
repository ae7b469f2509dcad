import type { ConfigChangeReason } from "@aiq/config-events";
import type { ConfigOverrides, ConfigSnapshot, SourceDocument } from "./types.js";

/** A snapshot plus the source document it came from, kept so a rollback can re-resolve it. */
export interface SnapshotRecord<T> {
  snapshot: ConfigSnapshot<T>;
  document: SourceDocument;
}

/** Turns typed overrides into the string form snapshots and `configOverrides` show. */
export function overridesAsStrings(overrides: ConfigOverrides): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(overrides)) {
    Object.defineProperty(out, key, { value: String(value), enumerable: true });
  }
  return Object.freeze(out);
}

/** Builds a frozen snapshot record. */
export function createSnapshotRecord<T>(input: {
  version: number;
  reason: ConfigChangeReason;
  config: Readonly<T>;
  overrides: ConfigOverrides;
  document: SourceDocument;
}): SnapshotRecord<T> {
  const snapshot: ConfigSnapshot<T> = Object.freeze({
    version: input.version,
    timestamp: new Date(),
    reason: input.reason,
    config: input.config,
    overrides: overridesAsStrings(input.overrides),
    checksum: input.document.checksum,
  });
  return { snapshot, document: input.document };
}

/** The bounded history, newest first; index 0 is always the current config. */
export class SnapshotStore<T> {
  #records: SnapshotRecord<T>[] = [];
  readonly #max: number;

  constructor(max: number) {
    this.#max = Math.max(1, Math.floor(max));
  }

  get current(): SnapshotRecord<T> {
    const current = this.#records[0];
    if (!current) throw new Error("aiq-config: no current snapshot (the manager was not created)");
    return current;
  }

  get length(): number {
    return this.#records.length;
  }

  at(index: number): SnapshotRecord<T> | undefined {
    return this.#records[index];
  }

  push(record: SnapshotRecord<T>): void {
    this.#records.unshift(record);
    if (this.#records.length > this.#max) this.#records.length = this.#max;
  }

  /** Drops the `steps` newest records and puts `record` in place of the one they hid. */
  replaceFrom(steps: number, record: SnapshotRecord<T>): void {
    this.#records = [record, ...this.#records.slice(steps + 1)];
  }

  /** Replaces the current record (same version) with a newer source document. */
  replaceCurrent(record: SnapshotRecord<T>): void {
    this.#records[0] = record;
  }

  clear(): void {
    this.#records.length = Math.min(this.#records.length, 1);
  }

  list(): readonly ConfigSnapshot<T>[] {
    return Object.freeze(this.#records.map((r) => r.snapshot));
  }
}
