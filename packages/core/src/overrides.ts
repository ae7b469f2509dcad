import { type ConfigIssue, ConfigValidationError, formatIssue } from "./errors.js";
import { setAtPath, valueAt } from "./override-set.js";
import { tryParseOverridePath } from "./override-path.js";
import { typeOverrideValue } from "./override-value.js";
import { schemaTypesAt } from "./schema-types.js";
import type { ConfigOverrides, ConfigPath, OverrideValue } from "./types.js";

export { formatOverridePath, parseOverridePath } from "./override-path.js";
export type { ScalarType } from "./override-value.js";
export { schemaTypesAt } from "./schema-types.js";

/** Options of {@link applyOverrides}. */
export interface ApplyOverridesOptions {
  /**
   * The schema the result will be validated against; a valibot schema types override strings by what
   * it expects at each path (other schemas are not introspected).
   * @default undefined (strings are typed by the value they replace, else as YAML scalars)
   */
  schema?: unknown;
}

/** How the pipeline places the issues of overrides before they are thrown: positions and source. */
export interface OverrideIssueContext {
  /** Where the document wrote a path (or its nearest ancestor). */
  position?: ((path: ConfigPath) => Pick<ConfigIssue, "file" | "line" | "column" | "frame">) | undefined;
  sourceId?: string | undefined;
}

interface ParsedOverride {
  key: string;
  segments: (string | number)[];
  value: OverrideValue;
}

/**
 * Splits a CLI override `key=value` at the first `=`: `a.b=c=d` gives the value `c=d`, `a.b=` the empty
 * string. The path is not checked here; {@link applyOverrides} does that.
 * @param arg e.g. `llms.main_llm.temperature=0.7`
 * @returns the path and the raw value text
 * @throws ConfigValidationError with code `INVALID_OVERRIDE` when there is no `=` or no key before it
 */
export function parseOverrideArgument(arg: string): { path: string; value: string } {
  const eq = arg.indexOf("=");
  if (eq > 0) return { path: arg.slice(0, eq), value: arg.slice(eq + 1) };
  // With no key, everything after "=" is a value, which may be a secret (`-o "$NAME=$TOKEN"` with NAME unset).
  const shown = eq === 0 ? "=…" : arg;
  const why = eq === 0 ? 'has no key before "="' : 'has no "="';
  const message = `override argument "${shown}" ${why}; write key=value, e.g. llms.main_llm.temperature=0.7`;
  throw new ConfigValidationError([{ path: eq === 0 ? "" : arg, message }], { code: "INVALID_OVERRIDE", message });
}

/**
 * Returns a copy of `data` with every override set; `data` is never changed. Only the containers along
 * each override's path are copied (untouched subtrees are shared), so a subtree shared by two keys
 * (a YAML alias) changes only under the key the override names. Missing keys are created as mappings;
 * string values are typed by the schema, else by the value they replace, else as YAML scalars.
 * @param data the parsed document (may be deep-frozen); `null`/`undefined` count as an empty mapping
 * @param overrides dotted paths to values, e.g. `{ "llms.main_llm.temperature": "0.8" }`
 * @param options the schema that will validate the result
 * @returns the new document, or `data` itself when there are no overrides
 * @throws ConfigValidationError listing every bad override: code `INVALID_PATH` when a path is malformed
 *   or uses `__proto__`/`constructor`/`prototype`, else `INVALID_OVERRIDE` (a path through a scalar, a
 *   list index out of range, conflicting overrides)
 * @example applyOverrides(doc, { "llms.main_llm.temperature": "0.8" })
 */
export function applyOverrides(
  data: unknown,
  overrides: ConfigOverrides,
  options: ApplyOverridesOptions = {},
): unknown {
  return applyOverridesAt(data, overrides, options, {});
}

/** {@link applyOverrides}, its issues placed by `context` (positions in the document, the source id). */
export function applyOverridesAt(
  data: unknown,
  overrides: ConfigOverrides,
  options: ApplyOverridesOptions,
  context: OverrideIssueContext,
): unknown {
  const pathIssues: ConfigIssue[] = [];
  const otherIssues: ConfigIssue[] = [];
  const parsed: ParsedOverride[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    const result = tryParseOverridePath(key);
    if (!result.ok) pathIssues.push({ path: key, message: `override "${key}" ${result.message}` });
    else if (!isOverrideValue(value)) {
      otherIssues.push({
        path: key,
        message: `override "${key}" must be a string, number, boolean or null (got ${kindOf(value)})`,
      });
    } else parsed.push({ key, segments: result.segments, value });
  }
  const conflicts = findConflicts(parsed);
  otherIssues.push(...conflicts);
  if (pathIssues.length === 0 && otherIssues.length === 0 && parsed.length === 0) return data;

  let root: unknown = data ?? {};
  const owned = new WeakSet<object>();
  if (data === null || data === undefined) owned.add(root as object);
  // Every other override is still applied, so that one run reports every bad override.
  const conflicting = new Set(conflicts.map((issue) => issue.path));
  for (const override of parsed) {
    if (conflicting.has(override.key)) continue;
    const expected = options.schema === undefined ? undefined : schemaTypesAt(options.schema, override.segments);
    const value = typeOverrideValue(override.value, expected, valueAt(data, override.segments));
    const result = setAtPath(root, override.segments, value, owned);
    if (result.ok) root = result.value;
    else otherIssues.push({ path: override.key, message: `override "${override.key}" ${result.message}` });
  }
  const issues = [...pathIssues, ...otherIssues];
  if (issues.length > 0)
    throw overrideError(issues, pathIssues.length > 0 ? "INVALID_PATH" : "INVALID_OVERRIDE", context);
  return root;
}

