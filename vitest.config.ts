import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const pkg = (name: string): string => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources; the built packages are checked by publint/attw and the e2e tests.
    alias: {
      "@aiq/config-events": pkg("events"),
      "@aiq/config-core": pkg("core"),
      "@aiq/config-loader": pkg("loader"),
      "@aiq/config-watcher": pkg("watcher"),
      "@aiq/config-cli": pkg("cli"),
      "@aiq/config-testing": pkg("testing"),
      "@aiq/config-etcd": pkg("etcd"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    // Fails a test on an unhandled rejection, and a file that leaves handles open.
    setupFiles: ["./tests/setup/leaks.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    typecheck: {
      enabled: true,
      include: ["packages/*/src/**/*.test-d.ts", "packages/*/test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
