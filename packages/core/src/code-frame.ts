import { isSecretKey, maskCredentials, REDACTED, redactText, type SecretKeyPattern } from "./redact.js";

/** Options of {@link formatCodeFrame}. */
export interface CodeFrameOptions {
  /**
   * Lines shown before and after the line of the position.
   * @default 2
   */
  linesAround?: number | undefined;
  /** Values to show as `***` wherever they appear (e.g. the secret values of the parsed document). */
  secrets?: Iterable<string> | undefined;
  /**
   * Extra secret keys (as a manager's `secretKeys`); the built-in ones (`api_key`, `*_key`, `token`,
   * `password`, `secret`...) are always masked. A dotted pattern masks its last key.
   * @default []
   */
  secretKeys?: readonly SecretKeyPattern[] | undefined;
}

/** A 1-based place in a text. */
export interface CodeFramePosition {
  line: number;
  column?: number | undefined;
}

const MAX_WIDTH = 120;
// How far up an enclosing key is looked for: a secret mapping or block scalar masks what it holds.
const MAX_LOOKBACK = 200;

/**
 * The lines around a position with a caret under it, as compilers print them; the values of secret
 * keys (and of the lines nested under one) are shown as `***`, and so is every value in `secrets`
 * and every token that looks like a credential (`sk-...`, `nvapi-...`, a long mix of letters and digits).
 * It only formats the text it is given: a file's, an etcd value's, any string. Tabs show as `→`.
 * @param text the whole source text
 * @param position the 1-based line (and column) to point at
 * @param options lines around, secret values and keys
 * @returns the frame, lines joined with `\n`, no colours; `""` when the line is not in the text
 * @example
 * formatCodeFrame("llms:\n  main:\n    api_key: sk-1\n    temprature: 1\n", { line: 4, column: 5 });
 * // "  2 |   main:\n  3 |     api_key: ***\n> 4 |     temprature: 1\n    |     ^"
 */
export function formatCodeFrame(text: string, position: CodeFramePosition, options: CodeFrameOptions = {}): string {
  const lines = text.split(/\r?\n|\r/);
  // A final newline ends the last line; it does not start another.
  if (lines.length > 1 && lines.at(-1) === "") lines.pop();
  const index = position.line - 1;
  if (index < 0 || index >= lines.length) return "";
  const around = options.linesAround ?? 2;
  const first = Math.max(0, index - around);
  const last = Math.min(lines.length - 1, index + around);
  const keys = frameSecretKeys(options.secretKeys ?? []);
  const secrets = [...(options.secrets ?? [])];
  const width = String(last + 1).length;
  const column = Math.max(1, position.column ?? 1);
  // One horizontal window for every line, so the caret stays under its column.
  const start = column > MAX_WIDTH - 20 ? column - (MAX_WIDTH - 40) : 0;
  const out: string[] = [];
  for (let i = first; i <= last; i++) {
    const shown = showLine(maskCredentials(redactText(maskLine(lines, i, keys), secrets)), start);
    const gutter = `${i === index ? ">" : " "} ${String(i + 1).padStart(width)} |`;
    out.push(shown === "" ? gutter : `${gutter} ${shown}`);
    if (i === index && position.column !== undefined)
      out.push(`  ${" ".repeat(width)} | ${" ".repeat(column - 1 - start)}^`);
  }
  return out.join("\n");
}

function frameSecretKeys(patterns: readonly SecretKeyPattern[]): SecretKeyPattern[] {
  return patterns
    .map((p) => (typeof p === "string" && p.includes(".") ? (p.split(".").at(-1) ?? "") : p))
    .filter((p) => p !== "" && p !== "*");
}

function showLine(line: string, start: number): string {
  const visible = line.replaceAll("\t", "→");
  const cut = visible.slice(start, start + MAX_WIDTH);
  return `${start > 0 ? "…" : ""}${cut}${start + MAX_WIDTH < visible.length ? "…" : ""}`.trimEnd();
}

// `key:` / `"key":` / `key =` anywhere on a line (block or flow mapping, JSON), and a leading
// `key value` with its colon missing: a broken line is still masked.
const KEY_SEPARATOR = /(["']?)([A-Za-z0-9_.-]+)\1[ \t]*[:=]/g;
const LEADING_KEY = /^([ \t]*(?:-[ \t]+)?)(["']?)([A-Za-z0-9_.-]+)\2[ \t]+(?=\S)/;

/** One line with every value that follows a secret key (or sits nested under one) replaced by `***`. */
function maskLine(lines: readonly string[], index: number, keys: readonly SecretKeyPattern[]): string {
  const line = lines[index] as string;
  if (line.trim() === "") return line;
  const indent = indentOf(line);
  if (underSecretKey(lines, index, indent, keys)) return `${line.slice(0, indent)}${REDACTED}`;
  for (const match of line.matchAll(KEY_SEPARATOR)) {
    if (isSecretKey(match[2] as string, keys)) return maskFrom(line, (match.index ?? 0) + match[0].length);
  }
  const leading = LEADING_KEY.exec(line);
  if (leading && isSecretKey(leading[3] as string, keys)) return maskFrom(line, leading[0].length);
  return line;
}

function maskFrom(line: string, offset: number): string {
  const rest = line.slice(offset);
  return rest.trim() === "" ? line : `${line.slice(0, offset)}${rest.startsWith(" ") ? " " : ""}${REDACTED}`;
}

function indentOf(line: string): number {
  return /^[ \t]*/.exec(line)?.[0].length ?? 0;
}

/** True when a line is nested (more indented) under a secret key: a block scalar or mapping it holds. */
function underSecretKey(
  lines: readonly string[],
  index: number,
  indent: number,
  keys: readonly SecretKeyPattern[],
): boolean {
  let limit = indent;
  for (let i = index - 1; i >= 0 && i >= index - MAX_LOOKBACK && limit > 0; i--) {
    const line = lines[i] as string;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const own = indentOf(line);
    if (own >= limit) continue;
    limit = own;
    const key = /^(?:-[ \t]+)?(["']?)([A-Za-z0-9_.-]+)\1[ \t]*:/.exec(trimmed);
    if (key && isSecretKey(key[2] as string, keys)) return true;
  }
  return false;
}
