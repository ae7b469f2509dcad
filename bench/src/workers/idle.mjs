// Worker: 6. idle cost. Watches `files` files (in `dirs` directories) that never change, then
// measures this process's CPU time (process.cpuUsage, user + system) over `seconds`.
// fs.watchFile / fs.stat are counted (patched before chokidar is loaded) to show whether
// anything polls.
import fs from "node:fs";
import fsp from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fatal, workerConfig } from "../lib/child.mjs";
import { smallConfig } from "../lib/configs.mjs";
import { sleep } from "../lib/stats.mjs";

process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

const counts = { watchFile: 0, watch: 0, stat: 0, setTimeout: 0, setInterval: 0, readFile: 0 };
const wrap = (obj, name, key) => {
  const orig = obj[name];
  obj[name] = function (...args) {
    counts[key]++;
    return orig.apply(this, args);
  };
};
wrap(fs, "watchFile", "watchFile");
wrap(fs, "watch", "watch");
wrap(fs, "stat", "stat");
wrap(fs, "lstat", "stat");
wrap(fsp, "stat", "stat");
wrap(fsp, "lstat", "stat");
wrap(fsp, "readFile", "readFile");
wrap(fsp, "open", "readFile");
wrap(fs, "readFile", "readFile");
wrap(globalThis, "setTimeout", "setTimeout");
wrap(globalThis, "setInterval", "setInterval");
syncBuiltinESMExports();

const cfg = await workerConfig();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "aiq-bench-idle-"));
const files = [];
for (let d = 0; d < cfg.dirs; d++) {
  const dir = path.join(root, `svc-${d}`);
  fs.mkdirSync(dir);
  for (let i = 0; i < cfg.files / cfg.dirs; i++) {
    const f = path.join(dir, `agent-${i}.yml`);
    fs.writeFileSync(f, smallConfig(i));
    files.push(f);
  }
}
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** @type {() => Promise<void>} */
let stop = async () => {};
let info = {};
const setupStart = performance.now();
if (cfg.mode === "floor") {
  const ws = [];
  for (let d = 0; d < cfg.dirs; d++) ws.push(fs.watch(path.join(root, `svc-${d}`), () => {}));
  stop = async () => {
    for (const w of ws) w.close();
  };
} else if (cfg.mode === "chokidar") {
  const { watch } = await import("chokidar");
  const w = watch(files);
  await new Promise((r) => w.once("ready", r));
  stop = () => w.close();
} else if (cfg.mode === "watcher") {
  const { ConfigWatcher } = await import("@aiq/config-watcher");
  const w = new ConfigWatcher({ logger: silent });
  for (const f of files) await w.addFile(f);
  stop = () => w.close();
  info = { usePollingOption: "unset" };
} else if (cfg.mode === "autoReload") {
  const { createConfigManager } = await import("@aiq/config-loader");
  const { autoReload } = await import("@aiq/config-watcher");
  const ms = [];
  for (const f of files) {
    const m = await createConfigManager(f, { logger: silent });
    await autoReload(m, { logger: silent });
    ms.push(m);
  }
  const modes = {};
  for (const m of ms) {
    const mode = m.status?.watch?.mode ?? "unknown";
    modes[mode] = (modes[mode] ?? 0) + 1;
  }
  info = { watchModes: modes };
  stop = async () => {
    for (const m of ms) await m.close();
  };
} else throw new Error(`unknown mode ${cfg.mode}`);
const setupMs = Math.round(performance.now() - setupStart);

await sleep(cfg.settleMs); // let initial scans, baselines and rechecks finish
process.send({ type: "ready", setupMs });
await new Promise((resolve) => process.once("message", resolve)); // "go": every idle worker measures at once
// Pay setup's garbage now, so a deferred major GC does not land in the idle window.
if (typeof global.gc === "function") global.gc();
await sleep(50);
const before = { ...counts };
const c0 = process.cpuUsage();
const w0 = performance.now();
await sleep(cfg.seconds * 1000);
const cpu = process.cpuUsage(c0);
const wall = performance.now() - w0;
const during = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v - before[k]]));
const resources = {};
for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
await stop();
const result = {
  mode: cfg.mode,
  files: files.length,
  dirs: cfg.dirs,
  setupMs,
  cpuMs: Math.round((cpu.user + cpu.system) / 100) / 10,
  wallMs: Math.round(wall),
  cpuPercentOfCore: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 100 * 1000) / 1000,
  callsDuringIdle: during,
  callsTotal: { ...counts },
  activeResources: resources,
  ...info,
};
fs.rmSync(root, { recursive: true, force: true });
process.send({ type: "done", result }, () => process.exit(0));
