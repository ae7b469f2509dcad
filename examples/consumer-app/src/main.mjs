#!/usr/bin/env node
// Runs the example agent service on a config file and prints a line per reload.
// Usage: node src/main.mjs [config.yml] [--no-reload]   (Ctrl-C stops it)
// Under `aiq-config run`, the config file defaults to the runner's (AIQ_CONFIG_FILE) and saves are
// handed over by the runner; with --no-reload the service never reloads and the runner restarts it.
import { createConsoleLogger, formatIssue, isConfigError, isConfigValidationError } from "@aiq/config-core";
import { createAgentService } from "./service.mjs";

const args = process.argv.slice(2);
const configPath = args.find((arg) => !arg.startsWith("--")) ?? process.env.AIQ_CONFIG_FILE ?? "config.yml";
const reload = args.includes("--no-reload") ? "none" : "auto";

/** @type {import("./service.mjs").AgentService} */
let service;
// This program prints every reload itself (below), so aiq-config's own log shows errors only,
// unless AIQ_CONFIG_LOG asks for more (AIQ_CONFIG_LOG=debug: each step of each reload).
const logger = createConsoleLogger(process.env.AIQ_CONFIG_LOG ? undefined : "error");

try {
  service = await createAgentService(configPath, { logger, reload });
} catch (error) {
  if (isConfigValidationError(error)) {
    console.error(`${configPath} is not a valid config:`);
    for (const issue of error.issues) console.error(`  ${formatIssue(issue)}`);
  } else {
    console.error(isConfigError(error) || error instanceof Error ? error.message : String(error));
  }
  process.exit(1);
}

// With --no-reload nothing else keeps this process alive (a real service would be serving requests).
const keepAlive = reload === "none" ? setInterval(() => undefined, 2 ** 30) : undefined;

const { llm, configPath: resolvedPath, functions } = service.describe();
console.log(
  `serving with ${llm.model} (temperature ${llm.temperature}), ${functions.length} function(s), from ${resolvedPath}`,
);
console.log("edit the file to reload it; Ctrl-C to stop");

service.onReload((report) => {
  const stamp = new Date().toISOString().slice(11, 23);
  if (!report.ok) {
    const issues =
      report.issues.length > 0 ? report.issues.map((issue) => formatIssue(issue)).join("; ") : report.message;
    console.log(`${stamp} reload refused (${report.code ?? "error"}), keeping version ${report.version}: ${issues}`);
    return;
  }
  if (report.changedPaths.length === 0) {
    console.log(`${stamp} reloaded, nothing changed: still version ${report.version}`);
    return;
  }
  const client = report.rebuilt
    ? `; LLM client rebuilt: ${report.client.model} @ temperature ${report.client.temperature}`
    : "";
  console.log(`${stamp} reloaded version ${report.version}: ${report.changedPaths.join(", ")}${client}`);
});

let stopping = false;
/** @param {NodeJS.Signals} signal */
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  clearInterval(keepAlive);
  await service.close();
  const { reloadCount, rebuilds } = service.describe();
  console.log(`${signal}: stopped after ${reloadCount} reload(s), ${rebuilds} LLM client rebuild(s)`);
  // Nothing is left running: the process exits on its own once the watcher is closed.
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
