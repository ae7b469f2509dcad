/** The environment `${VAR}` placeholders are resolved against. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** The result of interpolating one string. */
export interface InterpolationResult {
  /** The string with every placeholder replaced. */
  value: string;
  /** Variables that were unset and had no default (each replaced by `""`), in order of use. */
  unset: string[];
  /** True when the whole string was exactly one placeholder (`${PORT:-8080}`), so it may be typed. */
  whole: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
// A default may itself hold placeholders (`${A:-${B}}`); this bounds how deep they may nest.
const MAX_NESTING = 8;

interface Scan {
  text: string;
  env: ConfigEnv;
  unset: string[];
  /** For each `${` offset, the offset of the `}` that closes it (found in one pass, so scanning stays linear). */
  closers: Map<number, number>;
}

/**
 * Replaces `${VAR}`, `${VAR:-default}` and `${VAR-default}` in a string, the way the NeMo Agent
 * Toolkit (and the shell) does: `:-` uses the default when the variable is unset or empty, `-` only
 * when it is unset; an unset variable with no default becomes `""` and is reported in `unset`.
 * `$${` is an escaped, literal `${`. Text that is not a valid placeholder is left as it is.
 * @param text the string value
 * @param env the environment to read
 * @returns the interpolated string and the unset variables
 * @example interpolateEnv("http://${HOST:-localhost}:8080", {}).value // "http://localhost:8080"
 */
export function interpolateEnv(text: string, env: ConfigEnv): InterpolationResult {
  const unset: string[] = [];
  if (!text.includes("${")) return { value: text, unset, whole: false };
  const scan: Scan = { text, env, unset, closers: matchBraces(text) };
  const single = text.startsWith("${") ? readPlaceholder(scan, 0, 0) : undefined;
  if (single && single.end === text.length) return { value: single.value, unset, whole: true };
  unset.length = 0;
  return { value: expand(scan, 0, text.length, 0), unset, whole: false };
}

function matchBraces(text: string): Map<number, number> {
  const closers = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "$" && text[i + 1] === "$" && text[i + 2] === "{") i += 2;
    else if (ch === "$" && text[i + 1] === "{") {
      open.push(i);
      i++;
    } else if (ch === "}" && open.length > 0) closers.set(open.pop() as number, i);
  }
  return closers;
}

function expand(scan: Scan, start: number, end: number, nesting: number): string {
  const { text } = scan;
  let out = "";
  let i = start;
  while (i < end) {
    const ch = text[i];
    if (ch === "$" && text[i + 1] === "$" && text[i + 2] === "{") {
      out += "${";
      i += 3;
      continue;
    }
    if (ch === "$" && text[i + 1] === "{") {
      const placeholder = readPlaceholder(scan, i, nesting);
      if (placeholder && placeholder.end <= end) {
        out += placeholder.value;
        i = placeholder.end;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return out;
}

function readPlaceholder(scan: Scan, at: number, nesting: number): { value: string; end: number } | undefined {
  const { text, env } = scan;
  const close = scan.closers.get(at);
  if (close === undefined) return undefined;
  const body = text.slice(at + 2, close);
  const name = NAME.exec(body)?.[0];
  if (name === undefined) return undefined;
  const raw = Object.hasOwn(env, name) ? env[name] : undefined;
  const rest = body.slice(name.length);
  if (rest === "") {
    if (raw === undefined) scan.unset.push(name);
    return { value: raw ?? "", end: close + 1 };
  }
  const colon = rest.startsWith(":-");
  if ((!colon && !rest.startsWith("-")) || nesting >= MAX_NESTING) return undefined;
  const useDefault = raw === undefined || (colon && raw === "");
  // The default is expanded only when it is used, so an unset variable in an unused default is not reported.
  if (!useDefault) return { value: raw ?? "", end: close + 1 };
  const defaultStart = at + 2 + name.length + (colon ? 2 : 1);
  return { value: expand(scan, defaultStart, close, nesting + 1), end: close + 1 };
}
