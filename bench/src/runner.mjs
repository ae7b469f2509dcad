// The dev runner benchmarks (issue 13): `aiq-config run` against the service's own cold start, with
// node --watch and nodemon as reference rows, all measured in the same run. Run by run.mjs
// (`--only=runner`); a full run replaces the "runner: last run" section of bench/README.md.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { smallConfig } from "./lib/configs.mjs";
import { replaceReadmeSection } from "./lib/readme.mjs";
import { nowMs, percentile, r1, sleep } from "./lib/stats.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(ROOT, "packages/cli/dist/bin.js");
const SERVICE = fileURLToPath(new URL("./workers/runner-service.mjs", import.meta.url));
const HANDOFF = fileURLToPath(new URL("./workers/runner-handoff.mjs", import.meta.url));
const NODEMON = createRequire(import.meta.url).resolve("nodemon/bin/nodemon.js");
/** Saves the runner refuses, in turn: a syntax error, a schema issue, an empty file, a save cut mid line. */
const INVALID = [
  (n) => `${smallConfig(n).slice(0, 200)}\nllms: [\n`,
  (n) => smallConfig(n).replace("temperature: 0.0", "temperature: -1"),
  () => "",
  (n) => smallConfig(n).slice(0, smallConfig(n).indexOf("max_tokens") + 5),
];

/**
 * @param {{ smoke: boolean, log: (s: string) => void }} options
 * @returns {Promise<object>} the figures and goals; `missing` when the CLI is not built
 */
