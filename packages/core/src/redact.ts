import { defineOwn } from "./tree.js";

/** What secret values are replaced with in every message, event, status and listing. */
export const REDACTED = "***";

const SECRET_KEY =
  /^(?:api[_-]?key|apikey|.*[_-]key|token|.*[_-]token|access[_-]?token|password|passwd|.*[_-]password|secret|.*[_-]secret|credentials?|private[_-]?key|auth[_-]?header|authorization|bearer)$/i;

/** Which extra keys or paths a manager treats as secret. */
export type SecretKeyPattern = string | RegExp;

/**
 * True when a key's value should never be printed: `api_key`, `*_key`, `token`, `password`, `secret`
 * and the like, or a key matched by one of `extra`.
 * @param key the last segment of a path
 * @param extra more keys (exact, case-insensitive) or patterns
 */
export function isSecretKey(key: string | number, extra: readonly SecretKeyPattern[] = []): boolean {
  if (typeof key !== "string") return false;
  if (SECRET_KEY.test(key)) return true;
  return extra.some((p) =>
    typeof p === "string" ? !p.includes(".") && p.toLowerCase() === key.toLowerCase() : p.test(key),
  );
}

/**
 * True when a path (as segments) is secret: one of its keys is secret (a value anywhere under
 * `credentials` is), or it is at or under a dotted pattern such as `llms.*.endpoint`. The one rule
 * for every place that decides whether to print a value (core and the CLI).
 * @param path - keys and indexes, e.g. `["llms", "main_llm", "api_key"]`
 * @param extra - more secret keys or dotted path patterns (a manager's `secretKeys`)
 * @returns whether a value at that path must be shown as `***`
 */
export function isSecretPath(path: readonly (string | number)[], extra: readonly SecretKeyPattern[] = []): boolean {
  if (path.some((segment) => isSecretKey(segment, extra))) return true;
  return extra.some((p) => typeof p === "string" && p.includes(".") && matchesPathPattern(p.split("."), path));
}

function matchesPathPattern(pattern: readonly string[], path: readonly (string | number)[]): boolean {
  return pattern.length <= path.length && pattern.every((seg, i) => seg === "*" || seg === String(path[i]));
}

/** Every string and number value under a secret key anywhere in `value`. */
export function collectSecrets(
  value: unknown,
  extra: readonly SecretKeyPattern[] = [],
  into: Set<string> = new Set(),
  path: (string | number)[] = [],
): Set<string> {
  const dotted = extra.some((p) => typeof p === "string" && p.includes("."));
  collectUnder(
    value,
    { extra, into, dotted },
    path,
    path.some((segment) => isSecretKey(segment, extra)),
  );
  return into;
}

/**
 * {@link collectSecrets} of a whole document with the same result (the same values, in the same
 * order), for a large document: the subtrees two levels down are walked first, one at a time, with
 * `pause` awaited between them; then the top levels, taking what they found.
 */
export async function collectSecretsInSlices(
  value: unknown,
  extra: readonly SecretKeyPattern[],
  pause: () => Promise<void>,
  into: Set<string> = new Set(),
): Promise<Set<string>> {
  const done: WalkedSubtrees = new Map();
  for (const [k1, child] of containersBelow(value)) {
    const row = new Map<string | number, { value: unknown; found: Set<string> }>();
    done.set(k1, row);
    for (const [k2, grandchild] of containersBelow(child)) {
      row.set(k2, { value: grandchild, found: collectSecrets(grandchild, extra, new Set(), [k1, k2]) });
      await pause();
    }
  }
  const dotted = extra.some((p) => typeof p === "string" && p.includes("."));
  collectUnder(value, { extra, into, dotted, done }, [], false);
  return into;
}

/** What collectSecretsInSlices found under each subtree two levels down, by its path. */
type WalkedSubtrees = Map<string | number, Map<string | number, { value: unknown; found: Set<string> }>>;

// The children of a node that have children, keyed as the walk's paths are (an index for a list).
function containersBelow(value: unknown): [string | number, object][] {
  if (typeof value !== "object" || value === null) return [];
  const list = Array.isArray(value);
  return Object.entries(value).flatMap(([key, child]): [string | number, object][] =>
    typeof child === "object" && child !== null ? [[list ? Number(key) : key, child]] : [],
  );
}

