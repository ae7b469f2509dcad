import { parseOverridePath, toIndex } from "./override-path.js";
import { type ScalarType, scalarTypeOf } from "./override-value.js";
import type { ConfigPath } from "./types.js";

/** The parts of a valibot schema object this module reads (valibot 1.x: `kind`, `type` and per-type fields). */
interface SchemaNode {
  kind: "schema";
  type: string;
  entries?: Record<string, unknown>;
  rest?: unknown;
  value?: unknown;
  item?: unknown;
  items?: readonly unknown[];
  wrapped?: unknown;
  options?: readonly unknown[];
  literal?: unknown;
  pipe?: readonly unknown[];
}

// Types whose input can never be one of our scalars: a path may end here, but no override string fits.
const NON_SCALAR = new Set([
  "object",
  "loose_object",
  "strict_object",
  "object_with_rest",
  "record",
  "array",
  "tuple",
  "loose_tuple",
  "strict_tuple",
  "tuple_with_rest",
  "map",
  "set",
  "date",
  "bigint",
  "blob",
  "file",
  "function",
  "instance",
  "promise",
  "symbol",
  "undefined",
  "void",
  "never",
]);

// Schemas nest only as deep as the code that built them; this bounds a cyclic hand-made object.
const MAX_DEPTH = 256;

function isSchemaNode(value: unknown): value is SchemaNode {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "schema" &&
    typeof (value as { type?: unknown }).type === "string"
  );
}

/**
 * The scalar types a valibot schema accepts at a path, used to type override strings.
 * @param schema a valibot schema (other Standard Schemas are not introspected)
 * @param path keys and indexes, or a dotted path
 * @returns the accepted types (empty when only mappings/lists or nothing fit), or undefined when the
 *   schema cannot tell (`any`, `unknown`, `lazy`, `custom`, an open object's unknown key, a non-valibot schema)
 * @example schemaTypesAt(v.object({ t: v.nullable(v.number()) }), "t") // Set { "number", "null" }
 */
export function schemaTypesAt(schema: unknown, path: ConfigPath | string): Set<ScalarType> | undefined {
  const segments = typeof path === "string" ? (path === "" ? [] : parseOverridePath(path)) : path;
  return walk(schema, segments, 0, 0);
}

function walk(schema: unknown, path: ConfigPath, at: number, depth: number): Set<ScalarType> | undefined {
  if (!isSchemaNode(schema) || depth > MAX_DEPTH) return undefined;
  const node = baseOf(schema);
  const next = (child: unknown, step = 0): Set<ScalarType> | undefined => walk(child, path, at + step, depth + 1);
  const atEnd = at === path.length;
  switch (node.type) {
    case "optional":
    case "exact_optional":
    case "undefinedable":
    case "non_optional":
      return next(node.wrapped);
    case "nullable":
    case "nullish":
      return atEnd ? withNull(next(node.wrapped), true) : next(node.wrapped);
    case "non_nullable":
    case "non_nullish":
      return atEnd ? withNull(next(node.wrapped), false) : next(node.wrapped);
    case "union":
    case "variant":
      return Array.isArray(node.options) ? unionOf(node.options.map((option) => next(option))) : undefined;
    case "intersect":
      return Array.isArray(node.options) ? intersectionOf(node.options.map((option) => next(option))) : undefined;
    case "any":
    case "unknown":
    case "lazy":
    case "custom":
      return undefined;
  }
  if (atEnd) return scalarTypes(node);
  return child(node, path[at] as string | number, next);
}

// A pipe keeps its base schema's type; only a bare `any`/`unknown` base defers to the first schema
// in the pipe that sees the same input (i.e. before any transformation).
function baseOf(node: SchemaNode): SchemaNode {
  if ((node.type !== "any" && node.type !== "unknown") || !Array.isArray(node.pipe)) return node;
  for (const item of node.pipe.slice(1)) {
    if ((item as { kind?: unknown })?.kind === "transformation") break;
    if (isSchemaNode(item)) return item;
  }
  return node;
}

