import { readFile, stat } from "node:fs/promises";
import {
  type ConfigIssue,
  ConfigReloadError,
  type Logger,
  ConfigValidationError,
  isSecretPath,
  REDACTED,
  redactText,
  resolveConfig,
  type StandardSchemaV1,
} from "@aiq/config-core";
import { etcdValueFormat, parseEtcdValue } from "@aiq/config-etcd";
import { type ConfigEnv, parseConfig } from "@aiq/config-loader";

/** The text of a config value and where it came from, to validate and push. */
export interface ConfigText {
  text: string;
  /** What issues name: the file pushed, or `etcd:<key>@<revision>`. */
  filename: string;
  /** The key it is stored under, or goes to: its name says the format every process parses it as. */
  key: string;
}

function tooLarge(what: string, size: number, maxBytes: number): ConfigReloadError {
  return new ConfigReloadError(
    "TOO_LARGE",
    `${what} is ${size} bytes, over the ${maxBytes} bytes an etcd value may hold here (--max-bytes); nothing was sent.`,
  );
}

/**
 * Reads a local config file to push, refusing it unread when it is over `maxBytes`.
 * @throws ConfigReloadError `TOO_LARGE`, `ENCODING`, or the file's own read error (`ENOENT`...)
 */
export async function readPushFile(file: string, maxBytes: number, key: string): Promise<ConfigText> {
  let bytes: Buffer;
  try {
    const size = (await stat(file)).size;
    if (size > maxBytes) throw tooLarge(file, size, maxBytes);
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof ConfigReloadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const known = code === "ENOENT" || code === "EACCES" || code === "EISDIR" ? code : "READ_FAILED";
    throw new ConfigReloadError(known, `Cannot read ${file}: ${code ?? String(error)}`, {
      cause: error,
      sourceId: file,
    });
  }
  if (bytes.length > maxBytes) throw tooLarge(file, bytes.length, maxBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new ConfigReloadError("ENCODING", `${file} is not UTF-8 text; save it as UTF-8.`, {
      cause: error,
      sourceId: file,
    });
  }
  return { text, filename: file, key };
}

/** Refuses text over `maxBytes` (its UTF-8 length) before anything is sent. */
export function checkValueSize(value: ConfigText, maxBytes: number): void {
  const size = Buffer.byteLength(value.text, "utf8");
  if (size > maxBytes) throw tooLarge(value.filename, size, maxBytes);
}

// Every `${VAR}` reads as this mark, so a value under a secret key shows whether it was written as
// a placeholder (it holds the mark) or as the secret itself.
const MARK = "\u0000aiq-placeholder\u0000";
const MARK_ENV = new Proxy(
  {},
  {
    get: () => MARK,
    getOwnPropertyDescriptor: () => ({ value: MARK, configurable: true, enumerable: true, writable: false }),
  },
) as Readonly<Record<string, string>>;

interface LiteralSecret {
  path: (string | number)[];
  text: string;
  at: { line: number; column: number } | undefined;
}

/** Each value under a secret key (`api_key`, `*_token`, `password`...) written as it is rather than as a `${VAR}`. */
function literalSecrets(value: ConfigText): LiteralSecret[] {
  const parsed = parseConfig(value.text, {
    filename: value.filename,
    format: etcdValueFormat(value.key),
    env: MARK_ENV,
  });
  const found: LiteralSecret[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (typeof node !== "object" || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      const at = [...path, Array.isArray(node) ? Number(key) : key];
      if (isSecretPath(at) && (typeof child === "string" || typeof child === "number")) {
        const text = String(child);
        // As core's redaction: very short values are no real secret (and would star ordinary words).
        if (!text.includes(MARK) && (text.length >= 4 || text === REDACTED))
          found.push({ path: at, text, at: parsed.locate(at) });
      } else {
        walk(child, at);
      }
    }
  };
  walk(parsed.data, []);
  return found;
}

/**
 * Refuses a value that holds a secret as it is: a stored value is read by every process, every
 * operator who can `pull`, and every backup of etcd, so secrets stay `${VAR}` placeholders that
 * each process fills from its own environment.
 * @throws ConfigValidationError with one issue per secret, its value never shown
 */
export function refuseLiteralSecrets(value: ConfigText): void {
  const issues: ConfigIssue[] = literalSecrets(value).map(({ path, text, at }) => {
    const name = String(path[path.length - 1])
      .toUpperCase()
      .replace(/[^A-Z0-9_]/g, "_");
    const message =
      text === REDACTED
        ? `holds ${REDACTED}, the mark \`pull\` shows for a secret stored as it is; write a \${VAR} placeholder instead`
        : `a secret is not stored in etcd as it is; write \${${name}} (or another \${VAR}) and set it in each process's environment`;
    return { path: path.join("."), message, file: value.filename, ...(at ? { line: at.line, column: at.column } : {}) };
  });
  if (issues.length > 0) throw new ConfigValidationError(issues, { sourceId: value.filename });
}

/** The value with any secret stored as it is (not as a `${VAR}`) replaced by `***`: what `pull` prints. */
export function redactStoredValue(value: ConfigText): string {
  try {
    return redactText(
      value.text,
      literalSecrets(value).map(({ text }) => text),
    );
  } catch {
    // A value that does not parse holds no secret we could find by key; it is printed as stored.
    return value.text;
  }
}

/**
 * Validates a value the way every process of the fleet will before it applies it: parsed by
 * `parseEtcdValue` of `@aiq/config-etcd` (the format of its key, `${VAR}` placeholders filled from
 * `env`, `base:` refused: a stored value must be whole), then checked against the schema. Warnings
 * (an unset `${VAR}`, a likely typo) go to `logger`.
 * @throws ConfigValidationError listing every issue; ConfigReloadError `TOO_LARGE` over `maxBytes`
 */
export async function validateValue(
  value: ConfigText,
  options: {
    env: ConfigEnv;
    strictKeys: boolean;
    logger: Logger;
    maxBytes: number;
    schema?: StandardSchemaV1<unknown, unknown> | undefined;
  },
): Promise<void> {
  const document = parseEtcdValue(value.text, {
    key: value.key,
    filename: value.filename,
    env: options.env,
    maxBytes: options.maxBytes,
  });
  for (const warning of document.warnings ?? []) options.logger.warn(warning);
  await resolveConfig(document, {
    sourceId: value.filename,
    strictKeys: options.strictKeys,
    logger: options.logger,
    schema: options.schema,
  });
}
