import { isSecretPath, ownValueAt, parseOverridePath, REDACTED, redactConfig } from "@aiq/config-core";
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
  const found = ownValueAt(config, segments);
  return found.found ? found.value : undefined;
}

function shown(value: unknown, segments: readonly (string | number)[]): unknown {
  if (value === undefined) return undefined;
  // A secret key anywhere on the path hides the value whole; below it, redactConfig hides nested secrets.
  if (isSecretPath(segments)) return REDACTED;
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