export async function runnerBench({ smoke, log }) {
  if (!fs.existsSync(BIN)) return { missing: "@aiq/config-cli not built" };
  if (process.platform === "win32") return { missing: "process groups: POSIX only" };
  const P = smoke
    ? { rounds: 3, saves: 5, restarts: 3, invalid: 4, gapMs: 150 }
    : { rounds: 40, saves: 100, restarts: 100, invalid: 100, gapMs: 150 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aiq-bench-runner-"));
  const out = { params: P, loadavgStart: os.loadavg().map(r2) };
  try {
    log(`  restart: ${P.rounds} rounds (cold start, aiq-config run, node --watch, nodemon)`);
    out.restart = await restarts(dir, P);
    log(`  hand-off: ${P.saves} saves to a connected service and to an in-process autoReload`);
    out.handoff = await handoffs(dir, P);
    log(`  ${P.restarts} restarts of a service with a grandchild; ${P.invalid} invalid saves`);
    out.groups = await groups(dir, P);
    out.invalid = await invalidSaves(dir, P);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  out.loadavgEnd = os.loadavg().map(r2);
  out.goals = goals(out, smoke);
  out.table = render(out);
  console.log(`\n${out.table}\n`);
  if (!smoke) replaceReadmeSection("runner-run", out.table);
  return out;
}

const r2 = (x) => Math.round(x * 100) / 100;
const signed = (x) => `${x >= 0 ? "+" : ""}${x}`;
const stats = (xs) => ({
  n: xs.length,
  p50: r1(percentile(xs, 50)),
  p99: r1(percentile(xs, 99)),
  max: r1(Math.max(...xs)),
});

/**
 * A process the bench started, in a process group of its own (so that what it leaves is stopped
 * too), with its stdout and stderr collected.
 */
function launch(command, args, { env = {}, cwd } = {}) {
  const child = spawn(command, args, {
    cwd,
    detached: true,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const streams = { out: { text: "", waiters: new Set() }, err: { text: "", waiters: new Set() } };
  for (const [name, stream] of [
    ["out", child.stdout],
    ["err", child.stderr],
  ]) {
    stream.setEncoding("utf8");
    stream.on("data", (d) => {
      streams[name].text += d;
      for (const w of [...streams[name].waiters]) w();
    });
  }
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  return {
    child,
    streams,
    exited,
    /** The first match of `re` after offset `from` of a stream, or null after `timeoutMs`. */
    waitFor(stream, re, from = 0, timeoutMs = 10_000) {
      const s = streams[stream];
      return new Promise((resolve) => {
        const check = () => {
          const m = re.exec(s.text.slice(from));
          if (!m) return false;
          finish({ m, end: from + m.index + m[0].length });
          return true;
        };
        const timer = setTimeout(() => finish(null), timeoutMs);
        const finish = (value) => {
          clearTimeout(timer);
          s.waiters.delete(check);
          resolve(value);
        };
        if (!check()) s.waiters.add(check);
      });
    },
    /** SIGTERM to the group, SIGKILL after 3 s; resolves with how the command itself exited. */
    async stop(signal = "SIGTERM") {
      signalGroup(child.pid, signal);
      const timer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), 3000);
      const how = await exited;
      clearTimeout(timer);
      return how;
    },
  };
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {}
}

/** State and parent of a process from /proc (Linux), or null once it is gone. */
function procInfo(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** Zombie children of a process. */
function zombiesOf(ppid) {
  const zombies = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const info = procInfo(Number(name));
    if (info?.state === "Z" && info.ppid === ppid) zombies.push(Number(name));
  }
  return zombies;
}

/** Writes save `n` of the bench config in place; returns the time just before the write. */
function save(file, n, text = smallConfig(n)) {
  const t = nowMs();
  fs.writeFileSync(file, text);
  return t;
}

const upLine = (n) => new RegExp(`\\] up ${n} ([\\d.]+)`);

/**
 * Restart: save → the restarted service's first line, for aiq-config run, node --watch and nodemon,
 * against the same service's cold start (spawned by the bench), interleaved round by round.
 */
async function restarts(dir, P) {
  const tools = {
    aiq: (file) => launch(process.execPath, [BIN, "-c", file, "run", "--", process.execPath, SERVICE]),
    nodeWatch: (file) =>
      launch(process.execPath, [`--watch-path=${path.dirname(file)}`, "--watch-preserve-output", SERVICE, file]),
    nodemon: (file) => launch(process.execPath, [NODEMON, "--quiet", "--watch", file, SERVICE, file]),
  };
  const running = {};
  const files = {};
  try {
    for (const name of Object.keys(tools)) {
      fs.mkdirSync(path.join(dir, name));
      files[name] = path.join(dir, name, "config.yml");
      save(files[name], 0);
      running[name] = tools[name](files[name]);
      if (!(await running[name].waitFor("out", upLine(0), 0, 30_000)))
        throw new Error(`${name} did not start: ${running[name].streams.err.text.slice(-400)}`);
    }
    const coldFile = path.join(dir, "cold.yml");
    save(coldFile, 0);
    const samples = { cold: [], aiq: [], nodeWatch: [], nodemon: [] };
    const missed = { aiq: 0, nodeWatch: 0, nodemon: 0 };
    const reported = [];
    const order = ["cold", ...Object.keys(tools)];
    // Let every watcher settle before the first save.
    await sleep(500);
    for (let round = 1; round <= P.rounds; round++) {
      for (let k = 0; k < order.length; k++) {
        const name = order[(round + k) % order.length];
        if (name === "cold") {
          const t0 = nowMs();
          const cold = launch(process.execPath, [SERVICE, coldFile]);
          const up = await cold.waitFor("out", upLine(0));
          if (up) samples.cold.push(Number(up.m[1]) - t0);
          await cold.stop("SIGKILL");
        } else {
          const r = running[name];
          const from = r.streams.out.text.length;
          const errFrom = r.streams.err.text.length;
          const t0 = save(files[name], round);
          const up = await r.waitFor("out", upLine(round), from);
          if (up) samples[name].push(Number(up.m[1]) - t0);
          else missed[name]++;
          if (name === "aiq") {
            const line = await r.waitFor("err", /restarted in (\d+) ms: pid \d+ stopped in (\d+) ms/, errFrom, 1000);
            if (line) reported.push({ totalMs: Number(line.m[1]), stopMs: Number(line.m[2]) });
          }
        }
        await sleep(P.gapMs);
      }
    }
    const cold = stats(samples.cold);
    const result = { cold, rows: {} };
    for (const name of Object.keys(tools)) {
      const s = stats(samples[name]);
      result.rows[name] = { ...s, missed: missed[name], overP50: r1(s.p50 - cold.p50) };
    }
    result.aiqReported = {
      totalP50: percentile(
        reported.map((x) => x.totalMs),
        50,
      ),
      stopP50: percentile(
        reported.map((x) => x.stopMs),
        50,
      ),
    };
    return result;
  } finally {
    await Promise.all(Object.values(running).map((r) => r.stop()));
  }
}

/** Hand-off: save → applied in a connected service, and in the same service reloading in-process (autoReload). */
async function handoffs(dir, P) {
  fs.mkdirSync(path.join(dir, "handoff"));
  const files = { aiq: path.join(dir, "handoff", "config.yml"), autoReload: path.join(dir, "handoff", "alone.yml") };
  for (const file of Object.values(files)) save(file, 0);
  const running = {
    aiq: launch(process.execPath, [BIN, "-c", files.aiq, "run", "--", process.execPath, HANDOFF]),
    autoReload: launch(process.execPath, [HANDOFF, files.autoReload]),
  };
  try {
    for (const [name, r] of Object.entries(running))
      if (!(await r.waitFor("out", /\] ready /, 0, 30_000)))
        throw new Error(`${name} did not start: ${r.streams.err.text.slice(-400)}${r.streams.out.text.slice(-400)}`);
    await sleep(500);
    const samples = { aiq: [], autoReload: [] };
    const missed = { aiq: 0, autoReload: 0 };
    const names = Object.keys(running);
    for (let n = 1; n <= P.saves; n++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(n + k) % names.length];
        const r = running[name];
        const from = r.streams.out.text.length;
        const t0 = save(files[name], n);
        const applied = await r.waitFor("out", new RegExp(`\\] applied ${n} ([\\d.]+)`), from, 5000);
        if (applied) samples[name].push(Number(applied.m[1]) - t0);
        else missed[name]++;
        await sleep(P.gapMs);
      }
    }
    const restarts = (running.aiq.streams.out.text.match(/\] ready /g) ?? []).length - 1;
    return {
      aiq: { ...stats(samples.aiq), missed: missed.aiq, restarts },
      autoReload: { ...stats(samples.autoReload), missed: missed.autoReload },
    };
  } finally {
    await Promise.all(Object.values(running).map((r) => r.stop()));
  }
}

