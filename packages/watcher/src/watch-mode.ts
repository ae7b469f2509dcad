import type { WatchState } from "@aiq/config-core";

/**
 * The watch mode chokidar will use for these options: `CHOKIDAR_USEPOLLING` wins over the option,
 * as chokidar itself reads it after its options (`0`/`false` native, `1`/`true` or any other
 * non-empty value polling).
 * @param usePolling - the `usePolling` option, if given
 * @param env - the environment to read
 * @returns `"polling"` or `"native"`
 * @default env: `process.env`
 * @example resolveWatchMode(undefined, { CHOKIDAR_USEPOLLING: "1" }); // "polling"
 */
export function resolveWatchMode(usePolling?: boolean, env: NodeJS.ProcessEnv = process.env): WatchState["mode"] {
  const fromEnv = env.CHOKIDAR_USEPOLLING;
  if (fromEnv !== undefined) {
    const value = fromEnv.toLowerCase();
    if (value === "false" || value === "0") return "native";
    if (value === "true" || value === "1") return "polling";
    return value ? "polling" : "native";
  }
  return usePolling ? "polling" : "native";
}
