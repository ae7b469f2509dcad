// The etcd benchmarks (issue 12): a fleet following one etcd key. Against the floor (bare etcd3
// watchers doing yaml.parse, in the same number of processes, same run) and the goals of the issue.
// Run by run.mjs (`--only=etcd`); a full run replaces the "etcd: last run" section of bench/README.md.
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { startChild } from "./lib/child.mjs";
import { replaceReadmeSection } from "./lib/readme.mjs";
import { percentile, r1, sleep, nowMs } from "./lib/stats.mjs";

const require = createRequire(import.meta.url);
const KEY = "bench/agent.yml";
const value = (n) => `llms:\n  main:\n    _type: openai\n    model_name: gpt-4o\n    temperature: ${n}\n`;

/**
 * @param {{ smoke: boolean, log: (s: string) => void }} options
 * @returns {Promise<object>} the figures and goals; `missing` when no etcd binary is installed
 */
export async function etcdBench({ smoke, log }) {
  const testing = await import("@aiq/config-testing");
  if (!testing.findEtcd()) return { missing: "no etcd binary (apt-get install etcd-server)" };
  const P = smoke
    ? { puts: 5, fleets: [3], gapMs: 30, recoveries: 1, outageMs: 300, stall: false, trials: 2 }
    : {
        puts: 100,
        fleets: (process.env.AIQ_BENCH_ETCD_FLEETS ?? "3,20").split(",").map(Number),
        gapMs: 30,
        recoveries: 5,
        outageMs: 1000,
        stall: true,
        trials: 30,
      };
  const etcd = await testing.startEtcd();
  const out = { params: P };
  try {
    out.convergence = {};
    for (const n of P.fleets) {
      log(`  convergence: ${n} floor + ${n} aiq processes, ${P.puts} puts each`);
      out.convergence[n] = await convergence(etcd, n, P);
    }
    log(`  recovery after SIGKILL + restart (${P.recoveries}x), stall, kill mid-burst (${P.trials}x)`);
    out.faults = await faults(etcd, P);
    log("  import cost");
    out.imports = importCost(smoke ? 1 : 5, etcd.endpoints);
  } finally {
    await etcd.close();
  }
  out.goals = goals(out, smoke);
  out.table = render(out);
  console.log(`\n${out.table}\n`);
  if (!smoke) replaceReadmeSection("etcd-run", out.table);
  return out;
}

/** Starts `n` service workers of `mode` and waits until each is ready; `sink` gets every "applied". */
async function startFleet(etcd, mode, n, { poll = false, key = KEY, ...options } = {}) {
  const children = Array.from({ length: n }, () =>
    // A generous start (20 s): on a loaded machine the first connection can be slow; not measured here.
    startChild("etcd-service.mjs", {
      mode,
      poll,
      endpoints: etcd.endpoints,
      key,
      options: { startupTimeoutMs: 20_000, ...options },
    }),
  );
  const applied = children.map(() => new Map());
  const degraded = children.map(() => []);
  const errors = [];
  children.forEach((child, i) => {
    drain(child, "applied", (m) => applied[i].set(m.revision, m.t), errors);
    drain(child, "degraded", (m) => degraded[i].push(m), errors);
  });
  try {
    await Promise.all(children.map((c) => c.next("ready", 60_000)));
  } catch (error) {
    for (const c of children) c.kill();
    // A worker's fatal error may have been taken by a drain: report it rather than "exited (1)".
    throw new Error(`${mode} worker failed: ${errors[0] ?? error.message}`);
  }
  return {
    children,
    applied,
    degraded,
    /** When the last process held `revision`, waiting up to `timeoutMs`; undefined if one never did. */
    async allHold(revision, timeoutMs = 10_000) {
      const end = nowMs() + timeoutMs;
      while (nowMs() < end) {
        if (applied.every((m) => m.has(revision))) return Math.max(...applied.map((m) => m.get(revision)));
        await sleep(2);
      }
      return undefined;
    },
    async finish() {
      await Promise.all(children.map((c) => c.request({ type: "finish" }, 10_000).catch(() => c.kill())));
      for (const c of children) c.kill();
    },
  };
}

/** Hands every message of `type` to `onMessage` until the child ends; a fatal error goes to `errors`. */
function drain(child, type, onMessage, errors) {
  (async () => {
    for (;;) onMessage(await child.next(type, 3_600_000));
  })().catch((error) => errors.push(error.message));
}

/**
 * put → held by every process, per put; p50/p99 of the slowest process. Both fleets run at once,
 * each on its own key, and their puts alternate (the first of each pair alternating too): both
 * see the same machine load, and neither does work for the other's puts.
 */
