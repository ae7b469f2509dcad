#!/usr/bin/env node
// aiq-config benchmarks: against the floor (raw fs.watch + yaml.parse) and the peers (chokidar, c12).
// Usage: node --expose-gc bench/src/run.mjs [--smoke] [--only=latency,bursts,truncate,pipeline,cli,memory,idle,etcd,runner,scale]
//        [--aiq-debounce=N]  (diagnosis: our contender with autoReload({ debounceMs: N }); not a goal run)
// Every figure is a ratio or a difference against a baseline measured in the same run.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { startChild } from "./lib/child.mjs";
import { smallConfig } from "./lib/configs.mjs";
import { CONTENDER_NAMES } from "./lib/contenders.mjs";
import { evaluateGoals, renderTable } from "./lib/report.mjs";
import { median, r1, r2 } from "./lib/stats.mjs";
import { bursts, latency, truncateThenWrite } from "./watch.mjs";
import { etcdBench } from "./etcd.mjs";
import { runnerBench } from "./runner.mjs";
import { scaleBench } from "./scale.mjs";
import { replaceReadmeSection } from "./lib/readme.mjs";

const BENCH = fileURLToPath(new URL("..", import.meta.url));
const ROOT = path.resolve(BENCH, "..");
const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const onlyArg = args.find((a) => a.startsWith("--only="));
const ALL = ["latency", "bursts", "truncate", "pipeline", "cli", "memory", "idle", "etcd", "runner", "scale"];
const only = onlyArg ? onlyArg.slice(7).split(",") : ALL;
// Diagnosis only: run our contender with autoReload({ debounceMs: N }) instead of the defaults.
const debounceArg = args.find((a) => a.startsWith("--aiq-debounce="));
if (debounceArg) process.env.AIQ_BENCH_DEBOUNCE_MS = String(Number(debounceArg.slice(15)));
const log = (s) => console.error(s);

const P = smoke
  ? {
      latency: { saves: 5, gapMs: 200 },
      bursts: { trials: 3, settleMs: 1000 },
      truncate: { trials: 3, gapMs: 30, settleMs: 1000 },
      pipeline: { runs: 2, warmup: 1, n: 400 },
      memory: { reloads: 5, n: 400 },
      cli: { runs: 2 },
      idle: { files: 100, dirs: 4, seconds: 1, settleMs: 300 },
      scale: {
        files: 100,
        dirs: 4,
        saves: 5,
        gapMs: 100,
        idleSeconds: 1,
        settleMs: 300,
        reloads: 2,
        thresholdRuns: 2,
        setupRounds: 1,
        n: 400,
      },
    }
  : {
      latency: { saves: 100, gapMs: 200 },
      bursts: { trials: 200, settleMs: 600 },
      truncate: { trials: 30, gapMs: 30, settleMs: 1000 },
      pipeline: { runs: 9, warmup: 2 },
      memory: { reloads: 100 },
      cli: { runs: 10 },
      idle: { files: 1000, dirs: 10, seconds: 10, settleMs: 2000 },
      scale: {
        files: 1000,
        dirs: 10,
        saves: 40,
        gapMs: 150,
        idleSeconds: 10,
        settleMs: 2000,
        reloads: 9,
        thresholdRuns: 9,
        setupRounds: 3,
      },
    };

/** Which of our packages are built (their dist/ is what is benchmarked). */
function available() {
  // AIQ_BENCH_PRETEND_MISSING=loader,cli tests the harness's "missing" paths.
  const pretend = (process.env.AIQ_BENCH_PRETEND_MISSING ?? "").split(",");
  const has = (p) => !pretend.includes(p.split("/")[0]) && fs.existsSync(path.join(ROOT, "packages", p));
  return {
    core: has("core/dist/index.js"),
    loader: has("loader/dist/index.js"),
    watcher: has("watcher/dist/index.js"),
    cli: has("cli/dist/bin.js"),
  };
}
const avail = available();
const missingFor = (...pkgs) => {
  const m = pkgs.filter((p) => !avail[p]);
  return m.length ? m.map((p) => `@aiq/config-${p} not built`).join(", ") : null;
};
const aiqMissing = missingFor("core", "loader", "watcher");

