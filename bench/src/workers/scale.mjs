// Worker: issue 14, a thousand configs in one process and a reload that never stalls it. One mode
// per process (a fresh heap and event loop for each figure):
// - managers: `files` createConfigManager alone; watcher: one ConfigWatcher holding the same files;
//   autoReload: `files` autoReload(await createConfigManager(f)) (with `extras`: then its watch
//   handles, idle CPU and save -> applied of one file); single: one manager with autoReload,
//   save -> applied.
// - stall: reloads of the ~1 MB config through the worker and on the main thread (today's path),
//   with the event loop's longest stall during each; and where the worker pays off (threshold).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fatal, workerConfig } from "../lib/child.mjs";
import { LARGE_N, largeConfigLines, largeConfigText, smallConfig } from "../lib/configs.mjs";
import { nowMs, r1, r2, sleep, summary } from "../lib/stats.mjs";

process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

const cfg = await workerConfig();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const root = fs.mkdtempSync(path.join(os.tmpdir(), "aiq-bench-scale-"));
const osWatchHandles = () => process.getActiveResourcesInfo().filter((name) => name === "FSEventWrap").length;

function writeFiles() {
  const files = [];
  for (let d = 0; d < cfg.dirs; d++) {
    const dir = path.join(root, `tenant-${d}`);
    fs.mkdirSync(dir);
    for (let i = 0; i < cfg.files / cfg.dirs; i++) {
      const file = path.join(dir, `agent-${i}.yml`);
      fs.writeFileSync(file, smallConfig(i));
      files.push(file);
    }
  }
  return files;
}

/** Save -> applied: each save waits for the manager's listener to see its sequence number. */
async function saveToApplied(manager, file) {
  const lat = [];
  let waiting;
  const off = manager.subscribe((config) => waiting?.(config.llms.main_llm.max_tokens - 1000));
  for (let seq = 1; seq <= cfg.saves; seq++) {
    await sleep(cfg.gapMs);
    const seen = new Promise((resolve) => {
      waiting = (got) => got === seq && resolve();
    });
    const t0 = nowMs();
    fs.writeFileSync(file, smallConfig(seq));
    const timedOut = await Promise.race([seen.then(() => false), sleep(5000).then(() => true)]);
    if (!timedOut) lat.push(nowMs() - t0);
  }
  off();
  const s = summary(lat);
  return { saves: cfg.saves, missed: cfg.saves - lat.length, p50: r1(s.p50), p90: r1(s.p90), max: r1(s.max) };
}

async function idleCpu(seconds) {
  if (typeof global.gc === "function") global.gc();
  await sleep(50);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(c0);
  return r2(((cpu.user + cpu.system) / 1000 / (performance.now() - w0)) * 100);
}

async function scaleMode() {
  const { createConfigManager } = await import("@aiq/config-loader");
  const { autoReload, ConfigWatcher } = await import("@aiq/config-watcher");
  const files = cfg.mode === "single" ? writeFiles().slice(0, 1) : writeFiles();
  const handlesBefore = osWatchHandles();
  const managers = [];
  const start = performance.now();
  let stop = async () => {};
  if (cfg.mode === "managers") {
    for (const f of files) managers.push(await createConfigManager(f, { logger: silent }));
  } else if (cfg.mode === "watcher") {
    const watcher = new ConfigWatcher({ logger: silent });
    for (const f of files) watcher.addFile(f);
    await watcher.ready?.();
    stop = () => watcher.close();
  } else {
    const handles = [];
    for (const f of files) {
      const manager = await createConfigManager(f, { logger: silent });
      handles.push(autoReload(manager, { logger: silent }));
      managers.push(manager);
    }
    await Promise.all(handles.map((h) => h.ready()));
  }
  const setupMs = r1(performance.now() - start);
  const out = { mode: cfg.mode, files: files.length, dirs: cfg.mode === "single" ? 1 : cfg.dirs, setupMs };
  if ((cfg.mode === "autoReload" && cfg.extras) || cfg.mode === "single") {
    out.osWatchHandles = osWatchHandles() - handlesBefore;
    out.watchModes = [...new Set(managers.map((m) => m.status.watch?.mode))];
    await sleep(cfg.settleMs);
    if (cfg.mode === "autoReload") out.idleCpuPercent = await idleCpu(cfg.idleSeconds);
    const k = Math.floor(files.length / 2);
    out.latency = await saveToApplied(managers[k], files[k]);
  }
  await stop();
  for (const m of managers) await m.close();
  return out;
}

