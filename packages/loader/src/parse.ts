import { type ConfigPath, ConfigReloadError, type SecretKeyPattern, type SourceLocation } from "@aiq/config-core";
import { isEmptyDocument } from "./empty.js";
import { issueAt, parseFailure } from "./errors.js";
import type { ConfigEnv } from "./interpolate.js";
import { DEFAULT_MAX_ALIAS_COUNT, DEFAULT_MAX_DEPTH } from "./limits.js";
import { parseJson } from "./parse-json.js";
import { type ParsedFile, parseYaml } from "./parse-yaml.js";
import { chainLocator } from "./positions.js";

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** The file name: its extension picks the format (`.yml`, `.yaml`, `.json`), and issues name it. */
  filename: string;
  /**
   * The format, for text whose name has no config extension (an etcd key: `etcd:<key>@<revision>`).
   * @default from the extension of `filename`
   */
  format?: ConfigFormat | undefined;
  /**
   * How many alias expansions a YAML document may make; `0` rejects any alias.
   * @default 100
   */
  maxAliasCount?: number | undefined;
  /**
   * How deeply lists and mappings may nest. Much more than the default risks exhausting the stack
   * in yaml's composer (it recurses per level).
   * @default 256
   */
  maxDepth?: number | undefined;
  /**
   * The variables `${VAR}` placeholders are replaced with.
   * @default process.env
   */
  env?: ConfigEnv | undefined;
  /**
   * Extra keys or dotted path patterns whose values the code frames of syntax errors show as `***`
   * (the built-in `api_key`, `*_key`, `token`, `password`, `secret`... always are).
   * @default []
   */
  secretKeys?: readonly SecretKeyPattern[] | undefined;
}

/** A parsed config document. */
export interface ParsedConfig {
  /** The data: plain objects, arrays and scalars. */
  data: unknown;
  /**
   * Where the value (or, for an empty value, the key) at a path was written; 1-based.
   * @param path keys and indexes, e.g. `["llms", "main_llm", "temperature"]`
   */
  locate(path: ConfigPath): SourceLocation | undefined;
  /** Unset `${VAR}`s without a default, each naming the variable and the path (never a value). */
  warnings: readonly string[];
}

/** The formats a config file may be in. */
export type ConfigFormat = "yaml" | "json";

/**
 * The format of a config file, from its extension (case-insensitive).
 * @param filename a file name or path
 * @returns `yaml` for `.yml`/`.yaml`, `json` for `.json`, else undefined
 */
export function configFormatOf(filename: string): ConfigFormat | undefined {
  const match = /\.(ya?ml|json)$/i.exec(filename);
  if (!match) return undefined;
  return (match[1] as string).toLowerCase() === "json" ? "json" : "yaml";
}

/** Parses text into a file's data, locator and warnings; the internal form of {@link parseConfig}. */
export function parseConfigFile(text: string, options: ParseConfigOptions): ParsedFile {
  const file = options.filename;
  const format = options.format ?? configFormatOf(file);
  if (!format) {
    const message = "unsupported config file extension; expected .yml, .yaml or .json";
    throw parseFailure("INVALID_CONFIG", [issueAt(file, message)], file);
  }
  // A UTF-8 byte order mark is not content (TextDecoder drops it too, but text may come from elsewhere).
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Before parsing, whatever the schema: an empty file is what a read sees mid truncate-then-write.
  if (isEmptyDocument(body, format)) {
    const what = body === "" ? "is empty" : "is empty (only whitespace and comments)";
    throw new ConfigReloadError("EMPTY", `Config file ${file} ${what}`, { sourceId: file });
  }
  const context = {
    file,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT,
    env: options.env ?? process.env,
    secretKeys: options.secretKeys ?? [],
  };
  return format === "json" ? parseJson(body, context) : parseYaml(body, context);
}

/**
 * Parses the text of a YAML (1.2, core schema) or JSON config file, chosen by the file name's
 * extension: duplicate keys, explicit tags, `%YAML 1.1` and excessive nesting or alias expansion are
 * errors, `${VAR}`/`${VAR:-default}` are replaced in values, and positions are kept. A text with
 * no document (nothing, or only whitespace, comments and `---`) is refused with code `EMPTY`.
 * @param text the file's text
 * @param options the file name (for the format and for issues) and limits
 * @returns the data, a `locate(path)` giving line and column, and warnings
 * @throws ConfigValidationError with code `SYNTAX`, `DUPLICATE_KEY`, `UNSUPPORTED_TAG`, `RESOURCE_LIMIT` or `INVALID_CONFIG` (extension); ConfigReloadError `EMPTY`
 * @example
 * const { data, locate } = parseConfig("llms:\n  main:\n    temperature: 0.7\n", { filename: "config.yml" });
 * locate(["llms", "main", "temperature"]); // { line: 3, column: 18, file: "config.yml" }
 */
export function parseConfig(text: string, options: ParseConfigOptions): ParsedConfig {
  const parsed = parseConfigFile(text, options);
  return { data: parsed.data, locate: chainLocator([parsed.locate]), warnings: parsed.warnings };
}