/**
 * Restarts of a service that starts a grandchild; then, once the runner has exited, which of the
 * services and grandchildren are still alive (orphans) or zombies, and whose zombies they are.
 */
async function groups(dir, P) {
  fs.mkdirSync(path.join(dir, "groups"));
  const file = path.join(dir, "groups", "config.yml");
  save(file, 0);
  const runner = launch(process.execPath, [BIN, "-c", file, "run", "--", process.execPath, SERVICE], {
    env: { RUNNER_BENCH_GRANDCHILD: "1" },
  });
  let missed = 0;
  let runnerZombies = 0;
  let exit;
  try {
    let at = (await runner.waitFor("out", /grandchild \d+/, 0, 30_000))?.end ?? 0;
    for (let n = 1; n <= P.restarts; n++) {
      save(file, n);
      const up = await runner.waitFor("out", upLine(n), at);
      const grandchild = up && (await runner.waitFor("out", /grandchild \d+/, up.end));
      if (!grandchild) missed++;
      else at = grandchild.end;
      // The service the runner stopped must be reaped (no zombie of the runner) before the next one runs.
      runnerZombies = Math.max(runnerZombies, zombiesOf(runner.child.pid).length);
    }
  } finally {
    // The runner's own exit first (it stops its service's group, then exits): only then is anything left an orphan.
    exit = await runner.stop();
  }
  const text = runner.streams.out.text;
  const services = [...text.matchAll(/\[service (\d+)\] up /g)].map((m) => Number(m[1]));
  const grandchildren = [...text.matchAll(/grandchild (\d+)/g)].map((m) => Number(m[1]));
  const init = fs.readFileSync("/proc/1/comm", "utf8").trim();
  const count = { orphans: 0, zombiesOurs: runnerZombies, zombiesOfPid1: 0, zombiesOther: 0 };
  for (const pid of [...services, ...grandchildren]) {
    const info = procInfo(pid);
    if (!info) continue;
    if (info.state !== "Z" && info.state !== "X") count.orphans++;
    else if (info.ppid === 1) count.zombiesOfPid1++;
    else if (info.ppid === runner.child.pid) count.zombiesOurs++;
    else count.zombiesOther++;
  }
  return {
    restarts: P.restarts,
    missed,
    runnerExit: exit,
    services: services.length,
    grandchildren: grandchildren.length,
    ...count,
    pid1: init,
  };
}

/** Invalid saves to a running service: each must be refused, and the service never signalled. */
async function invalidSaves(dir, P) {
  fs.mkdirSync(path.join(dir, "invalid"));
  const file = path.join(dir, "invalid", "config.yml");
  save(file, 0);
  const runner = launch(process.execPath, [BIN, "-c", file, "run", "--", process.execPath, SERVICE]);
  let refused = 0;
  let out = "";
  try {
    if (!(await runner.waitFor("out", upLine(0), 0, 30_000))) throw new Error("aiq-config run did not start");
    await sleep(300);
    let at = runner.streams.err.text.length;
    for (let n = 1; n <= P.invalid; n++) {
      save(file, n, INVALID[n % INVALID.length](n));
      const line = await runner.waitFor("err", /keeps running on version \d+/, at, 3000);
      if (line) {
        refused++;
        at = line.end;
      }
      await sleep(P.gapMs / 3);
    }
    // What the service printed before the runner was stopped (the stop itself signals it, once).
    out = runner.streams.out.text;
  } finally {
    await runner.stop();
  }
  return {
    saves: P.invalid,
    refused,
    signals: (out.match(/\] signal SIG/g) ?? []).length,
    starts: (out.match(/\] up /g) ?? []).length,
    summary: runner.streams.err.text.trim().split("\n").at(-1),
  };
}

