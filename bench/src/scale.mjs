// Parent side of the issue-14 benchmark (--only=scale): a thousand configs in one process, and the
// event loop during a reload of the ~1 MB config. Each figure comes from a process of its own,
// one at a time; baselines come from the same run.
import { startChild } from "./lib/child.mjs";
import { median, r1, r2 } from "./lib/stats.mjs";

async function inChild(config, timeoutMs) {
  const child = startChild("scale.mjs", config, { execArgv: ["--expose-gc"] });
  try {
    return (await child.next("done", timeoutMs)).result;
  } finally {
    child.kill();
  }
}

/**
 * @param {{ files: number, dirs: number, saves: number, gapMs: number, idleSeconds: number,
 *   settleMs: number, reloads: number, thresholdRuns: number, setupRounds: number, n?: number,
 *   latencyGapToFloorMs?: number,
 *   log: (s: string) => void }} p
 */
export async function scaleBench(p) {
  const { log, latencyGapToFloorMs: _gap, ...params } = p;
  const run = (mode, timeoutMs = 600_000) => inChild({ ...params, mode }, timeoutMs);
  // The three setups, round after round in a rotating order, so the machine's load weighs on each alike.
  const setups = { managers: [], watcher: [], autoReload: [] };
  let autoReload;
  for (let round = 0; round < params.setupRounds; round++) {
    const order = ["managers", "watcher", "autoReload"];
    for (const mode of [...order.slice(round % 3), ...order.slice(0, round % 3)]) {
      const last = round === params.setupRounds - 1;
      const result = await inChild({ ...params, mode, extras: mode === "autoReload" && last }, 600_000);
      setups[mode].push(result.setupMs);
      if (mode === "autoReload" && last) autoReload = result;
    }
  }
  const managers = { setupMs: r1(median(setups.managers)) };
  const watcher = { setupMs: r1(median(setups.watcher)) };
  const single = await run("single");
  const stall = await run("stall");
  const baseline = r1(managers.setupMs + watcher.setupMs);
  const out = {
    files: params.files,
    dirs: params.dirs,
    setup: {
      managersMs: managers.setupMs,
      watcherMs: watcher.setupMs,
      autoReloadMs: r1(median(setups.autoReload)),
      ratio: r2(median(setups.autoReload) / baseline),
      rounds: setups,
    },
    osWatchHandles: autoReload.osWatchHandles,
    osWatchHandlesPerDir: r2(autoReload.osWatchHandles / autoReload.dirs),
    watchModes: autoReload.watchModes,
    idleCpuPercent: autoReload.idleCpuPercent,
    latency: {
      oneOfMany: autoReload.latency,
      single: single.latency,
      gapP50Ms: r1(autoReload.latency.p50 - single.latency.p50),
    },
    stall: { ...stall, reloadRatio: r2(stall.worker.reloadP50 / stall.main.reloadP50) },
  };
  out.goals = scaleGoals(out, p.latencyGapToFloorMs);
  for (const g of out.goals) log(`  scale goal ${g.met ? "met" : "NOT met"}: ${g.goal} (${g.value})`);
  log(
    `  scale: setup ${out.setup.autoReloadMs} ms vs ${baseline} ms (${out.setup.ratio}x), ${out.osWatchHandles} watch handles for ${out.dirs} dirs, idle ${out.idleCpuPercent}% CPU, save→applied p50 ${out.latency.oneOfMany.p50} vs ${out.latency.single.p50} ms; stall p50 ${stall.worker.stallP50} ms (main thread ${stall.main.stallP50} ms), reload ${out.stall.reloadRatio}x`,
  );
  return out;
}

/** Each goal of issue 14 with the figure that decides it. */
function scaleGoals(out, latencyGapToFloorMs) {
  const goals = [
    {
      goal: "setup of autoReload x N <= 1.3x (N managers + one ConfigWatcher)",
      value: `${out.setup.ratio}x`,
      met: out.setup.ratio <= 1.3,
    },
    {
      goal: "OS watch handles: one per directory",
      value: `${out.osWatchHandles} for ${out.dirs} directories`,
      met: out.osWatchHandles <= out.dirs,
    },
    { goal: "idle CPU < 1% of a core", value: `${out.idleCpuPercent}%`, met: out.idleCpuPercent < 1 },
    {
      goal: "save -> applied p50, one of N, within 5 ms of a single manager's",
      value: `${out.latency.oneOfMany.p50} vs ${out.latency.single.p50} ms`,
      met: out.latency.gapP50Ms <= 5,
    },
    {
      goal: "longest event-loop stall during a reload of the large config <= 50 ms (p50)",
      value: `${out.stall.worker.stallP50} ms (main-thread path ${out.stall.main.stallP50} ms)`,
      met: out.stall.worker.stallP50 <= 50,
    },
    {
      goal: "whole reload <= 1.2x today's (the main-thread path)",
      value: `${out.stall.reloadRatio}x`,
      met: out.stall.reloadRatio <= 1.2,
    },
  ];
  if (latencyGapToFloorMs !== undefined)
    goals.push({
      goal: "40-line config save -> applied p50 within 15 ms of the floor (latency section)",
      value: `+${latencyGapToFloorMs} ms`,
      met: latencyGapToFloorMs <= 15,
    });
  return goals;
}
