import type { ConfigChangeReason } from "@aiq/config-events";
import { tryParseOverridePath } from "./override-path.js";
import { isSecretPath, REDACTED, type SecretKeyPattern } from "./redact.js";
import type { ConfigOverrides, ConfigSnapshot, SourceDocument } from "./types.js";

/** A snapshot plus the source document it came from, kept so a rollback can re-resolve it. */
export interface SnapshotRecord<T> {
  snapshot: ConfigSnapshot<T>;
  document: SourceDocument;
}

/**
 * Turns typed overrides into the string form snapshots and `configOverrides` show. With `secretKeys`
 * (snapshots, which are listed and printed), the value of an override at a secret path is `***`.
 */
export function overridesAsStrings(overrides: ConfigOverrides, secretKeys?: readonly SecretKeyPattern[]): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(overrides)) {
    const shown = secretKeys !== undefined && isSecretOverride(key, secretKeys) ? REDACTED : String(value);
    Object.defineProperty(out, key, { value: shown, enumerable: true });
  }
  return Object.freeze(out);
}

function isSecretOverride(key: string, secretKeys: readonly SecretKeyPattern[]): boolean {
  const parsed = tryParseOverridePath(key);
  // A path that does not parse never reaches a snapshot; hide it anyway rather than guess.
  return !parsed.ok || isSecretPath(parsed.segments, secretKeys);
}

/** Builds a frozen snapshot record. */
export function createSnapshotRecord<T>(input: {
  version: number;
  reason: ConfigChangeReason;
  config: Readonly<T>;
  overrides: ConfigOverrides;
  document: SourceDocument;
  /** Extra secret keys or paths (the manager's `secretKeys`): their override values are listed as `***`. */
  secretKeys: readonly SecretKeyPattern[];
}): SnapshotRecord<T> {
  const snapshot: ConfigSnapshot<T> = Object.freeze({
    version: input.version,
    timestamp: new Date(),
    reason: input.reason,
    config: input.config,
    overrides: overridesAsStrings(input.overrides, input.secretKeys),
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

  clear(): void {
    this.#records.length = Math.min(this.#records.length, 1);
  }

  list(): readonly ConfigSnapshot<T>[] {
    return Object.freeze(this.#records.map((r) => r.snapshot));
  }
}