function goals(out, smoke) {
  const g = [];
  const mark = (name, target, measured, met) =>
    g.push({ name, target, measured, met: smoke ? "n/a (smoke)" : met ? "met" : "NOT met" });
  const r = out.restart;
  if (r?.rows) {
    const a = r.rows.aiq;
    mark(
      "restart: save → first line, over the cold start",
      "p50 <= cold p50 + 50 ms",
      `${a.p50} vs ${r.cold.p50} ms (${signed(a.overP50)}); node --watch ${signed(r.rows.nodeWatch.overP50)}, nodemon ${signed(r.rows.nodemon.overP50)}`,
      a.overP50 <= 50 && a.missed === 0,
    );
  }
  const h = out.handoff;
  if (h?.aiq) {
    mark("hand-off p50", "<= 30 ms", `${h.aiq.p50} ms`, h.aiq.p50 <= 30);
    mark(
      "hand-off p50 vs in-process autoReload",
      "<= autoReload p50 + 20 ms",
      `${h.aiq.p50} vs ${h.autoReload.p50} ms (${signed(r1(h.aiq.p50 - h.autoReload.p50))})`,
      h.aiq.p50 <= h.autoReload.p50 + 20,
    );
    mark("hand-off p99", "<= 100 ms", `${h.aiq.p99} ms (max ${h.aiq.max})`, h.aiq.p99 <= 100);
    mark(
      "hand-off: missed saves",
      `0 in ${h.aiq.n + h.aiq.missed}`,
      `${h.aiq.missed} (restarts: ${h.aiq.restarts})`,
      h.aiq.missed === 0 && h.aiq.restarts === 0,
    );
  }
  const p = out.groups;
  if (p?.restarts) {
    mark(
      `orphans after ${p.restarts} restarts with grandchildren`,
      "0",
      `${p.orphans} of ${p.services} services + ${p.grandchildren} grandchildren`,
      p.orphans === 0 && p.missed === 0,
    );
    mark(
      "zombies of ours (the runner's unreaped children)",
      "0",
      `${p.zombiesOurs} (zombie grandchildren reparented to PID 1 \`${p.pid1}\`, which does not reap: ${p.zombiesOfPid1})`,
      p.zombiesOurs === 0 && p.zombiesOther === 0,
    );
  }
  const i = out.invalid;
  if (i?.saves)
    mark(
      `${i.saves} invalid saves`,
      "0 signals, 1 start",
      `${i.signals} signals, ${i.starts} start(s), ${i.refused} refusals printed`,
      i.signals === 0 && i.starts === 1 && i.refused === i.saves,
    );
  return g;
}

function render(out) {
  const load = (l) => l.map((x) => x.toFixed(1)).join(" ");
  const lines = [
    `${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${load(out.loadavgStart)} at the start, ${load(out.loadavgEnd)} at the end`,
    "",
  ];
  const r = out.restart;
  if (r?.rows) {
    lines.push(
      `**Restart** (save → the restarted service's first line; ${r.cold.n} rounds, interleaved with the cold start)`,
      "",
      "| | p50 | p99 | max | over the cold start's p50 | missed |",
      "|---|---:|---:|---:|---:|---:|",
      `| cold start (\`node service.mjs\`, baseline) | ${r.cold.p50} | ${r.cold.p99} | ${r.cold.max} | | |`,
    );
    const names = { aiq: "aiq-config run", nodeWatch: "node --watch-path", nodemon: "nodemon 3.1.14" };
    for (const [k, label] of Object.entries(names)) {
      const x = r.rows[k];
      lines.push(`| ${label} | ${x.p50} | ${x.p99} | ${x.max} | ${signed(x.overP50)} | ${x.missed} |`);
    }
    lines.push(
      "",
      `aiq-config run's own report (p50): restarted in ${r.aiqReported.totalP50} ms, of which the old group's stop ${r.aiqReported.stopP50} ms.`,
      "",
    );
  }
  const h = out.handoff;
  if (h?.aiq)
    lines.push(
      `**Hand-off** (save → the new config applied in the service; ${h.aiq.n + h.aiq.missed} saves each, interleaved)`,
      "",
      "| | p50 | p99 | max | missed |",
      "|---|---:|---:|---:|---:|",
      `| in-process autoReload (baseline) | ${h.autoReload.p50} | ${h.autoReload.p99} | ${h.autoReload.max} | ${h.autoReload.missed} |`,
      `| aiq-config run + connectRunner | ${h.aiq.p50} | ${h.aiq.p99} | ${h.aiq.max} | ${h.aiq.missed} |`,
      "",
    );
  lines.push("| goal | target | measured | |", "|---|---|---|---|");
  for (const g of out.goals) lines.push(`| ${g.name} | ${g.target} | ${g.measured} | ${g.met} |`);
  return lines.join("\n");
}
