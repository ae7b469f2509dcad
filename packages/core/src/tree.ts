import { toIndex } from "./override-path.js";
import type { ConfigPath } from "./types.js";

/** A mapping or a list: anything with children (class instances included). */
export type TreeNode = Record<string, unknown> | unknown[];

/** True for any object (arrays included) that is not null: a node whose children can be walked. */
export function isTreeNode(value: unknown): value is TreeNode {
  return typeof value === "object" && value !== null;
}

/** True for a mapping: an object that is not a list. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return isTreeNode(value) && !Array.isArray(value);
}

/** True for a list or a plain mapping (`{}` or a null-prototype object): what a write may navigate through. */
export function isPlainNode(value: unknown): value is TreeNode {
  if (Array.isArray(value)) return true;
  if (!isTreeNode(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Sets an own, enumerable, writable data property, whatever the key: it never runs a setter
 * (`__proto__` included), so no write through it can reach a prototype.
 * @param target - the object or array to write to
 * @param key - the key or index
 * @param value - the value
 */
export function defineOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** What {@link ownValueAt} found. */
export type ValueAtPath = { found: true; value: unknown } | { found: false };

/**
 * The own value at a path (never an inherited one such as `toString`), and whether it exists.
 * A numeric segment indexes a list; on a mapping every segment is a key.
 * @param root - the config or document
 * @param path - keys and indexes, e.g. `["llms", "main_llm", "temperature"]`
 * @returns `{ found: true, value }` or `{ found: false }`
 * @example ownValueAt(config, ["llms", "main_llm", "temperature"]) // { found: true, value: 0.7 }
 */
export function ownValueAt(root: unknown, path: ConfigPath): ValueAtPath {
  let node = root;
  for (const segment of path) {
    if (!isTreeNode(node)) return { found: false };
    const key = Array.isArray(node) ? toIndex(segment) : String(segment);
    if (key === undefined || !Object.hasOwn(node, key)) return { found: false };
    node = (node as Record<string | number, unknown>)[key];
  }
  return { found: true, value: node };
}
