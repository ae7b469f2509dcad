import { ConfigValidationError } from "./errors.js";
import type { ConfigPath } from "./types.js";

/**
 * Keys that could reach `Object.prototype` (or a constructor's prototype) through a path; they are
 * refused in every position, quoted or not, whatever a schema says.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const HINT = 'separate keys with one dot and quote a key that contains dots, e.g. llms."gpt-4.1".temperature';

/** The outcome of reading a dotted path without throwing, so a caller can report every bad path. */
export type PathParseResult = { ok: true; segments: (string | number)[] } | { ok: false; message: string };

/** True for the keys no override path may use: `__proto__`, `constructor`, `prototype`. */
export function isReservedKey(key: string | number): boolean {
  return typeof key === "string" && RESERVED_KEYS.has(key);
}

/** A string that is a canonical array index (`0`, `12`, not `007` or `1e3`), as a number; else undefined. */
export function toIndex(segment: string | number): number | undefined {
  if (typeof segment === "number") return Number.isSafeInteger(segment) && segment >= 0 ? segment : undefined;
  if (!/^(?:0|[1-9][0-9]*)$/.test(segment)) return undefined;
  const n = Number(segment);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Checks path segments that did not come from {@link parseOverridePath} (array input): each must be a
 * string or a number, and none may be reserved. Returns why not, or undefined when the path is safe.
 */
export function checkPathSegments(segments: unknown): string | undefined {
  // A runtime check, not a type: JS callers (and set-value style bypasses) pass arrays of arrays or objects
  // whose toString() yields "__proto__".
  if (!Array.isArray(segments)) return "must be a list of keys";
  for (let i = 0; i < segments.length; i++) {
    const segment: unknown = segments[i];
    if (typeof segment !== "string" && typeof segment !== "number") {
      return `has a key at position ${i + 1} that is not a string or number; each key must be a string or an array index`;
    }
    if (isReservedKey(segment)) return reservedMessage(segment as string);
  }
  return undefined;
}

function reservedMessage(key: string): string {
  return `uses the reserved key "${key}"; __proto__, constructor and prototype are never allowed in an override path`;
}

/** Reads a dotted path, reporting a problem instead of throwing. */
export function tryParseOverridePath(path: string): PathParseResult {
  if (typeof path !== "string") {
    const why = checkPathSegments(path) ?? "must be a dotted string, not a list of keys";
    return { ok: false, message: `is not a dotted path: it ${why}` };
  }
  if (path === "")
    return { ok: false, message: "has an empty path; write dotted keys such as llms.main_llm.temperature" };
  const segments: (string | number)[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    if (path[i] === '"') {
      const quoted = readQuoted(path, i);
      if (typeof quoted === "string") return { ok: false, message: quoted };
      segments.push(quoted.key);
      i = quoted.end;
      if (i < path.length && path[i] !== ".") {
        return { ok: false, message: `needs a "." after the quoted key ending at position ${i}; ${HINT}` };
      }
    } else {
      while (i < path.length && path[i] !== ".") {
        const problem = bareCharProblem(path[i] as string, i + 1);
        if (problem !== undefined) return { ok: false, message: problem };
        i++;
      }
      if (i === start) return { ok: false, message: `${emptyKeyWhere(start)}; ${HINT}` };
      const key = path.slice(start, i);
      segments.push(toIndex(key) ?? key);
    }
    if (i === path.length) break;
    i++; // the dot
    if (i === path.length) return { ok: false, message: `ends with a dot (an empty last key); ${HINT}` };
  }
  for (const segment of segments)
    if (isReservedKey(segment)) return { ok: false, message: reservedMessage(segment as string) };
  return { ok: true, segments };
}

function emptyKeyWhere(at: number): string {
  if (at === 0) return "starts with a dot (an empty first key)";
  return `has an empty key at position ${at + 1} (two dots in a row)`;
}

function bareCharProblem(char: string, position: number): string | undefined {
  if (char === '"') return `has a quote inside a key at position ${position}; quote the whole key instead ("my.key")`;
  if (char === "[" || char === "]") {
    return `has "${char}" at position ${position}; write list indexes with dots (servers.0.host) and quote a key that contains brackets`;
  }
  // Escapes are only read inside quotes; a bare backslash would suggest `\u005f`-style escapes are decoded.
  if (char === "\\")
    return `has "\\" outside quotes at position ${position}; escapes (\\" and \\\\) are only read inside a quoted key`;
  return undefined;
}

function readQuoted(path: string, open: number): { key: string; end: number } | string {
  let key = "";
  let i = open + 1;
  while (i < path.length) {
    const char = path[i] as string;
    if (char === '"') return { key, end: i + 1 };
    if (char === "\\") {
      const next = path[i + 1];
      if (next !== '"' && next !== "\\") {
        return `has an unsupported escape at position ${i + 1}; inside a quoted key only \\" and \\\\ are escapes`;
      }
      key += next;
      i += 2;
      continue;
    }
    key += char;
    i++;
  }
  return `has an unterminated quote starting at position ${open + 1}; close the quoted key with "`;
}

/**
 * Splits a dotted override path into keys: dots separate keys, `"..."` quotes a key that contains
 * dots (`\"` and `\\` escape inside quotes), and a canonical number (`0`, `12`) becomes an array index.
 * @param path e.g. `llms."gpt-4.1".temperature`
 * @returns the keys, e.g. `["llms", "gpt-4.1", "temperature"]`
 * @throws ConfigValidationError with code `INVALID_PATH` for an empty key, an unterminated quote or a
 *   reserved key (`__proto__`, `constructor`, `prototype`) in any position
 * @example parseOverridePath("servers.0.host") // ["servers", 0, "host"]
 */
export function parseOverridePath(path: string): (string | number)[] {
  const result = tryParseOverridePath(path);
  if (result.ok) return result.segments;
  const shown = typeof path === "string" ? path : "(not a string)";
  throw new ConfigValidationError([{ path: shown, message: `override "${shown}" ${result.message}` }], {
    code: "INVALID_PATH",
    message: `Invalid override path "${shown}": ${result.message}`,
  });
}

/**
 * Writes keys as a dotted path, the inverse of {@link parseOverridePath}: keys that contain dots,
 * quotes, backslashes or brackets, empty keys and number-like string keys are quoted.
 * @param path keys and array indexes
 * @returns e.g. `llms."gpt-4.1".temperature`; `""` for the root
 */
export function formatOverridePath(path: ConfigPath): string {
  return path.map(formatSegment).join(".");
}

function formatSegment(segment: string | number): string {
  if (typeof segment === "number") {
    return toIndex(segment) === undefined ? quote(String(segment)) : String(segment);
  }
  // A number-like string key is quoted so that it reads back as the same string, not an index.
  if (segment === "" || /["\\.[\]]/.test(segment) || toIndex(segment) !== undefined) return quote(segment);
  return segment;
}

function quote(key: string): string {
  return `"${key.replace(/["\\]/g, "\\$&")}"`;
}
