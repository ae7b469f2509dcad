#!/usr/bin/env node
// Save-to-current latency of autoReload, beside the floor of a bare `fs.watch` + read + `yaml.parse`,
// measured in the same run on the same machine. Not a test: a measurement for the README.
//
//   node packages/watcher/scripts/latency.mjs [--writes 100] [--debounce 40] [--polling] [--interval 50]
//
// It bundles the workspace sources with esbuild (tsup's) into a temp file, so no build is needed.
import { watch } from "node:fs";
import * as fs from "node:fs/promises";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";

const { values: args } = parseArgs({
  options: {
    writes: { type: "string", default: "100" },
    debounce: { type: "string" },
    polling: { type: "boolean", default: false },
    interval: { type: "string", default: "50" },
    pause: { type: "string", default: "250" },
  },
});
const writes = Number(args.writes);
const pauseMs = Number(args.pause);

const root = fileURLToPath(new URL("../../../", import.meta.url));
const work = await fs.mkdtemp(path.join(os.tmpdir(), "aiq-latency-"));
const bundle = path.join(work, "bundle.mjs");
const src = (name) => path.join(root, "packages", name, "src", "index.ts");
// esbuild is tsup's dependency: found through tsup, not declared by this package.
const requireFromRoot = createRequire(path.join(root, "package.json"));
const esbuild = requireFromRoot(createRequire(requireFromRoot.resolve("tsup")).resolve("esbuild"));
await esbuild.build({
  bundle: true,
  platform: "node",
  format: "esm",
  logLevel: "warning",
  outfile: bundle,
  // Some dependencies are CommonJS and require() Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  alias: Object.fromEntries(["events", "core", "loader", "watcher"].map((name) => [`@aiq/config-${name}`, src(name)])),
  stdin: {
    contents: [
      'export { createEventManager } from "@aiq/config-events";',
      'export { silentLogger } from "@aiq/config-core";',
      'export { createConfigManager } from "@aiq/config-loader";',
      'export { autoReload, DEFAULT_DEBOUNCE_MS } from "@aiq/config-watcher";',
    ].join("\n"),
    resolveDir: root,
    loader: "ts",
  },
});
const { autoReload, createConfigManager, createEventManager, silentLogger, DEFAULT_DEBOUNCE_MS } = await import(
  pathToFileURL(bundle).href
);

// The same shape of document as the watcher's tests: ~1 KiB, `counter` tells saves apart.
const text = (counter) =>
  `name: v${counter}\ncounter: ${counter}\nllms:\n  main_llm:\n    model: m\n    temperature: 0.5\n` +
  Array.from({ length: 12 }, (_, i) => `  llm_${i}:\n    model: padding-model-${i}\n    temperature: 0.${i}\n`).join(
    "",
  ) +
  "end: true\n";
const schema = { "~standard": { version: 1, vendor: "latency", validate: (value) => ({ value }) } };

const configFile = path.join(work, "config.yml");
const floorFile = path.join(work, "floor", "config.yml");
await fs.mkdir(path.dirname(floorFile));
await fs.writeFile(configFile, text(0));
await fs.writeFile(floorFile, text(0));

// The floor: what any watcher must at least spend (event delivery + read + parse).
let floorWaiter;
const floorWatcher = watch(path.dirname(floorFile), async (_event, name) => {
  if (name !== "config.yml" || !floorWaiter) return;
  try {
    const doc = parseYaml(await fs.readFile(floorFile, "utf8"));
    if (doc?.counter === floorWaiter.counter) floorWaiter.resolve();
  } catch {
    // a half-written file: the next event brings the rest
  }
});

const debounceMs = args.debounce === undefined ? undefined : Number(args.debounce);
const manager = await createConfigManager(configFile, { schema, events: createEventManager(), logger: silentLogger });
const handle = autoReload(manager, {
  logger: silentLogger,
  usePolling: args.polling,
  interval: Number(args.interval),
  ...(debounceMs === undefined ? {} : { debounceMs }),
});
await handle.ready();
let reloadWaiter;
manager.subscribe((config) => {
  if (reloadWaiter && config.counter === reloadWaiter.counter) reloadWaiter.resolve();
});

const waiterFor = (counter) => {
  const waiter = { counter };
  waiter.done = new Promise((resolve) => {
    waiter.resolve = resolve;
  });
  return waiter;
};

const floor = [];
const reload = [];
for (let i = 1; i <= writes; i++) {
  floorWaiter = waiterFor(i);
  let start = performance.now();
  await fs.writeFile(floorFile, text(i));
  await floorWaiter.done;
  floor.push(performance.now() - start);

  reloadWaiter = waiterFor(i);
  start = performance.now();
  await fs.writeFile(configFile, text(i));
  await reloadWaiter.done;
  reload.push(performance.now() - start);
  // Let the watcher's second look pass, so each save is measured on its own.
  await delay(pauseMs);
}

floorWatcher.close();
await manager.close();
await fs.rm(work, { recursive: true, force: true });

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (ms) => `${ms.toFixed(1)} ms`;
  return `p50 ${f(pct(sorted, 50))}  p90 ${f(pct(sorted, 90))}  p99 ${f(pct(sorted, 99))}  max ${f(sorted.at(-1))}`;
};
const mode = args.polling ? `polling every ${args.interval} ms` : "native";
console.log(
  `${writes} in-place writes, ${mode}, debounce ${debounceMs ?? DEFAULT_DEBOUNCE_MS} ms, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}`,
);
console.log(`fs.watch + read + yaml.parse (floor): ${summary(floor)}`);
console.log(`autoReload -> currentConfig:         ${summary(reload)}`);
