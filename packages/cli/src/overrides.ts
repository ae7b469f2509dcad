import {
  defineOwn,
  isConfigError,
  isConfigValidationError,
  isSecretPath,
  parseOverrideArgument,
  parseOverridePath,
  REDACTED,
} from "@aiq/config-core";
import { UsageError } from "./clipanion.js";

/**
 * Turns `-o key=value` arguments into an override map, checking each path up front so a malformed
 * one is a usage error (exit 2) before any file is read.
 * @param args the `-o` values, e.g. `["llms.main_llm.temperature=0.9"]`
 * @returns dotted paths to raw values; a later `-o` for the same path wins
 */
export function parseOverrideArguments(args: readonly string[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const arg of args) {
    try {
      const { path, value } = parseOverrideArgument(arg);
      parseOverridePath(path);
      defineOwn(overrides, path, value);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      const message = isConfigValidationError(error) ? (error.issues[0]?.message ?? error.message) : error.message;
      throw new UsageError(`Bad -o/--override: ${message}`);
    }
  }
  return overrides;
}

/** The overrides as `key=value` strings with secret values shown as `***`. */
export function describeOverrides(overrides: Readonly<Record<string, string>>): string[] {
  return Object.entries(overrides).map(([path, value]) => `${path}=${isSecretOverride(path) ? REDACTED : value}`);
}

/** The overrides with secret values replaced by `***`, for `--json`. */
export function redactOverrides(overrides: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(overrides).map(([path, value]) => [path, isSecretOverride(path) ? REDACTED : value]),
  );
}

function isSecretOverride(path: string): boolean {
  try {
    return isSecretPath(parseOverridePath(path));
  } catch {
    return true;
  }
}
