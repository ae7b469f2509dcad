import { readFileSync } from "node:fs";

/** The version of this package, read from its package.json (one level above `src/` and `dist/`). */
export function readCliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}
