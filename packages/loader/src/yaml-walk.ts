import { type ConfigIssue, formatIssue, formatOverridePath, parseYamlScalar } from "@aiq/config-core";
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
} from "yaml";
import { issueAt, type Position } from "./errors.js";
import { type ConfigEnv, interpolateEnv } from "./interpolate.js";
import { keyString } from "./positions.js";

/** What one pass over a composed document found. */
export interface WalkResult {
  /** Collections nested under the root, counting what aliases expand to. */
  height: number;
  /** Unset `${VAR}`s, as printable lines. */
  warnings: string[];
  /** Alias and key problems. */
  issues: ConfigIssue[];
}

interface WalkContext {
  doc: Document.Parsed;
  file: string;
  env: ConfigEnv;
  position(offset: number): Position;
  anchors: Map<string, Node>;
  /** Heights and open ancestors of anchored nodes only: an alias can refer to nothing else. */
  heights: Map<Node, number>;
  ancestors: Set<Node>;
  warnings: string[];
  issues: ConfigIssue[];
}

/**
 * One pass over a composed document (its depth is already bounded, so recursion is safe): replaces
 * `${VAR}` in string values (typing an unquoted scalar that is exactly one placeholder as a YAML
 * core scalar), finds aliases that are unknown or refer to their own enclosing node (a cycle the
 * data could not hold), collection keys, and how deep the data is once aliases are expanded.
 */
export function walkDocument(doc: Document.Parsed, lineCounter: LineCounter, file: string, env: ConfigEnv): WalkResult {
  const context: WalkContext = {
    doc,
    file,
    env,
    position: (offset) => {
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    },
    anchors: new Map(),
    heights: new Map(),
    ancestors: new Set(),
    warnings: [],
    issues: [],
  };
  const height = walk(doc.contents, undefined, context);
  return { height, warnings: context.warnings, issues: context.issues };
}

/**
 * Where a node is, as a chain from the node up to the root: the walk makes one small link per
 * collection entry and an array only for what it reports (an issue, an unset variable).
 */
interface PathLink {
  parent: PathLink | undefined;
  segment: string | number;
}

function dottedPath(link: PathLink | undefined): string {
  const path: (string | number)[] = [];
  for (let at = link; at; at = at.parent) path.push(at.segment);
  return formatOverridePath(path.reverse());
}

function walk(node: unknown, path: PathLink | undefined, context: WalkContext): number {
  if (isAlias(node)) {
    const target = context.anchors.get(node.source);
    const at = context.position(node.range?.[0] ?? 0);
    if (!target) {
      context.issues.push(
        issueAt(context.file, "alias to an anchor that is not defined before it", at, dottedPath(path)),
      );
      return 0;
    }
    if (context.ancestors.has(target)) {
      context.issues.push(issueAt(context.file, "alias inside the node it refers to (a cycle)", at, dottedPath(path)));
      return 0;
    }
    return context.heights.get(target) ?? 0;
  }
  if (!isScalar(node) && !isCollection(node)) return 0;
  const anchored = Boolean(node.anchor);
  if (node.anchor) context.anchors.set(node.anchor, node);
  if (isScalar(node)) {
    if (typeof node.value === "string" && node.value.includes("${")) interpolateScalar(node, path, context);
    return 0;
  }
  if (anchored) context.ancestors.add(node);
  let height = 0;
  if (isMap(node)) {
    for (const pair of node.items as Pair<unknown, unknown>[]) {
      const key = pair.key;
      if (isCollection(key)) {
        const at = context.position(key.range?.[0] ?? 0);
        context.issues.push(
          issueAt(context.file, "a mapping key must be a string, number, boolean or null", at, dottedPath(path)),
        );
        continue;
      }
      // Keys are never interpolated: only values are (a key anchor may still be aliased later).
      if (isScalar(key) && key.anchor) context.anchors.set(key.anchor, key);
      const name = isAlias(key) ? aliasKeyName(key.source, context) : isScalar(key) ? keyString(key.value) : "";
      height = Math.max(height, walk(pair.value, { parent: path, segment: name }, context));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      height = Math.max(height, walk(item, { parent: path, segment: index }, context));
    });
  }
  if (anchored) {
    context.ancestors.delete(node);
    context.heights.set(node, height + 1);
  }
  return height + 1;
}

function aliasKeyName(source: string, context: WalkContext): string {
  const target = context.anchors.get(source);
  return isScalar(target) ? keyString(target.value) : "";
}

function interpolateScalar(
  node: Node & { value: unknown; type?: string | undefined },
  path: PathLink | undefined,
  context: WalkContext,
): void {
  const result = interpolateEnv(node.value as string, context.env);
  // Only an unquoted scalar that is exactly one placeholder is typed (`port: ${PORT:-8080}` -> 8080);
  // quoted and block scalars stay strings, as they would without interpolation.
  node.value = result.whole && node.type === "PLAIN" ? parseYamlScalar(result.value) : result.value;
  for (const name of result.unset) {
    const at = context.position(node.range?.[0] ?? 0);
    const message = `environment variable ${name} is not set and has no default; using ""`;
    context.warnings.push(formatIssue(issueAt(context.file, message, at, dottedPath(path))));
  }
}