// One test of each new key, not of the whole path again at every level (a 1 MB config has tens of
// thousands of values): `secretAbove` says a key above is secret already; dotted patterns still
// look at the whole path.
function collectUnder(
  value: unknown,
  walk: { extra: readonly SecretKeyPattern[]; into: Set<string>; dotted: boolean; done?: WalkedSubtrees },
  path: (string | number)[],
  secretAbove: boolean,
): void {
  if (typeof value !== "object" || value === null) return;
  const { extra, into, dotted, done } = walk;
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, Array.isArray(value) ? Number(key) : key];
    const walked =
      done !== undefined && path.length === 1
        ? done.get(path[0] as string | number)?.get(childPath[1] as string | number)
        : undefined;
    if (walked !== undefined && walked.value === child) {
      for (const secret of walked.found) into.add(secret);
      continue;
    }
    const secretKey = secretAbove || isSecretKey(childPath.at(-1) as string | number, extra);
    const secret = secretKey || (dotted && isSecretPath(childPath, extra));
    if (secret && (typeof child === "string" || typeof child === "number")) {
      const text = String(child);
      // Very short values would turn ordinary words into asterisks; they are no real secret anyway.
      if (text.length >= 4 && text !== REDACTED) into.add(text);
    } else {
      collectUnder(child, walk, childPath, secretKey);
    }
  }
}

// Tokens that look like a credential whatever key holds them: a provider's key prefix (`sk-`,
// `nvapi-`, `ghp_`...), or 20 or more letters and digits in a row, with at least one of each.
const CREDENTIAL =
  /(?:\b(?:sk|nvapi|ghp|gho|github_pat|xox[abp]|hf)[-_][A-Za-z0-9_-]+|\bAKIA[A-Z0-9]{12,}|\bAIza[A-Za-z0-9_-]{20,}|(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,})/g;

/** True when a value looks like a credential (`sk-...`, `nvapi-...`, a long mix of letters and digits). */
export function looksLikeCredential(text: string): boolean {
  CREDENTIAL.lastIndex = 0;
  return CREDENTIAL.test(text);
}

/** A text with every token that looks like a credential replaced by `***`. */
export function maskCredentials(text: string): string {
  return text.replace(CREDENTIAL, REDACTED);
}

/**
 * Replaces every occurrence of each secret in a text with `***`.
 * @param text any message
 * @param secrets the values to hide
 */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  // Longest first, so a secret that contains another is hidden whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A deep copy of a config with every secret value replaced by `***`, for printing.
 * @param config the config (not changed)
 * @param extra more secret keys or dotted path patterns
 */
export function redactConfig<T>(config: T, extra: readonly SecretKeyPattern[] = [], path: (string | number)[] = []): T {
  if (typeof config !== "object" || config === null) return config;
  if (Array.isArray(config)) return config.map((item, i) => redactConfig(item, extra, [...path, i])) as T;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(config)) {
    const childPath = [...path, key];
    const value =
      isSecretPath(childPath, extra) && child !== null && child !== "" && typeof child !== "object"
        ? REDACTED
        : redactConfig(child, extra, childPath);
    defineOwn(out, key, value);
  }
  return out as T;
}

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

type Inspect = (value: unknown, options: unknown) => string;

/**
 * Makes `util.inspect` / `console.log` show `***` for the secret keys of an object while the object
 * keeps its real values (the program needs them). The hook is a non-enumerable symbol property:
 * keys, JSON and equality are unaffected. Each object hides its own secret keys; nested objects
 * carry their own hook.
 */
export function hideSecretsFromInspect(value: object, extra: readonly SecretKeyPattern[] = []): void {
  if (Array.isArray(value)) return;
  const secretKeys = Object.keys(value).filter((key) => {
    const child = (value as Record<string, unknown>)[key];
    return isSecretKey(key, extra) && (typeof child === "string" || typeof child === "number") && child !== "";
  });
  if (secretKeys.length === 0 || Object.hasOwn(value, INSPECT)) return;
  Object.defineProperty(value, INSPECT, {
    enumerable: false,
    value(this: Record<string, unknown>, _depth: number, options: unknown, inspect: Inspect): string {
      const shown: Record<string, unknown> = {};
      for (const key of Object.keys(this)) {
        Object.defineProperty(shown, key, { value: secretKeys.includes(key) ? REDACTED : this[key], enumerable: true });
      }
      return inspect(shown, options);
    },
  });
}
