import { deepFreeze } from "./share.js";
import { defineOwn, isTreeNode, ownValueAt } from "./tree.js";
import type { ConfigPath } from "./types.js";

/** Marks a key that the patched-to value does not have. */
export const ABSENT: unique symbol = Symbol("absent");

/** What turns one config into another: the value to put at each path (or `ABSENT` to delete it). */
export type Patch = readonly { readonly path: ConfigPath; readonly value: unknown }[];

function isContainer(value: unknown): value is Record<string, unknown> {
  return isTreeNode(value);
}

/**
 * The paths at which two values differ, without building anything: shared (identical) subtrees
 * are skipped at once, so between two structurally shared versions this costs what changed.
 */
export function collectChangedPaths(
  a: unknown,
  b: unknown,
  out: ConfigPath[] = [],
  path: ConfigPath = [],
): ConfigPath[] {
  if (Object.is(a, b)) return out;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) {
    out.push(path);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(path);
    else for (let i = 0; i < a.length; i++) collectChangedPaths(a[i], b[i], out, [...path, i]);
    return out;
  }
  for (const key of Object.keys(b)) {
    if (Object.hasOwn(a, key)) collectChangedPaths(a[key], b[key], out, [...path, key]);
    else out.push([...path, key]);
  }
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) out.push([...path, key]);
  return out;
}

function valueAt(root: unknown, path: ConfigPath): unknown {
  const found = ownValueAt(root, path);
  return found.found ? found.value : ABSENT;
}

/** The patch that turns `from` into `to`; it holds only `to`'s values at the changed paths. */
export function patchBetween(from: unknown, to: unknown): Patch {
  return collectChangedPaths(from, to).map((path) => ({ path, value: valueAt(to, path) }));
}

function copyContainer(node: Record<string, unknown> | unknown[]): Record<string, unknown> | unknown[] {
  if (Array.isArray(node)) return [...node];
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(node)) defineOwn(copy, key, node[key]);
  return copy;
}

function setIn(root: unknown, path: ConfigPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = copyContainer(isContainer(root) ? root : {}) as Record<string | number, unknown>;
  const child = setIn(copy[key], rest, value);
  if (child === ABSENT) delete copy[key];
  else defineOwn(copy, key, child);
  return copy;
}

/** Applies a patch by copying along each path only (the rest stays shared); the result is frozen. */
export function applyPatch<V>(base: V, patch: Patch): V {
  let out: unknown = base;
  for (const { path, value } of patch) out = setIn(out, path, value);
  return deepFreeze(out) as V;
}
