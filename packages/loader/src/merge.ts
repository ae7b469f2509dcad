import { defineOwn } from "@aiq/config-core";

/** True for a mapping of parsed data (not a list, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merges a file's data over its base's, as the NeMo Agent Toolkit does: mappings merge key by key at
 * any depth; lists, scalars and null replace. Neither input is changed. Every key is defined as an
 * own property (never `target[key] = value`), so `__proto__` or `constructor` in a file is plain data
 * and cannot reach any prototype.
 * @param base the base file's data
 * @param override the data of the file that names the base
 * @returns the merged data
 */
export function mergeConfigs(base: unknown, override: unknown): unknown {
  if (!isMapping(base) || !isMapping(override)) return override;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(base)) defineOwn(result, key, base[key]);
  for (const key of Object.keys(override)) {
    const value = Object.hasOwn(result, key) ? mergeConfigs(result[key], override[key]) : override[key];
    defineOwn(result, key, value);
  }
  return result;
}

/**
 * A copy of a mapping without one key.
 * @param data a mapping
 * @param key the key to drop
 */
export function withoutKey(data: Record<string, unknown>, key: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of Object.keys(data)) if (name !== key) defineOwn(result, name, data[name]);
  return result;
}
