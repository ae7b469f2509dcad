#!/usr/bin/env node
import { runCli } from "./cli.js";

// The first Ctrl-C (or SIGTERM) asks the running command to stop cleanly (watch and interactive
// close the manager and exit 0); a second one exits at once.
const controller = new AbortController();
const onSignal = (): void => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), { signal: controller.signal });
process.off("SIGINT", onSignal);
process.off("SIGTERM", onSignal);
process.exitCode = code;
