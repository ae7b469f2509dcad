import { hash } from "node:crypto";
import { ConfigReloadError, ConfigValidationError, type SecretKeyPattern, type SourceDocument } from "@aiq/config-core";
import { type ConfigEnv, parseConfig } from "@aiq/config-loader";
import { sourceIdOf, tooLarge } from "./errors.js";
import { DEFAULT_ETCD_MAX_BYTES } from "./options.js";

/** Options of {@link parseEtcdValue}: the key the value is stored under, what issues name, the loader's limits. */
export interface ParseEtcdValueOptions {
  /** The key the value is (or is to be) stored under: its name says the format (see {@link etcdValueFormat}). */
  key: string;
  /** The value's revision (its `mod_revision`), kept as the document's `revision`. @default none */
  revision?: string | undefined;
  /**
   * What issues name as the file.
   * @default `etcd:<key>@<revision>`, or `etcd:<key>` without a revision
   */
  filename?: string | undefined;
  /**
   * Largest value accepted, in bytes.
   * @default 1048576 (1 MiB, {@link DEFAULT_ETCD_MAX_BYTES})
   */
  maxBytes?: number | undefined;
  /**
   * How many alias expansions a YAML value may make; `0` rejects any alias.
   * @default 100
   */
  maxAliasCount?: number | undefined;
  /**
   * How deeply lists and mappings may nest.
   * @default 256
   */
  maxDepth?: number | undefined;
  /**
   * The variables `${VAR}` placeholders are replaced with.
   * @default process.env
   */
  env?: ConfigEnv | undefined;
  /**
   * Extra keys or dotted path patterns whose values the code frames of syntax errors show as `***`.
   * @default []
   */
  secretKeys?: readonly SecretKeyPattern[] | undefined;
}

// One decoder for every value: a fatal decoder keeps no state between whole decode() calls, and
// making one costs more than decoding a small value (~20 µs vs ~3 µs, measured).
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** How issues name one revision of a key: `etcd:<key>@<revision>`. */
export function revisionName(key: string, revision: string): string {
  return `${sourceIdOf(key)}@${revision}`;
}

/**
 * The format of the value of an etcd key: JSON when the key ends in `.json` (any case), else YAML.
 * @example etcdValueFormat("aiq/prod/agent.json") // "json"
 */
export function etcdValueFormat(key: string): "yaml" | "json" {
  return /\.json$/i.test(key) ? "json" : "yaml";
}

/**
 * Parses a value the way every process following the key does before it validates it, so a
 * writer (`aiq-config push`) can refuse what the fleet would refuse: size limit, strict UTF-8,
 * YAML or JSON by the key's name ({@link etcdValueFormat}), positions and `${VAR}` interpolation
 * from `env`; a top-level `base:` is refused, since a value in etcd must be whole. Validation
 * against the schema is the next step (`resolveConfig` of `@aiq/config-core`).
 * @param value - the value as stored (bytes) or as text
 * @param options - the key, the revision and what issues name, the limits and environment
 * @returns the document a manager validates: data, positions, the loader's warnings, a checksum of the value, the revision
 * @throws ConfigReloadError `TOO_LARGE` (over `maxBytes`) or `ENCODING`; ConfigValidationError for a syntax error or `base:`
 * @example
 * const document = parseEtcdValue(readFileSync("agent.yml"), { key: "aiq/prod/agent.yml", filename: "agent.yml" });
 * await resolveConfig(document, { sourceId: "agent.yml" });
 */
export function parseEtcdValue(value: string | Uint8Array, options: ParseEtcdValueOptions): SourceDocument {
  const { key, revision } = options;
  const name = options.filename ?? (revision === undefined ? sourceIdOf(key) : revisionName(key, revision));
  const maxBytes = options.maxBytes ?? DEFAULT_ETCD_MAX_BYTES;
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  if (bytes.length > maxBytes) throw tooLarge({ key, maxBytes }, bytes.length, revision);
  let text: string;
  try {
    text = typeof value === "string" ? value : UTF8.decode(value);
  } catch (error) {
    throw new ConfigReloadError("ENCODING", `${name} is not valid UTF-8; store the config as UTF-8 text.`, {
      sourceId: sourceIdOf(key),
      cause: error,
    });
  }
  const parsed = parseConfig(text, {
    filename: name,
    format: etcdValueFormat(key),
    maxAliasCount: options.maxAliasCount,
    maxDepth: options.maxDepth,
    env: options.env,
    secretKeys: options.secretKeys,
  });
  const data = parsed.data;
  if (typeof data === "object" && data !== null && !Array.isArray(data) && Object.hasOwn(data, "base")) {
    const at = parsed.locate(["base"]);
    throw new ConfigValidationError(
      [
        {
          path: "base",
          message: "base: is not supported in etcd: store the whole config in the key (merge the base file into it)",
          file: name,
          ...(at ? { line: at.line, column: at.column } : {}),
        },
      ],
      { sourceId: sourceIdOf(key) },
    );
  }
  return {
    data,
    // One-shot hash: the same hex SHA-256 as createHash, without its object per value.
    checksum: hash("sha256", bytes, "hex"),
    locate: parsed.locate,
    warnings: parsed.warnings,
    ...(revision === undefined ? {} : { revision }),
    // The code frames of a failed reload are cut from this text (only then is it called).
    sourceText: () => text,
  };
}
