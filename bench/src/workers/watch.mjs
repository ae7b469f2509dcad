// Worker: runs one contender on one file and logs, with the shared monotonic clock, every value it
// comes to hold. The parent writes the file; this process only watches.
import { CONTENDERS } from "../lib/contenders.mjs";
import { classify } from "../lib/configs.mjs";
import { fatal, workerConfig } from "../lib/child.mjs";
import { nowMs } from "../lib/stats.mjs";

process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

const cfg = await workerConfig();
/** @type {{ t: number, kind: string, seq?: number }[]} */
const observations = [];
/** @type {Record<string, number[]>} */
const marks = {};
let running;
try {
  running = await CONTENDERS[cfg.contender](
    cfg.file,
    (value) => {
      const t = nowMs();
      observations.push({ t, ...classify(value) });
    },
    (name) => {
      marks[name] ??= [];
      marks[name].push(nowMs());
    },
    cfg.options ?? {},
  );
} catch (e) {
  fatal(e);
}
if (running) {
  process.on("message", async (m) => {
    if (m.type === "current") {
      process.send({ type: "current!", t: nowMs(), ...classify(running.current()) });
    } else if (m.type === "finish") {
      const current = classify(running.current());
      try {
        await running.stop();
      } catch {}
      process.send({ type: "finish!", observations, marks, current, info: running.info ?? {} }, () => process.exit(0));
    }
  });
  process.send({ type: "ready", initial: classify(running.current()), info: running.info ?? {} });
}
