export { ConfigManager } from "./manager.js";
export { ReloadLoop } from "./reload-loop.js";
export type {
  AttachedWatcher,
  ConfigChange,
  ConfigListener,
  ConfigManagerOptions,
  ConfigOverrides,
  ConfigPath,
  ConfigSnapshot,
  ConfigSource,
  ConfigStatus,
  ConfigStatusError,
  OverrideValue,
  ReloadOptions,
  SourceDocument,
  SourceLocation,
  WatchState,
} from "./types.js";
export {
  ConfigError,
  ConfigReloadError,
  ConfigValidationError,
  formatIssue,
  isConfigError,
  isConfigReloadError,
  isConfigValidationError,
} from "./errors.js";
export type { ConfigErrorCode, ConfigErrorOptions, ConfigIssue } from "./errors.js";
export { formatCodeFrame } from "./code-frame.js";
export type { CodeFrameOptions, CodeFramePosition } from "./code-frame.js";
export {
  applyOverrides,
  findDroppedOverrides,
  formatOverridePath,
  parseOverrideArgument,
  parseOverridePath,
  schemaTypesAt,
} from "./overrides.js";
export { parseYamlScalar } from "./override-value.js";
export type { ApplyOverridesOptions, ScalarType } from "./overrides.js";
export { aiqConfigSchema } from "./aiq-schema.js";
export type { AiqConfig } from "./aiq-schema.js";
export { diffConfigs } from "./share.js";
export { defineOwn, ownValueAt } from "./tree.js";
export type { ValueAtPath } from "./tree.js";
export { resolveConfig } from "./pipeline.js";
export type { ResolveConfigOptions } from "./pipeline.js";
export { isSecretKey, isSecretPath, REDACTED, redactConfig, redactText } from "./redact.js";
export type { SecretKeyPattern } from "./redact.js";
export { createConsoleLogger, silentLogger } from "./logger.js";
export type { Logger, LogLevel } from "./logger.js";
export type { StandardSchemaV1 } from "./standard-schema.js";