/** The longest stall of the event loop (ms) while `fn` runs, and how long `fn` took. */
async function stallDuring(fn) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  h.disable();
  return { ms, stall: h.max / 1e6 };
}

async function stallMode() {
  const { createConfigManager, parseConfig, DEFAULT_WORKER_THRESHOLD } = await import("@aiq/config-loader");
  const large = largeConfigLines(cfg.n ?? LARGE_N);
  const file = path.join(root, "large.yml");
  fs.writeFileSync(file, largeConfigText(large, 0, 1024));
  const bytes = fs.statSync(file).size;
  const paths = {
    worker: await createConfigManager(file, { logger: silent }),
    main: await createConfigManager(file, { logger: silent, workerThreshold: Number.POSITIVE_INFINITY }),
  };
  const seen = { worker: [], main: [] };
  for (let r = 0; r < cfg.reloads; r++) {
    // Alternating, so load on the machine weighs on both alike.
    for (const name of r % 2 ? ["main", "worker"] : ["worker", "main"]) {
      fs.writeFileSync(file, largeConfigText(large, r + 1, 2000 + r));
      seen[name].push(await stallDuring(() => paths[name].reloadConfig()));
    }
  }
  for (const m of Object.values(paths)) await m.close();
  const figures = (list) => ({
    reloadP50: r1(summary(list.map((x) => x.ms)).p50),
    stallP50: r1(summary(list.map((x) => x.stall)).p50),
    stallMax: r1(summary(list.map((x) => x.stall)).max),
  });
  // Where the worker pays off: parse on this thread vs a source read through the worker, by size.
  const threshold = [];
  const { fileSource } = await import("@aiq/config-loader");
  for (const kib of [4, 16, 64, 256]) {
    const n = Math.max(1, Math.round((kib * 1024) / (bytes / (cfg.n ?? LARGE_N))));
    const text = largeConfigLines(n).lines.join("\n");
    const f = path.join(root, `t-${kib}.yml`);
    fs.writeFileSync(f, text);
    const viaWorker = fileSource(f, { workerThreshold: 0 });
    const viaMain = fileSource(f, { workerThreshold: Number.POSITIVE_INFINITY });
    await viaWorker.read();
    const parse = [],
      worker = [],
      main = [];
    for (let i = 0; i < cfg.thresholdRuns; i++) {
      let t = performance.now();
      parseConfig(text, { filename: f });
      parse.push(performance.now() - t);
      t = performance.now();
      await viaWorker.read();
      worker.push(performance.now() - t);
      t = performance.now();
      await viaMain.read();
      main.push(performance.now() - t);
    }
    await viaWorker.close();
    threshold.push({
      kib: r1(text.length / 1024),
      parseMs: r2(summary(parse).p50),
      readMainMs: r2(summary(main).p50),
      readWorkerMs: r2(summary(worker).p50),
    });
  }
  return {
    bytes,
    reloads: cfg.reloads,
    workerThreshold: DEFAULT_WORKER_THRESHOLD,
    worker: figures(seen.worker),
    main: figures(seen.main),
    threshold,
  };
}

try {
  const result = cfg.mode === "stall" ? await stallMode() : await scaleMode();
  process.send({ type: "done", result }, () => process.exit(0));
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
