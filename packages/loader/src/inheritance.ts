import { createHash } from "node:crypto";
import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import type { ConfigPath, SecretKeyPattern, SourceLocation } from "@aiq/config-core";
import { framedFailure, issueAt, parseFailure } from "./errors.js";
import type { ConfigEnv } from "./interpolate.js";
import { MAX_BASE_CHAIN } from "./limits.js";
import { isMapping, mergeConfigs, withoutKey } from "./merge.js";
import { configFormatOf, type ParseConfigOptions, parseConfigFile } from "./parse.js";
import type { ParsedFile } from "./parse-yaml.js";
import { chainLocator } from "./positions.js";
import { readConfigFile } from "./read-file.js";

/** Limits and environment of one load. */
export interface LoadChainOptions {
  maxBytes: number;
  maxDepth: number;
  maxAliasCount: number;
  env: ConfigEnv;
  secretKeys: readonly SecretKeyPattern[];
  signal?: AbortSignal | undefined;
  /**
   * Parses one file of the chain, given its text and size in bytes (a large one may go to a worker).
   * @default parseConfigFile, on the calling thread
   */
  parse?: ParseFile;
}

/** Parses the text of one file of a chain; every option is set. */
export type ParseFile = (
  text: string,
  options: Required<Omit<ParseConfigOptions, "format">>,
  size: number,
) => ParsedFile | Promise<ParsedFile>;

/** A config file merged with its `base:` chain. */
export interface LoadedConfig {
  data: unknown;
  checksum: string;
  locate(path: ConfigPath): SourceLocation | undefined;
  warnings: string[];
  /** Every file of the chain, the named file first. */
  files: string[];
  /** The text of a file of the chain (the named file's when `file` is undefined), for code frames. */
  sourceText(file: string | undefined): string | undefined;
  /** The bytes of the whole chain. */
  size: number;
  /** The sha-256 hex of each file's bytes as read, by path (the named file's is `checksum` when it has no base). */
  fileChecksums: Record<string, string>;
}

interface Layer extends ParsedFile {
  file: string;
  bytes: Uint8Array;
  text: string;
  secretKeys: readonly SecretKeyPattern[];
}

const BASE_KEY = "base";

/**
 * Loads a config file and, when its top level has `base: other.yml` (relative to the file, or
 * absolute), the chain of base files it names: each file's mappings are merged over its base's, key
 * by key at any depth (lists and scalars replace), and every `base` key is removed from the result.
 * `files` (pass an array to be filled) holds each file of the chain found so far, even when loading
 * fails part-way, so a watcher can watch a base file that does not exist yet.
 * @throws ConfigReloadError when a file cannot be read; ConfigValidationError when one cannot be
 * parsed, a `base` is not a file path, or the chain is a cycle (`BASE_CYCLE`) or too long (`RESOURCE_LIMIT`)
 */
export async function loadConfigChain(
  path: string,
  options: LoadChainOptions,
  files: string[] = [],
): Promise<LoadedConfig> {
  files.length = 0;
  const layers: Layer[] = [];
  const identities: string[] = [];
  let current = resolve(path);
  for (;;) {
    if (!files.includes(current)) files.push(current);
    const format = configFormatOf(current);
    const previous = layers.at(-1);
    // Checked before reading, so a `base:` naming /etc/passwd is refused without opening it.
    if (!format && previous) throw baseIssue(previous, "a base file must be .yml, .yaml or .json");
    if (!format)
      throw parseFailure(
        "INVALID_CONFIG",
        [issueAt(current, "unsupported config file extension; expected .yml, .yaml or .json")],
        current,
      );
    // Compare real paths: two names of one file (a symlink) are still a cycle.
    const identity = await realpath(current).catch(() => current);
    if (identities.includes(identity) && previous) {
      const chain = [...layers.map((layer) => layer.file), current].join(" -> ");
      throw baseIssue(previous, `base files form a cycle: ${chain}`, "BASE_CYCLE");
    }
    identities.push(identity);
    const { bytes, text } = await readConfigFile(current, { maxBytes: options.maxBytes, signal: options.signal });
    const parse = options.parse ?? parseConfigFile;
    const parsed = await parse(
      text,
      {
        filename: current,
        maxDepth: options.maxDepth,
        maxAliasCount: options.maxAliasCount,
        env: options.env,
        secretKeys: options.secretKeys,
      },
      bytes.length,
    );
    if (previous && !isMapping(parsed.data)) {
      const found = parsed.locate([]);
      const at = found.kind === "found" ? found.location : undefined;
      throw parseFailure(
        "INVALID_CONFIG",
        [issueAt(current, "a base file must hold a mapping at its top level", at)],
        current,
      );
    }
    const layer: Layer = { ...parsed, file: current, bytes, text, secretKeys: options.secretKeys };
    layers.push(layer);
    if (!isMapping(parsed.data) || !Object.hasOwn(parsed.data, BASE_KEY)) break;
    const reference = parsed.data[BASE_KEY];
    if (typeof reference !== "string" || reference.trim() === "")
      throw baseIssue(layer, "base must be the path of a config file");
    // Two letters or more before ':' is a URL scheme (https:, gh:, file:); one is a Windows drive.
    if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(reference))
      throw baseIssue(layer, "base must be a file path; URLs are not supported");
    if (layers.length >= MAX_BASE_CHAIN)
      throw baseIssue(layer, `base chain longer than ${MAX_BASE_CHAIN} files`, "RESOURCE_LIMIT");
    current = isAbsolute(reference) ? resolve(reference) : resolve(dirname(current), reference);
  }
  return combine(layers, files);
}

function baseIssue(
  layer: Layer,
  message: string,
  code: "INVALID_CONFIG" | "BASE_CYCLE" | "RESOURCE_LIMIT" = "INVALID_CONFIG",
): Error {
  const found = layer.locate([BASE_KEY]);
  const at = found.kind === "found" ? found.location : undefined;
  return framedFailure(code, [issueAt(layer.file, message, at, BASE_KEY)], layer.file, layer);
}

function combine(layers: readonly Layer[], files: readonly string[]): LoadedConfig {
  let data: unknown;
  for (let i = layers.length - 1; i >= 0; i--) {
    const own = (layers[i] as Layer).data;
    const stripped = isMapping(own) && Object.hasOwn(own, BASE_KEY) ? withoutKey(own, BASE_KEY) : own;
    data = i === layers.length - 1 ? stripped : mergeConfigs(data, stripped);
  }
  const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
  const fileChecksums: Record<string, string> = {};
  let checksum: string;
  if (layers.length === 1) {
    const only = layers[0] as Layer;
    checksum = sha256(only.bytes);
    fileChecksums[only.file] = checksum;
  } else {
    // Length-prefixed, so moving text from one file to the next changes the checksum.
    const hash = createHash("sha256");
    for (const layer of layers) {
      hash.update(`${layer.bytes.length}:`).update(layer.bytes);
      fileChecksums[layer.file] = sha256(layer.bytes);
    }
    checksum = hash.digest("hex");
  }
  return {
    data,
    checksum,
    fileChecksums,
    locate: chainLocator(layers.map((layer) => layer.locate)),
    warnings: layers.flatMap((layer) => layer.warnings),
    files: [...files],
    sourceText: (file) => (file === undefined ? layers[0] : layers.find((layer) => layer.file === file))?.text,
    size: layers.reduce((total, layer) => total + layer.bytes.length, 0),
  };
}
