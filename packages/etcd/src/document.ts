import { createHash } from "node:crypto";
import { ConfigReloadError, ConfigValidationError, type SecretKeyPattern, type SourceDocument } from "@aiq/config-core";
import { type ConfigEnv, parseConfig } from "@aiq/config-loader";
import { sourceIdOf, tooLarge } from "./errors.js";
import type { EtcdConnection } from "./options.js";

/** The loader's limits and environment, as a source applies them to each value. */
export interface ParseLimits {
  maxAliasCount?: number | undefined;
  maxDepth?: number | undefined;
  env?: ConfigEnv | undefined;
  secretKeys?: readonly SecretKeyPattern[] | undefined;
}

/** How issues name one revision of a key: `etcd:<key>@<revision>`. */
export function revisionName(key: string, revision: string): string {
  return `${sourceIdOf(key)}@${revision}`;
}

/**
 * Turns one revision of the key's value into a document through the loader's pipeline: size
 * limit, strict UTF-8, YAML (JSON when the key ends in `.json`) with positions and `${VAR}`
 * interpolation. A top-level `base:` is refused: a value in etcd must be whole.
 * @throws ConfigReloadError `TOO_LARGE` / `ENCODING`; ConfigValidationError for syntax and `base:`
 */
export function parseValue(
  connection: EtcdConnection,
  value: Buffer,
  revision: string,
  limits: ParseLimits,
): SourceDocument {
  if (value.length > connection.maxBytes) throw tooLarge(connection, value.length, revision);
  const name = revisionName(connection.key, revision);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(value);
  } catch (error) {
    throw new ConfigReloadError("ENCODING", `${name} is not valid UTF-8; store the config as UTF-8 text.`, {
      sourceId: sourceIdOf(connection.key),
      cause: error,
    });
  }
  const parsed = parseConfig(text, {
    filename: name,
    format: /\.json$/i.test(connection.key) ? "json" : "yaml",
    ...(limits.maxAliasCount === undefined ? {} : { maxAliasCount: limits.maxAliasCount }),
    ...(limits.maxDepth === undefined ? {} : { maxDepth: limits.maxDepth }),
    ...(limits.env === undefined ? {} : { env: limits.env }),
    ...(limits.secretKeys === undefined ? {} : { secretKeys: limits.secretKeys }),
  });
  const data = parsed.data;
  if (typeof data === "object" && data !== null && !Array.isArray(data) && Object.hasOwn(data, "base")) {
    const at = parsed.locate(["base"]);
    throw new ConfigValidationError(
      [
        {
          path: "base",
          message: "base: is not supported in etcd: store the whole config in the key",
          file: name,
          ...position(at),
        },
      ],
      { sourceId: sourceIdOf(connection.key) },
    );
  }
  return {
    data,
    checksum: createHash("sha256").update(value).digest("hex"),
    locate: parsed.locate,
    warnings: parsed.warnings,
    revision,
    // The code frames of a failed reload are cut from this revision's text (only then is it called).
    sourceText: () => text,
  };
}

function position(at: { line: number; column: number } | undefined): { line?: number; column?: number } {
  return at ? { line: at.line, column: at.column } : {};
}
