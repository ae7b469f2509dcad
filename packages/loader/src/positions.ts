import type { ConfigPath, SourceLocation } from "@aiq/config-core";
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";

/**
 * Where a path leads in one file: found (with its place), missing at a mapping key (a `base:` file
 * may still hold it), or blocked by a value that is not a mapping (a list or scalar replaces
 * whatever a base file had below it).
 */
export type Lookup = { kind: "found"; location: SourceLocation } | { kind: "missing" } | { kind: "blocked" };

/** Answers `locate(path)` for one parsed file. */
export type FileLocator = (path: ConfigPath) => Lookup;

/**
 * Builds a locator over a composed yaml document: the place of the value at a path, or of its key
 * when the value is empty (`key:`).
 */
export function createFileLocator(doc: Document.Parsed, lineCounter: LineCounter, file: string): FileLocator {
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col, file };
  };
  return (path) => {
    let node: unknown = doc.contents;
    let keyNode: Node | null = null;
    for (const segment of path) {
      node = resolveAlias(doc, node);
      if (isMap(node)) {
        const pair = findPair(doc, node.items as Pair<unknown, unknown>[], segment);
        if (!pair) return { kind: "missing" };
        keyNode = isScalar(pair.key) || isAlias(pair.key) ? (pair.key as Node) : null;
        node = pair.value;
      } else if (isSeq(node)) {
        const index =
          typeof segment === "number" ? segment : /^(?:0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
        if (index < 0 || index >= node.items.length) return { kind: "blocked" };
        keyNode = null;
        node = node.items[index];
      } else {
        return { kind: "blocked" };
      }
    }
    const value = node as Node | null | undefined;
    const empty = !value?.range || (isScalar(value) && value.source === "" && value.range[0] === value.range[1]);
    if (!empty) return { kind: "found", location: at((value.range as [number, number, number])[0]) };
    if (keyNode?.range) return { kind: "found", location: at(keyNode.range[0]) };
    return path.length === 0 ? { kind: "missing" } : { kind: "blocked" };
  };
}

function resolveAlias(doc: Document.Parsed, node: unknown): unknown {
  // Bounded: a path has finitely many segments and each alias resolves to an earlier anchor.
  for (let hops = 0; isAlias(node) && hops < 64; hops++) node = node.resolve(doc);
  return node;
}

function findPair(
  doc: Document.Parsed,
  items: Pair<unknown, unknown>[],
  segment: string | number,
): Pair<unknown, unknown> | undefined {
  const wanted = String(segment);
  // The last pair wins, as it does when the document is converted to data.
  for (let i = items.length - 1; i >= 0; i--) {
    const pair = items[i] as Pair<unknown, unknown>;
    const key = resolveAlias(doc, pair.key);
    if (isScalar(key) && keyString(key.value) === wanted) return pair;
  }
  return undefined;
}

/** The property name a scalar key becomes in the parsed data (as yaml's `toJS` names it). */
export function keyString(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/**
 * Combines the locators of a `base:` chain (most derived file first): a path is answered by the
 * first file that holds it, and a file whose list or scalar replaced the base's value ends the search.
 */
export function chainLocator(locators: readonly FileLocator[]): (path: ConfigPath) => SourceLocation | undefined {
  return (path) => {
    for (const locate of locators) {
      const found = locate(path);
      if (found.kind === "found") return found.location;
      if (found.kind === "blocked") return undefined;
    }
    return undefined;
  };
}
