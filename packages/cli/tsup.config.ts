import { definePackageConfig } from "../../tsup.shared.js";

export default [
  // The library entry keeps its dependencies external, as any package does.
  definePackageConfig({ entry: ["src/index.ts"] }),
  // The command is bundled with its dependencies into one file: loading ~150 modules was most of a
  // cold start (bench/). What a command does not need is still evaluated lazily (the JSON Schema
  // converter for `schema`); chokidar is imported only by `watch`. @aiq/config-etcd stays outside
  // the bundle (tsup's noExternal wins over external, hence the lookahead): its etcd3 client loads
  // .proto files from its own package directory at run time; only the etcd commands import it.
  // The loader's parse worker is bundled beside it: the bundled loader starts ./parse-worker.js.
  definePackageConfig({
    entry: { bin: "src/bin.ts", "parse-worker": "../loader/src/parse-worker.ts" },
    dts: false,
    clean: false,
    splitting: false,
    noExternal: [/^(?!@aiq\/config-etcd$)/],
    external: ["chokidar", "@aiq/config-etcd"],
    // Bundled CommonJS dependencies (clipanion, yaml) call require() for Node built-ins.
    banner: {
      js: 'import { createRequire as __aiqCreateRequire } from "node:module"; const require = __aiqCreateRequire(import.meta.url);',
    },
  }),
];
