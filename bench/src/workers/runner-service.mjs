// A service for the runner benchmarks (src/runner.mjs): reads its config file (AIQ_CONFIG_FILE, or
// the first argument under node --watch and nodemon), prints `up <save> <t>` on the shared monotonic
// clock, and stays up. Every stop signal is printed before it exits at once, so a benchmark counts
// the signals a service got. RUNNER_BENCH_GRANDCHILD=1: it also starts a grandchild (`sleep 600`).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

const now = () => Number(process.hrtime.bigint()) / 1e6;
const say = (line) => process.stdout.write(`[service ${process.pid}] ${line}\n`);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR2"])
  process.on(signal, () => {
    say(`signal ${signal}`);
    process.exit(0);
  });
const file = process.env.AIQ_CONFIG_FILE ?? process.argv[2];
// The bench's config carries its save number as llms.main_llm.max_tokens = 1000 + save.
const save = Number(/max_tokens: (\d+)/.exec(readFileSync(file, "utf8"))?.[1] ?? Number.NaN) - 1000;
say(`up ${save} ${now().toFixed(3)}`);
if (process.env.RUNNER_BENCH_GRANDCHILD) say(`grandchild ${spawn("sleep", ["600"], { stdio: "ignore" }).pid}`);
setInterval(() => undefined, 60_000);
