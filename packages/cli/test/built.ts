import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

// The BUILT `aiq-config` (`pnpm test` builds before testing): what the tests that run it as a user
// does (in a process of its own, or in a pseudo-terminal) need to exist.
const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The built binary. */
export const bin = `${root}packages/cli/dist/bin.js`;

/**
 * Why the built packages cannot be run, or `""`.
 * @param packages the packages whose dist/index.js the test loads besides the binary
 * @returns `not built (run \`pnpm build\`): <missing files>`, or `""` when everything is there
 */
export function notBuilt(packages: readonly string[] = ["core", "loader", "watcher", "events"]): string {
  const missing = [bin, ...packages.map((name) => `${root}packages/${name}/dist/index.js`)].filter(
    (file) => !existsSync(file),
  );
  return missing.length > 0 ? `not built (run \`pnpm build\`): ${missing.join(", ")}` : "";
}
