// Worker (run with --expose-gc): 4. heap held by a manager after `reloads` reloads of the ~1 MB
// config, each changing one key (maxSnapshots = reloads), vs the heap of one yaml.parse copy.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fatal, workerConfig } from "../lib/child.mjs";
import { LARGE_N, largeConfigLines, largeConfigText, smallConfig } from "../lib/configs.mjs";
import { r2 } from "../lib/stats.mjs";

process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

const cfg = await workerConfig();
if (typeof global.gc !== "function") fatal(new Error("run with --expose-gc"));
const heap = () => {
  for (let i = 0; i < 4; i++) global.gc();
  return process.memoryUsage().heapUsed;
};
const MB = (b) => Math.round((b / 1048576) * 10) / 10;
const yaml = await import("yaml");
const { createConfigManager } = await import("@aiq/config-loader");
await import("@aiq/config-watcher").catch(() => {});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aiq-bench-memory-"));
const large = largeConfigLines(cfg.n ?? LARGE_N);
const file = path.join(dir, "config.yml");
const silent = { debug() {}, info() {}, warn() {}, error() {} };

// Warm every code path once on a small file so code/JIT/schema caches are not counted.
{
  const small = path.join(dir, "small.yml");
  fs.writeFileSync(small, smallConfig(0));
  const m = await createConfigManager(small, { logger: silent });
  fs.writeFileSync(small, smallConfig(1));
  await m.reloadConfig();
  await m.close();
}

let text = largeConfigText(large, 0, 1024);
fs.writeFileSync(file, text);
// The baseline: one parsed copy of the file, as a program holding yaml.parse's result pays for it
// (the text just read included: yaml's strings are slices of it).
const oneCopy = await (async () => {
  const b = heap();
  const kept = [yaml.parse(fs.readFileSync(file, "utf8"))];
  const d = heap() - b;
  kept.length = 0;
  return d;
})();
const base2 = heap();

// Diagnosis: what one SourceDocument (kept by every snapshot record for rollback) holds, vs its
// data alone. Each measured in its own function so no suspended frame keeps the value alive.
const diag = {};
const retained = async (make) => {
  const b = heap();
  const kept = await make();
  const d = heap() - b;
  kept.length = 0;
  return MB(d);
};
try {
  const { fileSource, parseConfig } = await import("@aiq/config-loader");
  const fresh = () => fs.readFileSync(file, "utf8");
  diag.sourceDocumentMB = await retained(async () => [await fileSource(file).read()]);
  diag.sourceDocumentDataOnlyMB = await retained(async () => [(await fileSource(file).read()).data]);
  if (parseConfig)
    diag.parseConfigResultMB = await retained(async () => [await parseConfig(fresh(), { filename: file })]);
} catch (e) {
  diag.error = e.message;
}
const base3 = heap();

const reloads = cfg.reloads;
let manager = await createConfigManager(file, { maxSnapshots: reloads, logger: silent });
const afterCreate = heap() - base2;
const at = {};
for (let i = 1; i <= reloads; i++) {
  text = largeConfigText(large, i, 5000 + i);
  fs.writeFileSync(file, text);
  await manager.reloadConfig();
  if (i === 1 || i === 10 || i === reloads) at[i] = heap() - base2;
}
const snapshots = manager.getSnapshots().length;
const total = heap() - base2;
const result = {
  bytes: Buffer.byteLength(text),
  reloads,
  snapshots,
  oneCopyMB: MB(oneCopy),
  managerAfterCreateMB: MB(afterCreate),
  managerAfterReloadsMB: MB(total),
  byReloads: Object.fromEntries(Object.entries(at).map(([k, v]) => [k, MB(v)])),
  perReloadKB: Math.round((total - afterCreate) / Math.max(1, reloads) / 1024),
  ratio: r2(total / oneCopy),
  ratioAfterCreate: r2(afterCreate / oneCopy),
  diagnosis: diag,
  baselineDriftMB: MB(base3 - base2),
};
// Diagnosis: how much of that is the snapshots' configs (structurally shared) and how much the rest
// of the manager (each snapshot record also keeps the SourceDocument it came from, for rollback).
const kept = [manager.getSnapshots().map((s) => s.config)];
await manager.close();
manager = null;
result.diagnosis.snapshotConfigsOnlyMB = MB(heap() - base2);
result.diagnosis.snapshotConfigsOnlyRatio = r2((heap() - base2) / oneCopy);
kept.length = 0;
result.afterCloseMB = MB(heap() - base2);
fs.rmSync(dir, { recursive: true, force: true });
process.send({ type: "done", result }, () => process.exit(0));
