import { isSecretKey, parseOverridePath, REDACTED, redactConfig } from "@aiq/config-core";
import { formatValue } from "./format.js";

/** One changed path with its old and new values, secrets already replaced by `***`. */
export interface ConfigChangeLine {
  path: string;
  old: unknown;
  new: unknown;
}

function segmentsOf(path: string): (string | number)[] | undefined {
  try {
    return path === "" ? [] : parseOverridePath(path);
  } catch {
    return undefined;
  }
}

function valueAt(config: unknown, segments: readonly (string | number)[]): unknown {
  let node: unknown = config;
  for (const segment of segments) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function shown(value: unknown, segments: readonly (string | number)[]): unknown {
  if (value === undefined) return undefined;
  // A secret key anywhere on the path hides the value whole; below it, redactConfig hides nested secrets.
  if (segments.some((segment) => isSecretKey(segment))) return REDACTED;
  return redactConfig(value, [], [...segments]);
}

/**
 * The old and new value of each changed path, redacted for printing.
 * @param before the previous config
 * @param after the new config
 * @param paths dotted paths that changed (`change.changedPaths`, `diffConfigs`)
 */
export function describeChanges(before: unknown, after: unknown, paths: readonly string[]): ConfigChangeLine[] {
  return paths.map((path) => {
    const segments = segmentsOf(path);
    if (segments === undefined) return { path, old: REDACTED, new: REDACTED };
    return { path, old: shown(valueAt(before, segments), segments), new: shown(valueAt(after, segments), segments) };
  });
}

const show = (value: unknown): string => (value === REDACTED ? REDACTED : formatValue(value));

/** `path: old -> new`, values on one line, a secret as a bare `***`. */
export function formatChange(change: ConfigChangeLine): string {
  return `${change.path}: ${show(change.old)} -> ${show(change.new)}`;
}
