import { resolve } from "node:path";
import type { ConfigSource, SecretKeyPattern, SourceDocument } from "@aiq/config-core";
import type { ConfigEnv } from "./interpolate.js";
import { loadConfigChain, type ParseFile } from "./inheritance.js";
import { DEFAULT_MAX_ALIAS_COUNT, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_WORKER_THRESHOLD } from "./limits.js";
import { parseConfigFile } from "./parse.js";
import { parseThread } from "./parse-thread.js";

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /**
   * Largest file accepted, in bytes (each file of a `base:` chain).
   * @default 10485760 (10 MiB)
   */
  maxBytes?: number | undefined;
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
   * The variables `${VAR}` placeholders are replaced with, read at every read.
   * @default process.env
   */
  env?: ConfigEnv | undefined;
  /**
   * Extra keys or dotted path patterns whose values the code frames of syntax errors show as `***`;
   * give the manager's `secretKeys` (`createConfigManager` and `reloadConfig` pass theirs on).
   * @default []
   */
  secretKeys?: readonly SecretKeyPattern[] | undefined;
  /**
   * Size in bytes from which a file (of the chain) is parsed in a worker thread, off the event loop:
   * the result is the same, issues and positions included. `Infinity` parses every file on the
   * calling thread. The worker is shared by every source of the process, never keeps it alive when
   * idle, and stops when the last source using it is closed.
   * @default DEFAULT_WORKER_THRESHOLD (32 KiB)
   */
  workerThreshold?: number | undefined;
}

/** A `ConfigSource` reading a config file and its `base:` chain. */
export interface FileConfigSource extends ConfigSource {
  /** The resolved absolute path of the file. */
  readonly id: string;
  /** Every file of the `base:` chain as last read, the file itself first: what to watch. */
  readonly files: readonly string[];
  /** Lets go of the parse worker (a manager's close calls it); idempotent, and a later read takes it again. */
  close(): Promise<void>;
}

class FileSource implements FileConfigSource {
  readonly id: string;
  #files: readonly string[];
  readonly #options: FileSourceOptions;
  #release: (() => Promise<void>) | undefined;

  constructor(path: string, options: FileSourceOptions) {
    this.id = resolve(path);
    this.#files = Object.freeze([this.id]);
    this.#options = { ...options };
  }

  get files(): readonly string[] {
    return this.#files;
  }

  async read(signal?: AbortSignal): Promise<SourceDocument> {
    const options = this.#options;
    const files: string[] = [];
    try {
      const loaded = await loadConfigChain(
        this.id,
        {
          maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
          maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
          maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT,
          env: options.env ?? process.env,
          secretKeys: options.secretKeys ?? [],
          signal,
          parse: this.#parser(signal),
        },
        files,
      );
      const { data, checksum, locate, warnings, sourceText, size, fileChecksums } = loaded;
      // What follows (freezing, validating) starts in a slice of the event loop of its own.
      if (size >= this.#threshold) await new Promise((resolve) => setImmediate(resolve));
      return { data, checksum, locate, warnings, sourceText, size, fileChecksums };
    } finally {
      // Updated after failures too: a base file that is missing or broken is still worth watching.
      if (files.length > 0) this.#files = Object.freeze([...files]);
    }
  }

  close(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    return release ? release() : Promise.resolve();
  }

  get #threshold(): number {
    return this.#options.workerThreshold ?? DEFAULT_WORKER_THRESHOLD;
  }

  #parser(signal: AbortSignal | undefined): ParseFile {
    return (text, options, size) => {
      if (size < this.#threshold) return parseConfigFile(text, options);
      this.#release ??= parseThread.hold();
      return parseThread.parse(text, options, signal);
    };
  }
}

/**
 * A config source for a YAML or JSON file: each `read()` loads the file and its `base:` chain,
 * bounded in size, strictly UTF-8, with `${VAR}` interpolated and positions kept for issues.
 * @param path the config file (`.yml`, `.yaml` or `.json`), resolved against the working directory
 * @param options size, depth and alias limits; the environment
 * @returns a source whose `id` is the absolute path and whose `files` lists the whole chain
 * @example
 * const manager = await ConfigManager.create({ source: fileSource("config.yml") });
 */
export function fileSource(path: string, options: FileSourceOptions = {}): FileConfigSource {
  return new FileSource(path, options);
}