async function convergence(etcd, n, P) {
  const fleets = {};
  const latencies = { floor: [], aiq: [] };
  const lost = { floor: 0, aiq: 0 };
  try {
    for (const mode of ["floor", "aiq"]) {
      await etcd.put(`${KEY}.${mode}`, value(0));
      fleets[mode] = await startFleet(etcd, mode, n, { key: `${KEY}.${mode}` });
    }
    for (let i = 1; i <= P.puts; i++) {
      for (const mode of i % 2 ? ["floor", "aiq"] : ["aiq", "floor"]) {
        const t0 = nowMs();
        const revision = await etcd.put(`${KEY}.${mode}`, value(i));
        const t = await fleets[mode].allHold(revision);
        if (t === undefined) lost[mode]++;
        else latencies[mode].push(t - t0);
        await sleep(P.gapMs);
      }
    }
  } finally {
    await Promise.all(Object.values(fleets).map((f) => f.finish()));
  }
  const figures = (mode) => {
    const xs = latencies[mode];
    return {
      p50: r1(percentile(xs, 50)),
      p99: r1(percentile(xs, 99)),
      max: r1(Math.max(...xs)),
      lost: lost[mode],
      puts: P.puts,
    };
  };
  return { floor: figures("floor"), aiq: figures("aiq") };
}

async function faults(etcd, P) {
  await etcd.put(KEY, value(0));
  const fleet = await startFleet(etcd, "aiq", 3, { poll: true, callTimeoutMs: 3000 });
  const { getEtcdValue } = await import("@aiq/config-etcd");
  // Loads the client in this process first: module loading is not a call waiting on etcd.
  await getEtcdValue({ endpoints: etcd.endpoints, key: KEY });
  const result = {};
  try {
    // Recovery: etcd SIGKILLed, restarted after an outage, then one put: every process on it, after healthy.
    const recoveries = [];
    for (let i = 0; i < P.recoveries; i++) {
      await etcd.kill("SIGKILL");
      await sleep(P.outageMs);
      await etcd.restart();
      const healthy = nowMs();
      const revision = await etcd.put(KEY, value(1000 + i));
      const t = await fleet.allHold(revision);
      recoveries.push(t === undefined ? Number.POSITIVE_INFINITY : t - healthy);
    }
    result.recoveryMs = {
      max: r1(Math.max(...recoveries)),
      p50: r1(percentile(recoveries, 50)),
      runs: recoveries.length,
    };

    // Stall: SIGSTOP; how long until every process says degraded; how long a call waits meanwhile.
    if (P.stall) {
      const before = fleet.degraded.map((d) => d.length);
      await etcd.pause();
      const stopped = nowMs();
      // No call meanwhile: the stall must be found by the keepalive alone.
      let detected;
      while (nowMs() - stopped < 30_000) {
        const at = fleet.degraded.map((d, i) => d.slice(before[i]).find((m) => m.degraded)?.t);
        if (at.every((t) => t !== undefined)) {
          detected = Math.max(...at) - stopped;
          break;
        }
        await sleep(20);
      }
      const reload = await fleet.children[0].request({ type: "reload" }, 20_000);
      const started = nowMs();
      const get = await getEtcdValue({ endpoints: etcd.endpoints, key: KEY }).then(
        () => "ok",
        (e) => e.code,
      );
      const getMs = nowMs() - started;
      await etcd.resume();
      const resumed = nowMs();
      const revision = await etcd.put(KEY, value(2000));
      const t = await fleet.allHold(revision);
      result.stall = {
        detectedMs: r1(detected ?? Number.POSITIVE_INFINITY),
        reloadMs: r1(reload.ms),
        reloadOutcome: reload.outcome,
        getMs: r1(getMs),
        getOutcome: get,
        convergedAfterResumeMs: r1(t === undefined ? Number.POSITIVE_INFINITY : t - resumed),
      };
    }

    // Kill mid-burst: 20 puts in flight, SIGKILL after a random 0-10 ms, restart at once; the final
    // revision (whatever etcd kept) must reach every process.
    let lost = 0;
    const convergeMs = [];
    for (let i = 0; i < P.trials; i++) {
      const burst = Array.from({ length: 20 }, (_, j) =>
        etcd.put(KEY, value(10_000 + i * 100 + j)).catch(() => undefined),
      );
      await sleep(Math.random() * 10);
      await etcd.kill("SIGKILL");
      await Promise.all(burst);
      await etcd.restart();
      const healthy = nowMs();
      const final = (await etcd.get(KEY))?.modRevision;
      const t = await fleet.allHold(final);
      if (t === undefined) lost++;
      else convergeMs.push(Math.max(0, t - healthy));
    }
    result.killMidBurst = { trials: P.trials, lost, convergeMaxMs: r1(Math.max(...convergeMs, 0)) };
  } finally {
    await fleet.finish();
  }
  return result;
}

