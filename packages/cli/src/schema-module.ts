import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { StandardSchemaV1 } from "@aiq/config-core";
import { UsageError } from "./clipanion.js";

/**
 * Loads the schema named by `--schema MODULE[#export]`: a file path (relative to `cwd`) or a
 * package name, and the export holding a Standard Schema (valibot, zod, ...), `default` when none
 * is named.
 * @param spec what the user wrote, e.g. `./schema.mjs#serviceSchema`
 * @param cwd where a relative path or a package is resolved from
 * @returns the schema
 */
export async function loadSchemaModule(spec: string, cwd: string): Promise<StandardSchemaV1<unknown, unknown>> {
  const hash = spec.lastIndexOf("#");
  const specifier = hash < 0 ? spec : spec.slice(0, hash);
  const name = hash < 0 ? "default" : spec.slice(hash + 1);
  const isPath = specifier.startsWith(".") || path.isAbsolute(specifier);
  let url: string;
  try {
    url = pathToFileURL(
      isPath ? path.resolve(cwd, specifier) : createRequire(path.join(cwd, "package.json")).resolve(specifier),
    ).href;
  } catch {
    throw new UsageError(
      `--schema: cannot find the module ${specifier} (from ${cwd}); give a path such as ./schema.mjs, or an installed package.`,
    );
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(
      `--schema: loading ${specifier} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const schema = module[name] as Partial<StandardSchemaV1<unknown, unknown>> | undefined;
  if (typeof schema !== "object" || schema === null || typeof schema["~standard"]?.validate !== "function") {
    const found = Object.keys(module).join(", ") || "nothing";
    throw new UsageError(
      `--schema: ${specifier} has no Standard Schema (valibot, zod...) as its export "${name}" (it exports ${found}); name one with ${specifier}#name.`,
    );
  }
  return schema as StandardSchemaV1<unknown, unknown>;
}