const started = performance.now();
/** @type {any} */
const res = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    smoke,
    only: onlyArg ? only : undefined,
    aiqDebounceMs: debounceArg ? Number(debounceArg.slice(15)) : "default",
    built: avail,
  },
  params: P,
};

async function section(name, fn) {
  if (!only.includes(name)) return;
  log(`[bench] ${name}...`);
  const s = performance.now();
  try {
    res[name] = await fn();
  } catch (e) {
    res[name] = { error: String(e?.message ?? e).slice(0, 600) };
    log(`  ${name} failed: ${res[name].error}`);
  }
  log(`  (${Math.round((performance.now() - s) / 1000)} s)`);
}

const watchNames = CONTENDER_NAMES.filter((n) => !(n === "aiq" && aiqMissing));
const missingRow = aiqMissing ? { aiq: { missing: aiqMissing } } : {};

await section("latency", async () => {
  const out = {};
  for (const n of CONTENDER_NAMES) {
    if (n === "aiq" && aiqMissing) out[n] = { missing: aiqMissing };
    else
      try {
        out[n] = await latency(n, { ...P.latency, log });
      } catch (e) {
        out[n] = { error: String(e?.message ?? e).slice(0, 400) };
        log(`  latency ${n} failed: ${out[n].error}`);
      }
  }
  return out;
});
await section("bursts", async () => ({ ...(await bursts(watchNames, { ...P.bursts, log })), ...missingRow }));
await section("truncate", async () => ({
  ...(await truncateThenWrite(watchNames, { ...P.truncate, log })),
  ...missingRow,
}));
await section("pipeline", async () => {
  const miss = missingFor("core", "loader");
  const c = startChild("pipeline.mjs", { ...P.pipeline, skipAiq: miss });
  try {
    return (await c.next("done", 240_000)).result;
  } finally {
    c.kill();
  }
});
await section("cli", async () => cliColdStart(P.cli.runs));

// memory and idle run at the same time: idle measures only its own process's CPU time, and the
// memory worker's figures do not depend on time.
const memIdle = [];
if (only.includes("memory"))
  memIdle.push(
    section("memory", async () => {
      const miss = missingFor("core", "loader");
      if (miss) return { missing: miss };
      const c = startChild("memory.mjs", P.memory, { execArgv: ["--expose-gc"] });
      try {
        return (await c.next("done", 280_000)).result;
      } finally {
        c.kill();
      }
    }),
  );
if (only.includes("idle")) memIdle.push(section("idle", idleCost));
await Promise.all(memIdle);

await section("etcd", () => etcdBench({ smoke, log }));
await section("runner", () => runnerBench({ smoke, log }));
await section("scale", async () => {
  const miss = aiqMissing;
  if (miss) return { missing: miss };
  const floor = res.latency?.floor?.p50;
  const ours = res.latency?.aiq?.p50;
  const latencyGapToFloorMs = typeof floor === "number" && typeof ours === "number" ? r1(ours - floor) : undefined;
  return scaleBench({ ...P.scale, latencyGapToFloorMs, log });
});

res.meta.seconds = Math.round((performance.now() - started) / 1000);
res.goals = evaluateGoals(res);
const table = renderTable(res);
console.log(`\n${table}\n`);

