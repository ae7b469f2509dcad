import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";
import { type FileLocator, keyString, type Lookup } from "./positions.js";

/**
 * A file's positions as flat, transferable data: what a `FileLocator` answers, without the yaml
 * document it walks (a worker thread cannot hand one over). Entry 0 is the document; the children
 * of collection `c` are entries `start[c]` to `start[c] + count[c] - 1`.
 */
export interface PositionIndex {
  /** Per entry: line, column (0 when the path ends there with no place) and the collection it leads to (-1: none). */
  entries: Int32Array<ArrayBuffer>;
  /** Per collection: 1 for a mapping, 2 for a list, then its first child entry and child count. */
  collections: Int32Array<ArrayBuffer>;
  /** The key of each entry as JSON (`null` for list items and keys that are not scalars), parsed on first use. */
  keys: string;
}

const MAP = 1;
const SEQ = 2;

/**
 * Encodes what `createFileLocator(doc, lineCounter, file)` answers for every path: the same walk
 * (aliases resolved on the way down, the last of equal keys wins, an empty value placed at its key).
 */
export function encodePositions(doc: Document.Parsed, lineCounter: LineCounter): PositionIndex {
  const entries: number[] = [];
  const collections: number[] = [];
  const keys: (string | null)[] = [];
  const ids = new Map<Node, number>();
  const pending: [Node, number][] = [];
  const place = (offset: number): [number, number] => {
    const { line, col } = lineCounter.linePos(offset);
    return [line, col];
  };
  const resolve = (node: unknown): unknown => {
    for (let hops = 0; isAlias(node) && hops < 64; hops++) node = node.resolve(doc);
    return node;
  };
  const collectionOf = (value: unknown): number => {
    const target = resolve(value);
    if (!isMap(target) && !isSeq(target)) return -1;
    let id = ids.get(target);
    if (id === undefined) {
      id = collections.length / 3;
      ids.set(target, id);
      collections.push(isMap(target) ? MAP : SEQ, 0, 0);
      pending.push([target, id]);
    }
    return id;
  };
  const addEntry = (value: unknown, keyNode: Node | null, key: string | null): void => {
    const node = value as Node | null | undefined;
    const empty = !node?.range || (isScalar(node) && node.source === "" && node.range[0] === node.range[1]);
    const offset = empty ? keyNode?.range?.[0] : node.range?.[0];
    const [line, column] = offset === undefined ? [0, 0] : place(offset);
    entries.push(line, column, collectionOf(value));
    keys.push(key);
  };
  addEntry(doc.contents, null, null);
  while (pending.length > 0) {
    const [node, id] = pending.shift() as [Node, number];
    collections[id * 3 + 1] = entries.length / 3;
    if (isMap(node)) {
      const items = node.items as Pair<unknown, unknown>[];
      collections[id * 3 + 2] = items.length;
      for (const pair of items) {
        const key = resolve(pair.key);
        const keyNode = isScalar(pair.key) || isAlias(pair.key) ? (pair.key as Node) : null;
        addEntry(pair.value, keyNode, isScalar(key) ? keyString(key.value) : null);
      }
    } else if (isSeq(node)) {
      collections[id * 3 + 2] = node.items.length;
      for (const item of node.items) addEntry(item, null, null);
    }
  }
  return { entries: Int32Array.from(entries), collections: Int32Array.from(collections), keys: JSON.stringify(keys) };
}

/**
 * The `FileLocator` of an encoded file, answering as `createFileLocator` did on the yaml document.
 * @param index the encoding, or undefined when the file has no positions (every path is missing)
 */
export function decodePositions(index: PositionIndex | undefined, file: string): FileLocator {
  if (index === undefined) return () => ({ kind: "missing" });
  const { entries, collections } = index;
  let keys: (string | null)[] | undefined;
  return (path): Lookup => {
    keys ??= JSON.parse(index.keys) as (string | null)[];
    let entry = 0;
    for (const segment of path) {
      const collection = entries[entry * 3 + 2] as number;
      if (collection < 0) return { kind: "blocked" };
      const kind = collections[collection * 3];
      const start = collections[collection * 3 + 1] as number;
      const count = collections[collection * 3 + 2] as number;
      if (kind === MAP) {
        const wanted = String(segment);
        let found = -1;
        for (let i = start + count - 1; i >= start && found < 0; i--) if (keys[i] === wanted) found = i;
        if (found < 0) return { kind: "missing" };
        entry = found;
      } else {
        const index =
          typeof segment === "number" ? segment : /^(?:0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
        if (index < 0 || index >= count) return { kind: "blocked" };
        // A fractional index reaches no item: nothing is there.
        if (!Number.isInteger(index)) return { kind: "blocked" };
        entry = start + index;
      }
    }
    const line = entries[entry * 3] as number;
    if (line > 0) return { kind: "found", location: { line, column: entries[entry * 3 + 1] as number, file } };
    return path.length === 0 ? { kind: "missing" } : { kind: "blocked" };
  };
}
