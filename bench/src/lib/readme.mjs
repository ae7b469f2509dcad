// The sections of bench/README.md a full run rewrites: between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

/**
 * Replaces what stands between the section's two markers with `table`; a README without them is left alone.
 * @param {string} name - e.g. "last-run", "etcd-run", "runner-run"
 * @param {string} table - the new content (Markdown)
 */
export function replaceReadmeSection(name, table) {
  if (!fs.existsSync(README)) return;
  const text = fs.readFileSync(README, "utf8");
  const a = `<!-- ${name}:start -->`;
  const b = `<!-- ${name}:end -->`;
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  if (i < 0 || j < i) return;
  fs.writeFileSync(README, `${text.slice(0, i + a.length)}\n${table}\n${text.slice(j)}`);
}