function isOverrideValue(value: unknown): value is OverrideValue {
  return value === null || typeof value === "string" || typeof value === "boolean" || typeof value === "number";
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : typeof value;
}

// Two overrides where one's path is the other's (or lies inside it) would silently overwrite each
// other or navigate through a value the other just set: ask the user to keep one.
function findConflicts(parsed: readonly ParsedOverride[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const byPath = new Map<string, string>();
  // Object keys and array indexes are compared as strings: `a.0` and `a."0"` name the same slot.
  const canonical = (segments: ConfigPath): string => JSON.stringify(segments.map(String));
  for (const override of parsed) {
    const own = canonical(override.segments);
    const same = byPath.get(own);
    if (same !== undefined) {
      issues.push({
        path: override.key,
        message: `override "${override.key}" sets the same key as override "${same}"; keep one of them`,
      });
    } else byPath.set(own, override.key);
  }
  for (const override of parsed) {
    for (let depth = 1; depth < override.segments.length; depth++) {
      const outer = byPath.get(canonical(override.segments.slice(0, depth)));
      if (outer === undefined) continue;
      issues.push({
        path: override.key,
        message: `override "${override.key}" conflicts with override "${outer}", which replaces a value this one is inside of; keep one of them`,
      });
      break;
    }
  }
  return issues;
}

/**
 * The error for bad overrides, "Invalid overrides (n issues)", each issue placed where the document
 * wrote its path (or the nearest ancestor), when `context` knows positions.
 */
export function overrideError(
  issues: readonly ConfigIssue[],
  code: "INVALID_PATH" | "INVALID_OVERRIDE",
  context: OverrideIssueContext,
): ConfigValidationError {
  const placed = issues.map((issue) => {
    const parsed = context.position ? tryParseOverridePath(issue.path) : undefined;
    return parsed?.ok && context.position ? { ...issue, ...context.position(parsed.segments) } : issue;
  });
  const count = placed.length === 1 ? "1 issue" : `${placed.length} issues`;
  const message = [`Invalid overrides (${count}):`, ...placed.map((issue) => `  ${formatIssue(issue)}`)].join("\n");
  return new ConfigValidationError(placed, {
    code,
    message,
    sourceId: context.sourceId,
  });
}

/**
 * The override that wrote the value at `path`: one that set this path (or a path it lies under), or
 * one that created a mapping `path` lies in (the document does not have it). Issues there are the
 * override's, not the file's.
 * @param data the source document before overrides
 * @param overrides the overrides applied to it
 * @param path where a validation issue is
 * @returns the override's key as written, or undefined when the document wrote the value
 */
export function findOverrideAt(data: unknown, overrides: ConfigOverrides, path: ConfigPath): string | undefined {
  for (const key of Object.keys(overrides)) {
    const result = tryParseOverridePath(key);
    if (!result.ok) continue;
    let common = 0;
    while (
      common < path.length &&
      common < result.segments.length &&
      String(path[common]) === String(result.segments[common])
    )
      common++;
    if (common === result.segments.length) return key;
    if (common > 0 && !valueAt(data, path.slice(0, common)).found) return key;
  }
  return undefined;
}

/**
 * Finds the overrides a validated config does not keep (the schema stripped the key they set): a
 * misspelled key must never pass silently.
 * @param config the config after validation
 * @param overrides the overrides that were applied before validation
 * @returns one issue per dropped override, its `path` the override key as written
 */
export function findDroppedOverrides(config: unknown, overrides: ConfigOverrides): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(overrides)) {
    const result = tryParseOverridePath(key);
    if (!result.ok) issues.push({ path: key, message: `override "${key}" ${result.message}` });
    else if (!valueAt(config, result.segments).found) {
      issues.push({ path: key, message: `override "${key}" sets a key the schema does not keep (misspelled?)` });
    }
  }
  return issues;
}

/**
 * Finds the overrides that create a key the source document does not have, where the schema does
 * not know the key either (a loose component keeps any field): the schema keeps such a key, so it
 * is no error, but a typo like `llms.main_llm.temprature` must not pass silently: it is a warning.
 * @param data the source document before overrides
 * @param overrides the overrides to apply
 * @param schema the schema (valibot schemas are introspected)
 * @returns one warning line per such override
 */
export function findUnknownCreatedOverrides(data: unknown, overrides: ConfigOverrides, schema: unknown): string[] {
  const warnings: string[] = [];
  for (const key of Object.keys(overrides)) {
    const result = tryParseOverridePath(key);
    if (!result.ok || valueAt(data, result.segments).found) continue;
    if (schemaTypesAt(schema, result.segments) === undefined) {
      warnings.push(
        `override "${key}" creates a key the config file does not have and the schema does not know (misspelled?)`,
      );
    }
  }
  return warnings;
}
