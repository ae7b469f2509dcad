#!/usr/bin/env node
import { runCli } from "./cli.js";

// The first Ctrl-C (or SIGTERM, SIGHUP) asks the running command to stop cleanly (watch and
// interactive close the manager and exit 0; run passes the signal, named by the abort reason, on to
// its service); a second one exits at once.
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const controller = new AbortController();
const onSignal = (signal: NodeJS.Signals): void => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort(signal);
};
for (const signal of SIGNALS) process.on(signal, onSignal);

const code = await runCli(process.argv.slice(2), { signal: controller.signal });
for (const signal of SIGNALS) process.off(signal, onSignal);
process.exitCode = code;
