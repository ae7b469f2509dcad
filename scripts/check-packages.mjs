// Checks what each package would publish: publint (package.json, exports, files) and
// arethetypeswrong (types resolve for ESM consumers). Run after the build.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const failures = [];
for (const name of readdirSync(join(root, "packages")).sort()) {
  const dir = join(root, "packages", name);
  for (const [tool, args] of [
    ["publint", ["--strict"]],
    ["attw", ["--pack", ".", "--profile", "esm-only", "--format", "table-flipped"]],
  ]) {
    try {
      // Both exit non-zero on a problem (publint --strict counts warnings; attw ignores only the
      // CommonJS resolutions that an ESM-only package cannot satisfy by design).
      execFileSync(bin(tool), args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      console.log(`ok   ${tool} @aiq/config-${name}`);
    } catch (error) {
      console.log(`FAIL ${tool} @aiq/config-${name}`);
      failures.push(`${tool} ${name}:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    }
  }
}
if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log("packages: publint and attw report nothing");
