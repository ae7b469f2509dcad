import { formatOverridePath } from "./overrides.js";
import { hideSecretsFromInspect, type SecretKeyPattern } from "./redact.js";
import { defineOwn, isTreeNode } from "./tree.js";

type Path = readonly (string | number)[];

const isContainer = isTreeNode;

/**
 * Returns `next` with every subtree that deep-equals the one at the same place in `prev` replaced by
 * `prev`'s (so unchanged parts of successive configs are one object, shared by all snapshots), and
 * records the paths that differ. Returns `prev` itself when the two are deep-equal.
 */
export function shareStructure(prev: unknown, next: unknown, changed: Path[] = [], path: Path = []): unknown {
  if (Object.is(prev, next)) return prev;
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
    const items = next.map((item, i) => shareStructure(prev[i], item, changed, [...path, i]));
    return changed.length === before ? prev : items;
  }
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const before = changed.length;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(n)) {
    const value = Object.hasOwn(p, key) ? shareStructure(p[key], n[key], changed, [...path, key]) : n[key];
    if (!Object.hasOwn(p, key)) changed.push([...path, key]);
    defineOwn(out, key, value);
  }
  for (const key of Object.keys(p)) if (!Object.hasOwn(n, key)) changed.push([...path, key]);
  if (changed.length === before && Object.keys(p).length === Object.keys(n).length) return prev;
  return out;
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
