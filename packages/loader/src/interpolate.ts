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

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A default may itself hold placeholders (`${A:-${B}}`); this bounds how deep they may nest.
const MAX_NESTING = 8;

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
  const { value, end, placeholders } = expand(text, 0, env, unset, 0, false);
  const whole = placeholders === 1 && isSinglePlaceholder(text);
  return { value, unset, whole: whole && end === text.length };
}

interface Expansion {
  value: string;
  /** Where scanning stopped: the end of the text, or the `}` closing a nested default. */
  end: number;
  placeholders: number;
}

function expand(text: string, start: number, env: ConfigEnv, unset: string[], nesting: number, inDefault: boolean): Expansion {
  let out = "";
  let i = start;
  let placeholders = 0;
  while (i < text.length) {
    const ch = text[i];
    if (inDefault && ch === "}") return { value: out, end: i, placeholders };
    if (ch === "$" && text[i + 1] === "$" && text[i + 2] === "{") {
      out += "${";
      i += 3;
      continue;
    }
    if (ch === "$" && text[i + 1] === "{") {
      const placeholder = readPlaceholder(text, i, env, unset, nesting);
      if (placeholder) {
        out += placeholder.value;
        i = placeholder.end;
        placeholders++;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return { value: out, end: i, placeholders };
}

function readPlaceholder(
  text: string,
  at: number,
  env: ConfigEnv,
  unset: string[],
  nesting: number,
): { value: string; end: number } | undefined {
  const nameStart = at + 2;
  let i = nameStart;
  while (i < text.length && /[A-Za-z0-9_]/.test(text[i] as string)) i++;
  const name = text.slice(nameStart, i);
  if (!NAME.test(name)) return undefined;
  const raw = Object.hasOwn(env, name) ? env[name] : undefined;
  if (text[i] === "}") {
    if (raw === undefined) unset.push(name);
    return { value: raw ?? "", end: i + 1 };
  }
  const colon = text[i] === ":" && text[i + 1] === "-";
  if (!colon && text[i] !== "-") return undefined;
  if (nesting >= MAX_NESTING) return undefined;
  // The default is expanded only when it is used, so an unset variable inside an unused default is not reported.
  const useDefault = raw === undefined || (colon && raw === "");
  const defaultUnset: string[] = [];
  const fallback = expand(text, i + (colon ? 2 : 1), env, defaultUnset, nesting + 1, true);
  if (text[fallback.end] !== "}") return undefined;
  if (!useDefault) return { value: raw ?? "", end: fallback.end + 1 };
  unset.push(...defaultUnset);
  return { value: fallback.value, end: fallback.end + 1 };
}

function isSinglePlaceholder(text: string): boolean {
  return text.startsWith("${") && text.endsWith("}");
}

const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INF = /^[-+]?\.(?:inf|Inf|INF)$/;
const NAN = /^\.(?:nan|NaN|NAN)$/;

/**
 * Types a string the way a plain YAML 1.2 core-schema scalar is typed (`8080` -> 8080, `true` ->
 * true, `null`/`~` -> null, `0x1F` -> 31, `.inf` -> Infinity); anything else stays a string. Never
 * yields a collection: an environment value cannot inject YAML structure.
 * @param text the interpolated value of an unquoted scalar
 * @returns the typed value
 * @example resolveCoreScalar("0.7") // 0.7
 */
export function resolveCoreScalar(text: string): string | number | boolean | null {
  // An empty result stays "" (an unset variable is "", as in the toolkit), not YAML's empty null.
  if (text === "") return "";
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return text[0] === "t" || text[0] === "T";
  if (OCT.test(text)) return Number.parseInt(text.slice(2), 8);
  if (HEX.test(text)) return Number.parseInt(text.slice(2), 16);
  if (INT.test(text)) return Number.parseInt(text, 10);
  if (FLOAT.test(text)) return Number.parseFloat(text);
  if (INF.test(text)) return text.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (NAN.test(text)) return Number.NaN;
  return text;
}
