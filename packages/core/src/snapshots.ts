import type { ConfigChangeReason } from "@aiq/config-events";
import { tryParseOverridePath } from "./override-path.js";
import { isSecretPath, REDACTED, type SecretKeyPattern } from "./redact.js";
import { applyPatch, type Patch, patchBetween } from "./patches.js";
import type { ConfigOverrides, ConfigSnapshot } from "./types.js";

/** What a snapshot is besides its config: when, why, with which overrides, from which bytes. */
export type SnapshotMeta = Omit<ConfigSnapshot<unknown>, "config">;

/** A kept version: its config and the source data it was resolved from (for a rollback). */
export interface SnapshotState<T> {
  meta: SnapshotMeta;
  config: Readonly<T>;
  /** The parsed source document's data (before overrides). */
  data: unknown;
}

interface OlderSnapshot {
  meta: SnapshotMeta;
  /** Turns the next newer snapshot's config into this one's. */
  configPatch: Patch;
  /** Turns the next newer snapshot's data into this one's. */
  dataPatch: Patch;
}

/**
 * Turns typed overrides into the string form snapshots and `configOverrides` show. With `secretKeys`
 * (snapshots, which are listed and printed), the value of an override at a secret path is `***`.
 */
export function overridesAsStrings(
  overrides: ConfigOverrides,
  secretKeys?: readonly SecretKeyPattern[],
): Readonly<Record<string, string>> {
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

/** The metadata of a new snapshot, with the overrides as (redacted) strings. */
export function createSnapshotMeta(input: {
  version: number;
  reason: ConfigChangeReason;
  overrides: ConfigOverrides;
  checksum: string;
  /** The store revision the document was read at, if any. */
  revision?: string | undefined;
  /** Extra secret keys or paths (the manager's `secretKeys`): their override values are listed as `***`. */
  secretKeys: readonly SecretKeyPattern[];
}): SnapshotMeta {
  return Object.freeze({
    version: input.version,
    timestamp: new Date(),
    reason: input.reason,
    overrides: overridesAsStrings(input.overrides, input.secretKeys),
    checksum: input.checksum,
    ...(input.revision === undefined ? {} : { revision: input.revision }),
  });
}

/**
 * The bounded history, newest first; index 0 is always the current config. Only the current
 * version is held whole: each older one is kept as the patch that turns its newer neighbour into
 * it (the old values at the changed paths, shared, never copied), and rebuilt when asked for. So
 * 100 versions of a large config that differ in one key cost about one config, not 100 copies of
 * the objects along the changed path.
 */
export class SnapshotStore<T> {
  #head: SnapshotState<T> | undefined;
  #older: OlderSnapshot[] = [];
  readonly #max: number;

  constructor(max: number) {
    this.#max = Math.max(1, Math.floor(max));
  }

  get length(): number {
    return this.#head === undefined ? 0 : 1 + this.#older.length;
  }

  /** Makes `state` the current snapshot; the previous one is kept as a patch. */
  push(state: SnapshotState<T>): void {
    const previous = this.#head;
    if (previous) this.#older.unshift(olderFrom(state, previous));
    this.#head = state;
    if (this.#older.length > this.#max - 1) this.#older.length = this.#max - 1;
  }

  /** The snapshot at `index` (0 = current), rebuilt from the patches. */
  at(index: number): SnapshotState<T> | undefined {
    if (!this.#head || !Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    let state = this.#head;
    for (let i = 0; i < index; i++) state = rebuild(state, this.#older[i] as OlderSnapshot);
    return state;
  }

  /** Drops the `steps` newest snapshots and the one they hid, and puts `state` in their place. */
  replaceFrom(steps: number, state: SnapshotState<T>): void {
    const next = this.at(steps + 1);
    this.#older = next ? [olderFrom(state, next), ...this.#older.slice(steps + 1)] : [];
    this.#head = state;
  }

  /** Keeps only the current snapshot. */
  clear(): void {
    this.#older = [];
  }

  list(): readonly ConfigSnapshot<T>[] {
    const out: ConfigSnapshot<T>[] = [];
    let state = this.#head;
    for (let i = 0; state; i++) {
      out.push(Object.freeze({ ...state.meta, config: state.config }));
      const older = this.#older[i];
      state = older ? rebuild(state, older) : undefined;
    }
    return Object.freeze(out);
  }
}

function olderFrom<T>(newer: SnapshotState<T>, older: SnapshotState<T>): OlderSnapshot {
  return {
    meta: older.meta,
    configPatch: patchBetween(newer.config, older.config),
    dataPatch: patchBetween(newer.data, older.data),
  };
}

function rebuild<T>(newer: SnapshotState<T>, older: OlderSnapshot): SnapshotState<T> {
  return {
    meta: older.meta,
    config: applyPatch(newer.config, older.configPatch),
    data: applyPatch(newer.data, older.dataPatch),
  };
}
