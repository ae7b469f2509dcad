// Worker: 3. the pipeline on a ~1 MB config. yaml.parse of the text (the baseline), js-yaml load
// (CORE_SCHEMA), and our full manager.reloadConfig() after one value changed, interleaved, median
// of `runs`. Then, for diagnosis, the same reload cut into stages.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fatal, workerConfig } from "../lib/child.mjs";
import { LARGE_N, largeConfigLines, largeConfigText } from "../lib/configs.mjs";
import { median, r1 } from "../lib/stats.mjs";

process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

const cfg = await workerConfig();
const yaml = await import("yaml");
const jsyaml = (await import("js-yaml")).default;
const large = largeConfigLines(cfg.n ?? LARGE_N);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aiq-bench-pipeline-"));
const file = path.join(dir, "config.yml");
let text = largeConfigText(large, 0, 1024);
fs.writeFileSync(file, text);

const time = async (fn) => {
  const s = performance.now();
  await fn();
  return performance.now() - s;
};

const result = { bytes: Buffer.byteLength(text), entries: (cfg.n ?? LARGE_N) * 2, runs: cfg.runs };
/** @type {Record<string, number[]>} */
const t = { yaml: [], jsyaml: [], aiq: [] };
let manager;
if (cfg.skipAiq) result.aiqError = `missing (${cfg.skipAiq})`;
else
  try {
    const { createConfigManager } = await import("@aiq/config-loader");
    const lines = [];
    const logger = {
      debug: (m) => lines.push(m),
      info() {},
      warn: (m) => lines.push(`warn: ${m}`),
      error: (m) => lines.push(`error: ${m}`),
    };
    manager = await createConfigManager(file, { logger });
    result.debugLog = lines;
  } catch (e) {
    result.aiqError = `${e.name}: ${e.message}`.slice(0, 500);
  }

// Warm-up (JIT), not counted.
for (let i = 0; i < cfg.warmup; i++) {
  yaml.parse(text);
  jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  if (manager) {
    text = largeConfigText(large, i + 1, 2000 + i);
    fs.writeFileSync(file, text);
    await manager.reloadConfig();
  }
}
for (let r = 0; r < cfg.runs; r++) {
  const steps = [
    ["yaml", () => yaml.parse(text)],
    ["jsyaml", () => jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA })],
  ];
  if (manager)
    steps.push([
      "aiq",
      null, // written just before being timed, below
    ]);
  // rotate the order each run so drift in machine load hits all alike
  for (let k = 0; k < steps.length; k++) {
    const [name, fn] = steps[(k + r) % steps.length];
    if (name === "aiq") {
      text = largeConfigText(large, 100 + r, 3000 + r);
      fs.writeFileSync(file, text);
      t.aiq.push(await time(() => manager.reloadConfig()));
    } else t[name].push(await time(fn));
  }
}
result.yamlParseMs = r1(median(t.yaml));
result.jsYamlLoadMs = r1(median(t.jsyaml));
result.samples = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.map(r1)]));
if (manager) {
  result.aiqReloadMs = r1(median(t.aiq));
  result.ratio = Math.round((median(t.aiq) / median(t.yaml)) * 100) / 100;
  result.versionAfter = manager.status?.version;
  result.stages = await stages();
}
fs.rmSync(dir, { recursive: true, force: true });
process.send({ type: "done", result }, () => process.exit(0));

/** Where a reload's time goes: each stage timed alone (median of `runs`), where exported. */
async function stages() {
  const loader = await import("@aiq/config-loader");
  const core = await import("@aiq/config-core");
  const s = {};
  const run = async (name, fn) => {
    try {
      const xs = [];
      for (let r = 0; r < Math.max(3, cfg.runs >> 1); r++) xs.push(await time(fn));
      s[name] = r1(median(xs));
    } catch (e) {
      s[name] = `error: ${e.message}`.slice(0, 200);
    }
  };
  await run("readFile", () => fs.promises.readFile(file));
  if (loader.parseConfig) await run("parseConfig", () => loader.parseConfig(text, { filename: file }));
  let doc;
  if (loader.fileSource) {
    const src = loader.fileSource(file);
    await run("fileSource.read", async () => {
      doc = await src.read();
    });
  }
  if (doc && core.resolveConfig) await run("resolveConfig (overrides+validate+freeze)", () => core.resolveConfig(doc));
  if (core.diffConfigs && manager) {
    const a = manager.currentConfig;
    const b = manager.getSnapshots()[1]?.config;
    if (b) await run("diffConfigs(current, previous)", () => core.diffConfigs(b, a));
  }
  // The manager's own debug line for one more reload.
  const lines = [];
  try {
    const { createConfigManager } = loader;
    const m2 = await createConfigManager(file, {
      logger: { debug: (m) => lines.push(m), info() {}, warn() {}, error() {} },
    });
    text = largeConfigText(large, 7, 4242);
    fs.writeFileSync(file, text);
    await m2.reloadConfig();
    await m2.close();
  } catch (e) {
    lines.push(`error: ${e.message}`);
  }
  s.managerDebugLog = lines.slice(-3);
  return s;
}