fs.mkdirSync(path.join(BENCH, "results"), { recursive: true });
const full = !smoke && !onlyArg && !debounceArg;
const out = path.join(BENCH, "results", full ? "last.json" : smoke ? "smoke.json" : "partial.json");
fs.writeFileSync(out, `${JSON.stringify({ ...res, table }, null, 2)}\n`);
log(`[bench] wrote ${path.relative(ROOT, out)} (${res.meta.seconds} s)`);
if (full) replaceReadmeSection("last-run", table);
// Goals are reported, not enforced; a benchmark or contender that crashed (not merely unbuilt) fails the run.
const errors = [];
for (const name of ALL)
  for (const [k, v] of Object.entries(res[name] ?? {}))
    if (k === "error") errors.push(`${name}: ${v}`);
    else if (v && typeof v === "object" && "error" in v) errors.push(`${name}/${k}: ${v.error}`);
if (errors.length) log(`[bench] ${errors.length} error(s):\n  ${errors.join("\n  ")}`);
process.exit(errors.length ? 1 : 0);

/** 5. `node packages/cli/dist/bin.js -c <config> reload --validate-only` vs `node -e 0`. */
async function cliColdStart(runs) {
  const bin = path.join(ROOT, "packages/cli/dist/bin.js");
  const miss = missingFor("cli");
  if (miss) return { missing: miss };
  let config = path.join(ROOT, "examples/config.yml");
  let note;
  let dir;
  if (!fs.existsSync(config)) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "aiq-bench-cli-"));
    config = path.join(dir, "config.yml");
    fs.writeFileSync(config, smallConfig(0));
    note = "examples/config.yml missing: used the bench's 40-line config";
  }
  const cli = [bin, "-c", config, "reload", "--validate-only"];
  const run = (argv) => {
    const s = performance.now();
    const r = spawnSync(process.execPath, argv, {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    return { ms: performance.now() - s, code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const check = run(cli);
  run(["-e", "0"]);
  const node = [],
    ours = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2) {
      ours.push(run(cli).ms);
      node.push(run(["-e", "0"]).ms);
    } else {
      node.push(run(["-e", "0"]).ms);
      ours.push(run(cli).ms);
    }
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  return {
    command: `aiq-config -c ${path.relative(ROOT, config).startsWith("..") ? "<tmp>/config.yml" : path.relative(ROOT, config)} reload --validate-only`,
    runs,
    nodeMs: r1(median(node)),
    cliMs: r1(median(ours)),
    ratio: r2(median(ours) / median(node)),
    exitCode: check.code,
    output: check.out.trim().split("\n").slice(-6).join("\n"),
    samples: { node: node.map(r1), cli: ours.map(r1) },
    ...(note ? { note } : {}),
  };
}

/** 6. Idle CPU of watchers on N unchanged files: ours (ConfigWatcher, autoReload) and references. */
async function idleCost() {
  const modes = ["floor", "chokidar", "watcher", "autoReload"];
  const out = {};
  const kids = [];
  for (const mode of modes) {
    const miss = mode === "watcher" ? missingFor("core", "watcher") : mode === "autoReload" ? aiqMissing : null;
    if (miss) {
      out[mode] = { missing: miss };
      continue;
    }
    kids.push({ mode, c: startChild("idle.mjs", { ...P.idle, mode }, { execArgv: ["--expose-gc"] }) });
  }
  await Promise.all(
    kids.map(async (k) => {
      try {
        await k.c.next("ready", 180_000);
      } catch (e) {
        out[k.mode] = { error: String(e?.message ?? e).slice(0, 400) };
        k.c.kill();
        k.dead = true;
      }
    }),
  );
  const live = kids.filter((k) => !k.dead);
  for (const k of live) k.c.send({ type: "go" });
  await Promise.all(
    live.map(async (k) => {
      try {
        out[k.mode] = (await k.c.next("done", P.idle.seconds * 1000 + 60_000)).result;
      } catch (e) {
        out[k.mode] = { error: String(e?.message ?? e).slice(0, 400) };
      } finally {
        k.c.kill();
      }
    }),
  );
  return Object.fromEntries(modes.filter((m) => out[m]).map((m) => [m, out[m]]));
}
