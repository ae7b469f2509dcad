import {
  type AiqConfig,
  ConfigManager,
  type ConfigManagerOptions,
  type ConfigOverrides,
  createConsoleLogger,
  type Logger,
  resolveConfig,
  type StandardSchemaV1,
} from "@aiq/config-core";
import { type FileSourceOptions, fileSource } from "./file-source.js";
import { runnerOverridesFor } from "./runner-overrides.js";

/** Options of {@link reloadConfig}. */
export interface ReloadConfigOptions<T> extends FileSourceOptions {
  /**
   * Only check the file; with no manager state, this changes nothing either way and is accepted so
   * call sites read like `ConfigManager.reloadConfig`.
   * @default false
   */
  validateOnly?: boolean | undefined;
  /**
   * The schema the config must match; valibot, zod or any Standard Schema.
   * @default aiqConfigSchema
   */
  schema?: StandardSchemaV1<unknown, T> | undefined;
  /**
   * Dotted-path overrides applied before validating.
   * @default {}
   */
  overrides?: ConfigOverrides | undefined;
  /**
   * With the default schema: refuse a component key that looks like a typo of a common field
   * (`temprature`) instead of warning about it.
   * @default false
   */
  strictKeys?: boolean | undefined;
  /** Abandons the read; it then fails with code `ABORTED`. */
  signal?: AbortSignal | undefined;
  /**
   * Where warnings (an unset `${VAR}`, a likely typo of a known key) and, at debug level, each step
   * with its duration go.
   * @default warnings on stderr; every step with `AIQ_CONFIG_LOG=debug`
   */
  logger?: Logger | undefined;
}

/** Options of {@link createConfigManager}: a manager's options, without `source`, plus the file's. */
export type CreateConfigManagerOptions<T> = Omit<ConfigManagerOptions<T>, "source"> & FileSourceOptions;

function elapsed(since: number): string {
  return `${(performance.now() - since).toFixed(1)} ms`;
}

function sourceOptions(options: FileSourceOptions): FileSourceOptions {
  const { maxBytes, maxAliasCount, maxDepth, env, secretKeys, workerThreshold } = options;
  // The manager's secret keys mask the code frames of syntax errors too.
  return { secretKeys, maxBytes, maxAliasCount, maxDepth, env, workerThreshold };
}

/**
 * Loads and validates one config file, with no manager state: read, parse, interpolate, merge the
 * `base:` chain, apply overrides, validate, freeze. Throws what `ConfigManager.reloadConfig` throws.
 * @param path the config file
 * @param options schema, overrides and the file's limits
 * @returns the deep-frozen config
 * @throws ConfigReloadError (`ENOENT`, `EACCES`, `TOO_LARGE`, `ENCODING`, `EMPTY`...) or ConfigValidationError listing every issue
 * @example
 * const config = await reloadConfig("config.yml", { overrides: { "llms.main_llm.temperature": 0.2 } });
 */
export async function reloadConfig<T = AiqConfig>(
  path: string,
  options: ReloadConfigOptions<T> = {},
): Promise<Readonly<T>> {
  const logger = options.logger ?? createConsoleLogger();
  const source = fileSource(path, sourceOptions(options));
  let started = performance.now();
  const document = await source.read(options.signal).finally(() => source.close());
  logger.debug(`read and parsed ${source.files.join(", ")} in ${elapsed(started)}`);
  for (const warning of document.warnings ?? []) logger.warn(warning);
  started = performance.now();
  const config = await resolveConfig<T>(document, {
    sourceId: source.id,
    schema: options.schema,
    overrides: options.overrides,
    secretKeys: options.secretKeys,
    strictKeys: options.strictKeys,
    logger,
  });
  logger.debug(`applied overrides and validated ${source.id} in ${elapsed(started)}`);
  return config;
}

/**
 * Creates a `ConfigManager` over a config file: `ConfigManager.create` with `fileSource(path)`.
 * Under `aiq-config run`, the runner's `-o` overrides (env `AIQ_CONFIG_OVERRIDES`) apply to a
 * manager of its file (`AIQ_CONFIG_FILE`), below `options.overrides`.
 * @param path the config file
 * @param options the manager's options (schema, overrides, maxSnapshots, events...) and the file's limits
 * @returns the manager, holding the validated config as version 1
 * @throws like {@link reloadConfig}
 * @example
 * await using manager = await createConfigManager("config.yml");
 * manager.subscribe("llms", (config) => rebuildClients(config.llms));
 */
export async function createConfigManager<T = AiqConfig>(
  path: string,
  options: CreateConfigManagerOptions<T> = {},
): Promise<ConfigManager<T>> {
  const {
    maxBytes: _bytes,
    maxAliasCount: _aliases,
    maxDepth: _depth,
    workerThreshold: _threshold,
    env,
    ...managerOptions
  } = options;
  // Under `aiq-config run`, its -o overrides (explicit ones win over them, path by path).
  const overrides = { ...runnerOverridesFor(path, env ?? process.env), ...managerOptions.overrides };
  return ConfigManager.create<T>({ ...managerOptions, overrides, source: fileSource(path, sourceOptions(options)) });
}
