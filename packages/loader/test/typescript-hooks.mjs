// Module hooks that let a worker thread run the TypeScript sources, as vitest runs the tests: the
// parse worker started from src/ (not dist/) gets them through --import (see src/parse-thread.ts).
// `.js` imports of a source resolve to its `.ts`, `@aiq/config-*` to the package's src/index.ts
// (vitest.config.ts does the same), and `.ts` is stripped of its types by esbuild (tsup's).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire, register } from "node:module";
import { fileURLToPath } from "node:url";

// Imported through --import, it registers itself (as ?hooks) as the hooks module.
if (new URL(import.meta.url).search !== "?hooks") register(`${import.meta.url}?hooks`);

const PACKAGES = new URL("../../", import.meta.url);
let esbuild;

export async function resolve(specifier, context, next) {
  const parent = context.parentURL ?? "";
  if (parent.endsWith(".ts")) {
    const own = /^@aiq\/config-([a-z]+)$/.exec(specifier);
    const url = own
      ? new URL(`${own[1]}/src/index.ts`, PACKAGES)
      : specifier.startsWith(".") && specifier.endsWith(".js")
        ? new URL(specifier.replace(/\.js$/, ".ts"), parent)
        : undefined;
    if (url && existsSync(fileURLToPath(url))) return { url: url.href, format: "module", shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith(".ts")) return next(url, context);
  const file = fileURLToPath(url);
  esbuild ??= createRequire(createRequire(import.meta.url).resolve("tsup"))("esbuild");
  const { code } = await esbuild.transform(await readFile(file, "utf8"), {
    loader: "ts",
    format: "esm",
    target: "node20",
    sourcefile: file,
    sourcemap: "inline",
  });
  return { format: "module", source: code, shortCircuit: true };
}
