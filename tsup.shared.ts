import { defineConfig, type Options } from "tsup";

/** The one build setup every package shares: ESM only, Node 20, declarations, no bundled deps. */
export function definePackageConfig(overrides: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
    ...overrides,
  });
}
