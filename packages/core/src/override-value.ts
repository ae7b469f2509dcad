import type { OverrideValue } from "./types.js";

/** The scalar types an override string can be turned into. */
export type ScalarType = "string" | "number" | "boolean" | "null";

// The YAML 1.2 core schema's plain-scalar rules (https://yaml.org/spec/1.2.2/#1033-core-schema).
const NULL = /^(?:~|null|Null|NULL)$/;
const TRUE = /^(?:true|True|TRUE)$/;
const FALSE = /^(?:false|False|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INF = /^[-+]?\.(?:inf|Inf|INF)$/;
const NAN = /^\.(?:nan|NaN|NAN)$/;

/**
 * Resolves text the way a YAML 1.2 core-schema plain scalar is read: `null`/`~` -> null, `true`/`false`
 * -> boolean, ints (`0x`, `0o` too), floats (`.inf`, `.nan`, exponents) -> number, anything else
 * stays the string. Unlike YAML, the empty string stays `""` (so `key=` sets an empty string).
 */
export function parseYamlScalar(text: string): string | number | boolean | null {
  if (text === "") return "";
  if (NULL.test(text)) return null;
  if (TRUE.test(text)) return true;
  if (FALSE.test(text)) return false;
  if (INT.test(text) || FLOAT.test(text)) return Number(text);
  if (OCT.test(text)) return Number.parseInt(text.slice(2), 8);
  if (HEX.test(text)) return Number.parseInt(text.slice(2), 16);
  if (INF.test(text)) return text.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (NAN.test(text)) return Number.NaN;
  return text;
}

/** The scalar type of a value, or undefined for containers and other values. */
export function scalarTypeOf(value: unknown): ScalarType | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    default:
      return undefined;
  }
}

function unquote(text: string): string | undefined {
  if (text.length < 2) return undefined;
  const first = text[0];
  return (first === '"' || first === "'") && text.endsWith(first) ? text.slice(1, -1) : undefined;
}

/** What an override string replaces, where the source document had a value at its path. */
export interface ReplacedValue {
  found: boolean;
  value?: unknown;
}

/**
 * Types an override value: non-strings are kept; a quoted string (`'"0.7"'`) is the text inside the
 * quotes; otherwise the schema's expected types decide, else the type of the value it replaces, else
 * the YAML core schema. Text the expected type cannot take stays a string, for validation to report.
 */
export function typeOverrideValue(
  value: OverrideValue,
  expected: ReadonlySet<ScalarType> | undefined,
  replaced: ReplacedValue,
): unknown {
  if (typeof value !== "string") return value;
  const inner = unquote(value);
  if (inner !== undefined) return inner;
  const scalar = parseYamlScalar(value);
  // An empty set means the schema takes no scalar there (a mapping, or a key it drops): it cannot
  // guide the typing, so fall back to the other rules and let validation say what is wrong.
  if (expected !== undefined && expected.size > 0) {
    if (expected.has(scalarTypeOf(scalar) as ScalarType)) return scalar;
    return value;
  }
  if (replaced.found && typeof replaced.value === "string") return value;
  // A replaced number or boolean takes a number or boolean when the text is one; text that is not
  // (e.g. "null", "abc") gets the YAML reading, which is what the same text in the file would give.
  return scalar;
}
