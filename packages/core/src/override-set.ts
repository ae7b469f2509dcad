import { checkPathSegments, formatOverridePath, toIndex } from "./override-path.js";
import type { ReplacedValue } from "./override-value.js";
import { defineOwn, isPlainNode, ownValueAt, type TreeNode } from "./tree.js";
import type { ConfigPath } from "./types.js";

/** The outcome of setting one path: the new root, or why the path cannot be set. */
export type SetResult = { ok: true; value: unknown } | { ok: false; message: string };

type Container = TreeNode;
// Overrides navigate only through lists and plain mappings.
const isContainer = isPlainNode;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object that is not a plain mapping";
  return `a ${typeof value}`;
}

// Every write goes through defineOwn: it never runs a setter (`__proto__` included, even if a
// reserved key slipped through), so no write can reach a prototype.
const define = defineOwn;

function copyOf(node: Container): Container {
  if (Array.isArray(node)) return node.slice();
  const out: Record<string, unknown> = Object.getPrototypeOf(node) === null ? Object.create(null) : {};
  for (const key of Object.keys(node)) define(out, key, node[key]);
  return out;
}

/** The own value at a path (never an inherited one such as `toString`), and whether it exists. */
export function valueAt(data: unknown, path: ConfigPath): ReplacedValue {
  // Overrides see through plain mappings and lists only.
  let node = data;
  for (const segment of path) {
    if (!isContainer(node)) return { found: false };
    const found = ownValueAt(node, [segment]);
    if (!found.found) return found;
    node = found.value;
  }
  return { found: true, value: node };
}

/**
 * Sets `value` at `path` under `root` by copying each container along the path that is not in `owned`
 * (copies are added to it, so later paths reuse them). Never changes a container it does not own.
 * @returns the root to use from now on (a copy, unless `root` was already owned)
 */
export function setAtPath(root: unknown, path: ConfigPath, value: unknown, owned: WeakSet<object>): SetResult {
  const unsafe = checkPathSegments(path);
  if (unsafe !== undefined) return { ok: false, message: unsafe };
  if (path.length === 0)
    return { ok: false, message: "has an empty path; write dotted keys such as llms.main_llm.temperature" };
  if (!isContainer(root)) {
    return { ok: false, message: `cannot be applied: the document is ${describe(root)}, not a mapping` };
  }
  // Resolve every key first (nothing is copied for a path that fails), then copy on the way back up.
  const chain: { node: Container; key: string | number }[] = [];
  let node: Container = root;
  for (let depth = 0; ; depth++) {
    const segment = path[depth] as string | number;
    const key = keyIn(node, segment, path, depth);
    if (typeof key === "object") return { ok: false, message: key.problem };
    chain.push({ node, key });
    if (depth === path.length - 1) break;
    const child: unknown = Object.hasOwn(node, key) ? (node as Record<string | number, unknown>)[key] : undefined;
    if (child === undefined) {
      // The rest of the path does not exist: build it as fresh mappings, owned from the start.
      let created: unknown = value;
      for (let i = path.length - 1; i > depth; i--) {
        const fresh: Record<string, unknown> = {};
        define(fresh, String(path[i]), created);
        owned.add(fresh);
        created = fresh;
      }
      return { ok: true, value: writeBack(chain, created, owned) };
    }
    if (!isContainer(child)) {
      const through = formatOverridePath(path.slice(0, depth + 1));
      return {
        ok: false,
        message: `goes through "${through}", which is ${describe(child)}, not a mapping or list; set "${through}" itself or fix the path`,
      };
    }
    node = child;
  }
  return { ok: true, value: writeBack(chain, value, owned) };
}

function keyIn(
  node: Container,
  segment: string | number,
  path: ConfigPath,
  depth: number,
): string | number | { problem: string } {
  if (!Array.isArray(node)) return String(segment);
  const index = toIndex(segment);
  const list = depth === 0 ? "the top-level list" : `"${formatOverridePath(path.slice(0, depth))}"`;
  const range = node.length === 0 ? "use 0 (to append)" : `use 0..${node.length} (${node.length} appends)`;
  if (index === undefined) return { problem: `needs an index into ${list}, not "${String(segment)}"; ${range}` };
  // Writing past the end would leave holes that no config format can express.
  if (index > node.length)
    return { problem: `uses index ${index}, past the end of ${list} (length ${node.length}); ${range}` };
  return index;
}

function writeBack(
  chain: readonly { node: Container; key: string | number }[],
  value: unknown,
  owned: WeakSet<object>,
): unknown {
  let current = value;
  for (let i = chain.length - 1; i >= 0; i--) {
    const { node, key } = chain[i] as { node: Container; key: string | number };
    const target = owned.has(node) ? node : copyOf(node);
    owned.add(target);
    define(target, key, current);
    current = target;
  }
  return current;
}
