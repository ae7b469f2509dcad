// Parent side of benchmarks 1 (save -> applied latency) and 2 (bursts, truncate-then-write).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startChild } from "./lib/child.mjs";
import { smallConfig } from "./lib/configs.mjs";
import { nowMs, r1, sleep, summary } from "./lib/stats.mjs";

const READY_SETTLE_MS = 300;

function tempConfig(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aiq-bench-${name}-`));
  const file = path.join(dir, "config.yaml");
  fs.writeFileSync(file, smallConfig(0));
  return { dir, file };
}

async function startWatching(name, options = {}) {
  const { dir, file } = tempConfig(name);
  const child = startChild("watch.mjs", { contender: name, file, options });
  try {
    const ready = await child.next("ready", 30_000);
    return { name, dir, file, child, ready };
  } catch (e) {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function finish(w) {
  try {
    const fin = await w.child.request({ type: "finish" }, 30_000);
    await w.child.exited;
    return fin;
  } finally {
    w.child.kill();
    fs.rmSync(w.dir, { recursive: true, force: true });
  }
}

/**
 * 1. `saves` in-place saves `gapMs` apart; latency = first time the contender holds save i minus the
 * time just before save i's write. One contender at a time, each in its own process.
 * @param {string} name
 * @param {{ saves: number, gapMs: number, log: (s: string) => void }} o
 */
export async function latency(name, { saves, gapMs, log }) {
  const w = await startWatching(name);
  await sleep(READY_SETTLE_MS);
  /** @type {number[]} */
  const t0 = [];
  const start = nowMs();
  for (let i = 1; i <= saves; i++) {
    const wait = start + (i - 1) * gapMs - nowMs();
    if (wait > 0) await sleep(wait);
    const text = smallConfig(i);
    t0[i] = nowMs();
    fs.writeFileSync(w.file, text);
  }
  await sleep(Math.max(gapMs, 1000));
  const fin = await finish(w);
  /** @type {number[]} */
  const lat = [];
  let missed = 0;
  for (let i = 1; i <= saves; i++) {
    const o = fin.observations.find((x) => x.kind === "ok" && x.seq === i && x.t >= t0[i]);
    if (o) lat.push(o.t - t0[i]);
    else missed++;
  }
  const s = summary(lat);
  // Diagnosis (contenders that mark internal steps): where the latency goes.
  const breakdown = {};
  for (const [mark, ts] of Object.entries(fin.marks ?? {})) {
    const toMark = [],
      markToApplied = [];
    for (let i = 1; i <= saves; i++) {
      const applied = fin.observations.find((x) => x.kind === "ok" && x.seq === i && x.t >= t0[i]);
      const m = ts.find((t) => t >= t0[i] && (!applied || t <= applied.t));
      if (!m) continue;
      toMark.push(m - t0[i]);
      if (applied) markToApplied.push(applied.t - m);
    }
    breakdown[`write→${mark} p50`] = r1(summary(toMark).p50);
    breakdown[`${mark}→applied p50`] = r1(summary(markToApplied).p50);
  }
  const res = {
    saves,
    ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === "n" ? v : r1(v)])),
    missed,
    emptySeen: fin.observations.filter((x) => x.kind === "empty").length,
    partialSeen: fin.observations.filter((x) => x.kind === "partial").length,
    finalOk: fin.current.kind === "ok" && fin.current.seq === saves,
    info: { ...w.ready.info },
    ...(Object.keys(breakdown).length ? { breakdown } : {}),
  };
  log(`  latency ${name}: p50 ${res.p50} p90 ${res.p90} p99 ${res.p99} max ${res.max} ms, missed ${missed}/${saves}`);
  return res;
}

/**
 * Starts every contender at once (own process, own directory) for the correctness trials; the
 * parent writes the same schedule to each file, in a rotating order. Contenders that fail to start
 * are reported, not fatal.
 */
async function startAll(names, options) {
  const started = await Promise.allSettled(names.map((n) => startWatching(n, options)));
  /** @type {Record<string, any>} */
  const errors = {};
  const ws = [];
  started.forEach((s, i) => {
    if (s.status === "fulfilled") ws.push(s.value);
    else errors[names[i]] = failure(s.reason);
  });
  await sleep(READY_SETTLE_MS);
  return { ws, errors };
}

const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

/** A contender's result when it failed: the reason, cut short. */
const failure = (reason) => ({ error: String(reason?.message ?? reason).slice(0, 400) });

/**
 * Stops every contender and files its figures under its name in `result` (a failure where it did
 * not stop cleanly), with one log line each.
 * @param summarize (name, observations) => { figures, line }: what a trial kind reports
 */
async function collectResults(ws, result, log, summarize) {
  const fins = await Promise.allSettled(ws.map(finish));
  fins.forEach((f, i) => {
    const name = ws[i].name;
    if (f.status === "rejected") {
      result[name] = failure(f.reason);
      return;
    }
    const { figures, line } = summarize(name, f.value.observations);
    result[name] = figures;
    log(line);
  });
}

/**
 * 2a. `trials` bursts of 5 different in-place saves 5 ms apart (~20 ms); after `settleMs` the
 * contender's current value must be the last save. Ours runs with a schema that accepts anything
 * (issue 17): the empty or partial configs it holds are then the watcher's and loader's doing alone.
 */
export async function bursts(names, { trials, settleMs, log }) {
  const { ws, errors } = await startAll(names, { schema: "pass-through" });
  const result = { ...errors };
  const lost = Object.fromEntries(ws.map((w) => [w.name, 0]));
  const windows = [];
  let seq = 0;
  try {
    for (let t = 0; t < trials; t++) {
      const order = rotate(ws, t);
      const tStart = nowMs();
      for (let k = 0; k < 5; k++) {
        seq++;
        const text = smallConfig(seq);
        for (const w of order) fs.writeFileSync(w.file, text);
        if (k < 4) await sleep(5);
      }
      windows.push({ tStart, last: seq });
      await sleep(settleMs);
      const cur = await Promise.all(ws.map((w) => w.child.request({ type: "current" }, 10_000)));
      cur.forEach((c, i) => {
        if (!(c.kind === "ok" && c.seq === seq)) lost[ws[i].name]++;
      });
    }
  } finally {
    await collectResults(ws, result, log, (name, obs) => {
      const held = heldCounts(obs);
      return {
        figures: {
          trials,
          lostFinal: lost[name],
          trialsWithEmptyOrPartial: countBadWindows(obs, windows),
          ...held,
          reloadsSeen: obs.length,
        },
        line: `  bursts ${name}: lost final save in ${lost[name]}/${trials}, ${obs.length} values held, ${held.emptyHeld} empty, ${held.partialHeld} partial`,
      };
    });
  }
  return result;
}

/** How many of the values a contender came to hold were empty, and how many partial. */
function heldCounts(obs) {
  return {
    emptyHeld: obs.filter((o) => o.kind === "empty").length,
    partialHeld: obs.filter((o) => o.kind === "partial").length,
  };
}

/** Trials (time windows) during which a contender held an empty or partial config at least once. */
function countBadWindows(obs, windows) {
  let bad = 0;
  windows.forEach((w, i) => {
    const end = windows[i + 1]?.tStart ?? Number.POSITIVE_INFINITY;
    if (obs.some((o) => o.t >= w.tStart && o.t < end && o.kind !== "ok")) bad++;
  });
  return bad;
}

/**
 * 2b. `trials` truncate-then-write saves: open 'w' (truncates), `gapMs` with the empty file
 * visible, then write the whole new config and close. Counts trials in which an empty or partial
 * config was ever held (every change callback is observed), and whether the final one was reached.
 */
export async function truncateThenWrite(names, { trials, gapMs, settleMs, log }) {
  const { ws, errors } = await startAll(names);
  const result = { ...errors };
  const notConverged = Object.fromEntries(ws.map((w) => [w.name, 0]));
  const windows = [];
  let seq = 1000;
  try {
    for (let t = 0; t < trials; t++) {
      seq++;
      const text = smallConfig(seq);
      const order = rotate(ws, t);
      const tStart = nowMs();
      const fds = order.map((w) => fs.openSync(w.file, "w"));
      await sleep(gapMs);
      for (const fd of fds) {
        fs.writeSync(fd, text);
        fs.closeSync(fd);
      }
      windows.push({ tStart, last: seq });
      await sleep(settleMs);
      const cur = await Promise.all(ws.map((w) => w.child.request({ type: "current" }, 10_000)));
      cur.forEach((c, i) => {
        if (!(c.kind === "ok" && c.seq === seq)) notConverged[ws[i].name]++;
      });
    }
  } finally {
    await collectResults(ws, result, log, (name, obs) => {
      const bad = countBadWindows(obs, windows);
      return {
        figures: { trials, trialsWithEmptyOrPartial: bad, ...heldCounts(obs), notConverged: notConverged[name] },
        line: `  truncate ${name}: empty/partial held in ${bad}/${trials} trials, final not reached in ${notConverged[name]}`,
      };
    });
  }
  return result;
}
