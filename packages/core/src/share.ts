import { formatOverridePath } from "./overrides.js";
import { hideSecretsFromInspect, type SecretKeyPattern } from "./redact.js";
import { defineOwn, isTreeNode } from "./tree.js";

type Path = readonly (string | number)[];
type Key = string | number;

/** How a reload hands the event loop back while it walks a large document (see {@link shareInSlices}). */
export type Pause = () => Promise<void>;

// The walks in slices take the subtrees this deep (e.g. `llms.main_llm`) one at a time.
const SLICE_DEPTH = 2;

/** Subtrees shared ahead (by shareInSlices), by their first two path segments. */
type SharedSubtrees = Map<Key, Map<Key, { prev: unknown; next: unknown; value: unknown; changed: Path[] }>>;

const isContainer = isTreeNode;

/**
 * Returns `next` with every subtree that deep-equals the one at the same place in `prev` replaced by
 * `prev`'s (so unchanged parts of successive configs are one object, shared by all snapshots), and
 * records the paths that differ. Returns `prev` itself when the two are deep-equal.
 */
export function shareStructure(
  prev: unknown,
  next: unknown,
  changed: Path[] = [],
  path: Path = [],
  done?: SharedSubtrees,
): unknown {
  if (Object.is(prev, next)) return prev;
  if (done !== undefined && path.length === SLICE_DEPTH) {
    const entry = done.get(path[0] as string | number)?.get(path[1] as string | number);
    if (entry !== undefined && entry.prev === prev && entry.next === next) {
      changed.push(...entry.changed);
      return entry.value;
    }
  }
  const below = path.length < SLICE_DEPTH ? done : undefined;
  if (!isContainer(prev) || !isContainer(next) || Array.isArray(prev) !== Array.isArray(next)) {
    changed.push(path);
    return next;
  }
  if (Array.isArray(prev) && Array.isArray(next)) {
    if (prev.length !== next.length) {
      // An array that changed length is reported as a whole: index paths would shift meaninglessly.
      changed.push(path);
      return next.map((item, i) => (i < prev.length ? shareStructure(prev[i], item, [], [...path, i]) : item));
    }
    const before = changed.length;
    const items = next.map((item, i) => shareStructure(prev[i], item, changed, [...path, i], below));
    return changed.length === before ? prev : items;
  }
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const before = changed.length;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(n)) {
    const value = Object.hasOwn(p, key) ? shareStructure(p[key], n[key], changed, [...path, key], below) : n[key];
    if (!Object.hasOwn(p, key)) changed.push([...path, key]);
    defineOwn(out, key, value);
  }
  for (const key of Object.keys(p)) if (!Object.hasOwn(n, key)) changed.push([...path, key]);
  if (changed.length === before && Object.keys(p).length === Object.keys(n).length) return prev;
  return out;
}

/**
 * {@link shareStructure} with the same result, for a large document: the subtrees two levels down
 * are shared first, one at a time, with `pause` awaited between them; then the top levels, reusing them.
 */
export async function shareInSlices(
  prev: unknown,
  next: unknown,
  pause: Pause,
  changed: Path[] = [],
): Promise<unknown> {
  const done: SharedSubtrees = new Map();
  for (const [k1, p1, n1] of pairsBelow(prev, next)) {
    const row = new Map<Key, { prev: unknown; next: unknown; value: unknown; changed: Path[] }>();
    done.set(k1, row);
    for (const [k2, p2, n2] of pairsBelow(p1, n1)) {
      const own: Path[] = [];
      row.set(k2, { prev: p2, next: n2, value: shareStructure(p2, n2, own, [k1, k2]), changed: own });
      await pause();
    }
  }
  return shareStructure(prev, next, changed, [], done);
}

/**
 * {@link deepFreeze} with the same result, for a large document: the subtrees two levels down are
 * frozen first, one at a time, with `pause` awaited between them; then the rest.
 */
export async function deepFreezeInSlices<T>(
  value: T,
  secretKeys: readonly SecretKeyPattern[],
  pause: Pause,
): Promise<T> {
  if (!isContainer(value) || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) {
    if (!isContainer(child) || Object.isFrozen(child)) continue;
    for (const grandchild of Object.values(child)) {
      deepFreeze(grandchild, secretKeys);
      await pause();
    }
  }
  return deepFreeze(value, secretKeys);
}

// The children two containers both have, keyed as shareStructure's paths are (an index for a list).
function* pairsBelow(prev: unknown, next: unknown): Generator<[Key, unknown, unknown]> {
  if (!isContainer(prev) || !isContainer(next) || Array.isArray(prev) !== Array.isArray(next)) return;
  const list = Array.isArray(next);
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  for (const key of Object.keys(n)) {
    if (!Object.hasOwn(p, key) || !isContainer(p[key]) || !isContainer(n[key])) continue;
    yield [list ? Number(key) : key, p[key], n[key]];
  }
}

/**
 * Freezes a value and everything under it. Already-frozen subtrees are skipped: they were frozen
 * whole when they were first shared, which keeps a reload's freeze proportional to what changed.
 */
export function deepFreeze<T>(value: T, secretKeys: readonly SecretKeyPattern[] = []): T {
  if (!isContainer(value) || Object.isFrozen(value)) return value;
  hideSecretsFromInspect(value, secretKeys);
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child, secretKeys);
  return value;
}

/**
 * The dotted paths at which two configs differ (`llms.main_llm.temperature`); added and removed keys
 * are reported at the key, an array that changed length at the array.
 * @param before the older config
 * @param after the newer config
 * @returns the changed paths, in document order; empty when the two are deep-equal
 * @example diffConfigs({ a: { b: 1 } }, { a: { b: 2 } }) // ["a.b"]
 */
export function diffConfigs(before: unknown, after: unknown): string[] {
  const changed: Path[] = [];
  shareStructure(before, after, changed);
  return changed.map(formatOverridePath);
}
