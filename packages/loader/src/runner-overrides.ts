import * as nodePath from "node:path";
import { ConfigError, type ConfigOverrides } from "@aiq/config-core";

/**
 * The `-o` overrides of `aiq-config run`, handed to the service it runs: the runner puts them in
 * `AIQ_CONFIG_OVERRIDES` (a JSON object of dotted paths to values) beside `AIQ_CONFIG_FILE` (the
 * absolute config path). They apply only to a manager of that file, so a service that loads
 * other files too does not get them there.
 * @param path the file a manager is created for
 * @param env where the two variables are read
 * @returns the overrides to apply, empty when not run by the runner or for another file
 */
export function runnerOverridesFor(path: string, env: Record<string, string | undefined>): ConfigOverrides {
  const text = env.AIQ_CONFIG_OVERRIDES;
  const file = env.AIQ_CONFIG_FILE;
  if (text === undefined || text === "" || file === undefined || nodePath.resolve(path) !== nodePath.resolve(file))
    return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(
      "INVALID_OVERRIDE",
      "AIQ_CONFIG_OVERRIDES must be a JSON object of dotted paths to values, as `aiq-config run -o` sets it.",
    );
  }
  return parsed as ConfigOverrides;
}
