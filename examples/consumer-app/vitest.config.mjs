// This app's own vitest config. Deliberately no `resolve.alias`: unlike the repository's root
// config (which points @aiq/config-* at their sources), imports resolve as for any consumer,
// through node_modules to each package's published dist/ entry point.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["test/vitest.test.mjs"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