function child(
  node: SchemaNode,
  segment: string | number,
  next: (schema: unknown, step?: number) => Set<ScalarType> | undefined,
): Set<ScalarType> | undefined {
  const key = String(segment);
  const entries = node.entries;
  const index = toIndex(segment);
  // hasOwn, never `key in`: `entries.constructor` would otherwise find Object's constructor.
  const entry = isRecord(entries) && Object.hasOwn(entries, key) ? entries[key] : undefined;
  // A valibot whose objects or tuples are shaped otherwise (valibot is a ^1 range) cannot tell,
  // rather than claim that no value fits.
  if (node.type.endsWith("object") || node.type === "object_with_rest") {
    if (!isRecord(entries)) return undefined;
  } else if (node.type.endsWith("tuple") || node.type === "tuple_with_rest") {
    if (!Array.isArray(node.items)) return undefined;
  }
  switch (node.type) {
    case "object":
    case "strict_object":
      return entry !== undefined ? next(entry, 1) : new Set();
    case "loose_object":
      return entry !== undefined ? next(entry, 1) : undefined;
    case "object_with_rest":
      return next(entry ?? node.rest, 1);
    case "record":
      return next(node.value, 1);
    case "array":
      return index === undefined ? new Set() : next(node.item, 1);
    case "tuple":
    case "strict_tuple":
    case "loose_tuple":
    case "tuple_with_rest": {
      const items = node.items ?? [];
      if (index !== undefined && index < items.length) return next(items[index], 1);
      if (node.type === "tuple_with_rest" && index !== undefined) return next(node.rest, 1);
      return node.type === "loose_tuple" && index !== undefined ? undefined : new Set();
    }
    default:
      // A scalar (or a type this module does not know) has no children.
      return NON_SCALAR.has(node.type) || isScalarSchema(node.type) ? new Set() : undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalarSchema(type: string): boolean {
  return ["string", "number", "nan", "boolean", "null", "literal", "picklist", "enum"].includes(type);
}

function scalarTypes(node: SchemaNode): Set<ScalarType> | undefined {
  switch (node.type) {
    case "string":
      return new Set(["string"]);
    case "number":
    case "nan":
      return new Set(["number"]);
    case "boolean":
      return new Set(["boolean"]);
    case "null":
      return new Set(["null"]);
    case "literal":
      return "literal" in node ? typesOf([node.literal]) : undefined;
    case "picklist":
    case "enum":
      return Array.isArray(node.options) ? typesOf(node.options) : undefined;
    default:
      return NON_SCALAR.has(node.type) ? new Set() : undefined;
  }
}

function typesOf(values: readonly unknown[]): Set<ScalarType> {
  const out = new Set<ScalarType>();
  for (const value of values) {
    const type = scalarTypeOf(value);
    if (type !== undefined) out.add(type);
  }
  return out;
}

function withNull(types: Set<ScalarType> | undefined, add: boolean): Set<ScalarType> | undefined {
  if (types === undefined) return undefined;
  const out = new Set(types);
  if (add) out.add("null");
  else out.delete("null");
  return out;
}

// Any option that cannot tell makes the whole union unknown: that option might accept anything.
function unionOf(results: readonly (Set<ScalarType> | undefined)[]): Set<ScalarType> | undefined {
  const out = new Set<ScalarType>();
  for (const result of results) {
    if (result === undefined) return undefined;
    for (const type of result) out.add(type);
  }
  return out;
}

// Options that cannot tell do not narrow an intersection; the ones that can, do.
function intersectionOf(results: readonly (Set<ScalarType> | undefined)[]): Set<ScalarType> | undefined {
  let out: Set<ScalarType> | undefined;
  for (const result of results) {
    if (result === undefined) continue;
    out = out === undefined ? new Set(result) : new Set([...out].filter((type) => result.has(type)));
  }
  return out;
}