/** What importing costs, in a fresh process each: ms and RSS growth, median of `runs`. */
function importCost(runs, endpoints) {
  const probe = (code) => {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
        encoding: "utf8",
        cwd: fileURLToPath(new URL("..", import.meta.url)),
      });
      if (r.status !== 0) throw new Error(`import probe failed: ${r.stderr.slice(-400)}`);
      samples.push(JSON.parse(r.stdout));
    }
    const med = (k) =>
      r1(
        percentile(
          samples.map((s) => s[k]),
          50,
        ),
      );
    return { ms: med("ms"), mb: med("mb") };
  };
  const measure = (body) =>
    `const rss0 = process.memoryUsage().rss; const t0 = performance.now(); ${body}; ` +
    "console.log(JSON.stringify({ ms: performance.now() - t0, mb: (process.memoryUsage().rss - rss0) / 1048576 }));";
  const url = (name) => JSON.stringify(new URL(`file://${require.resolve(name)}`).href);
  return {
    loader: probe(measure(`await import(${url("@aiq/config-loader")})`)),
    etcd: probe(measure(`await import(${url("@aiq/config-etcd")})`)),
    etcdConnected: probe(
      measure(
        `const m = await import(${url("@aiq/config-etcd")}); await m.getEtcdValue({ endpoints: ${JSON.stringify(endpoints)}, key: "${KEY}" })`,
      ),
    ),
  };
}

function goals(out, smoke) {
  const g = [];
  const mark = (name, target, measured, met) =>
    g.push({ name, target, measured, met: smoke ? "n/a (smoke)" : met ? "met" : "NOT met" });
  for (const [n, c] of Object.entries(out.convergence ?? {})) {
    const d50 = r1(c.aiq.p50 - c.floor.p50);
    const d99 = r1(c.aiq.p99 - c.floor.p99);
    const signed = (d) => `${d >= 0 ? "+" : ""}${d}`;
    mark(
      `convergence p50, ${n} processes`,
      "<= floor + 10 ms",
      `${c.aiq.p50} vs ${c.floor.p50} ms (${signed(d50)})`,
      d50 <= 10 && c.aiq.lost === 0,
    );
    mark(
      `convergence p99, ${n} processes`,
      "<= floor + 50 ms",
      `${c.aiq.p99} vs ${c.floor.p99} ms (${signed(d99)})`,
      d99 <= 50 && c.aiq.lost === 0,
    );
  }
  const f = out.faults ?? {};
  if (f.recoveryMs)
    mark(
      "recovery after SIGKILL + restart",
      "<= 1500 ms after healthy",
      `max ${f.recoveryMs.max} ms (${f.recoveryMs.runs} runs)`,
      f.recoveryMs.max <= 1500,
    );
  if (f.stall) {
    mark("stall (SIGSTOP) detected", "<= 15 s", `${f.stall.detectedMs} ms`, f.stall.detectedMs <= 15_000);
    const longest = Math.max(f.stall.reloadMs, f.stall.getMs);
    mark(
      "no call waits > 3 s",
      "<= 3000 ms (+ timer slack 50 ms)",
      `reload ${f.stall.reloadMs} ms (${f.stall.reloadOutcome}), get ${f.stall.getMs} ms (${f.stall.getOutcome})`,
      longest <= 3050,
    );
  }
  if (f.killMidBurst)
    mark(
      "lost final revisions, kill mid-burst",
      `0 in ${f.killMidBurst.trials}`,
      `${f.killMidBurst.lost}`,
      f.killMidBurst.lost === 0,
    );
  return g;
}

function render(out) {
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
  const lines = [
    `${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${load}`,
    "",
    "| measure | aiq | floor (etcd3 + yaml.parse) |",
    "|---|---|---|",
  ];
  for (const [n, c] of Object.entries(out.convergence ?? {})) {
    lines.push(
      `| put → held by all ${n} processes, p50 / p99 / max (ms) | ${c.aiq.p50} / ${c.aiq.p99} / ${c.aiq.max} (lost ${c.aiq.lost}/${c.aiq.puts}) | ${c.floor.p50} / ${c.floor.p99} / ${c.floor.max} |`,
    );
  }
  const i = out.imports;
  if (i) {
    lines.push(
      `| import @aiq/config-etcd (ms, MB RSS) | ${i.etcd.ms} ms, ${i.etcd.mb} MB | @aiq/config-loader: ${i.loader.ms} ms, ${i.loader.mb} MB |`,
    );
    lines.push(
      `| import + first get (etcd3 + gRPC loaded, connected) | ${i.etcdConnected.ms} ms, ${i.etcdConnected.mb} MB | |`,
    );
  }
  const f = out.faults ?? {};
  if (f.stall) lines.push(`| after SIGCONT: put → held by all 3 (ms) | ${f.stall.convergedAfterResumeMs} | |`);
  if (f.killMidBurst)
    lines.push(`| kill mid-burst: slowest convergence after healthy (ms) | ${f.killMidBurst.convergeMaxMs} | |`);
  lines.push("", "| goal | target | measured | |", "|---|---|---|---|");
  for (const g of out.goals) lines.push(`| ${g.name} | ${g.target} | ${g.measured} | ${g.met} |`);
  return lines.join("\n");
}
