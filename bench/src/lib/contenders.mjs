// The four contenders of the watch benchmarks. Each runs inside a worker process (never two in one
// process) and reports every value it comes to hold through `onValue`; `current()` is what a
// program using it would read right now.
import * as fs from "node:fs";
import { readFile } from "node:fs/promises";
import * as path from "node:path";

/**
 * @typedef {object} Running
 * (A contender may call `mark(name)` to timestamp internal steps for the diagnosis.)
 * @property {() => unknown} current
 * @property {() => Promise<void>} stop
 * @property {Record<string, unknown>} [info]
 */
/**
 * @typedef {(file: string, onValue: (value: unknown) => void, mark: (name: string) => void, options: { schema?: "pass-through" }) => Promise<Running>} Contender
 * (`schema: "pass-through"`: a contender with a schema validates with one that accepts anything.)
 */

/** The floor: raw fs.watch on the directory, readFileSync + yaml.parse on every event, no debounce. */
async function floor(file, onValue) {
  const { parse } = await import("yaml");
  const base = path.basename(file);
  let current = parse(fs.readFileSync(file, "utf8"));
  const watcher = fs.watch(path.dirname(file), (_event, name) => {
    if (name !== base) return;
    let value;
    try {
      value = parse(fs.readFileSync(file, "utf8"));
    } catch {
      return; // unreadable or unparsable: keep the old value
    }
    current = value;
    onValue(value);
  });
  return { current: () => current, stop: async () => watcher.close() };
}

/** chokidar 5 with its default options, readFile + yaml.parse on add/change. */
async function chokidar(file, onValue) {
  const { parse } = await import("yaml");
  const { watch } = await import("chokidar");
  let current = parse(fs.readFileSync(file, "utf8"));
  const watcher = watch(file);
  const load = async () => {
    let value;
    try {
      value = parse(await readFile(file, "utf8"));
    } catch {
      return;
    }
    current = value;
    onValue(value);
  };
  watcher.on("change", load);
  watcher.on("add", load);
  await new Promise((resolve) => watcher.once("ready", resolve));
  return { current: () => current, stop: () => watcher.close() };
}

/**
 * c12's watchConfig: cwd = the temp dir, configFile "config" (resolves config.yaml, loaded through
 * confbox's parseYAML, i.e. js-yaml), every other option at its default (debounce 100 ms).
 */
async function c12(file, onValue) {
  const { watchConfig } = await import("c12");
  if (path.basename(file) !== "config.yaml") throw new Error("c12 contender expects <dir>/config.yaml");
  const watcher = await watchConfig({
    cwd: path.dirname(file),
    configFile: "config",
    onUpdate: ({ newConfig }) => onValue(newConfig.config),
  });
  return {
    current: () => watcher.config,
    stop: () => watcher.unwatch(),
    info: { watchingFiles: watcher.watchingFiles.length },
  };
}

/** A Standard Schema that accepts any value: what keeps a broken config out is then ours alone. */
const passThrough = { "~standard": { version: 1, vendor: "bench", validate: (value) => ({ value }) } };

/**
 * Ours: autoReload(await createConfigManager(path)) with default options (the default schema, or
 * `options.schema: "pass-through"`); values seen by subscribe.
 */
async function aiq(file, onValue, mark, options) {
  const { createConfigManager } = await import("@aiq/config-loader");
  const { autoReload } = await import("@aiq/config-watcher");
  // For the diagnosis only: when the watcher's file event reaches the bus (debounce + read + hash
  // done), as opposed to when the new config is held (reload done).
  try {
    const { getEventManager } = await import("@aiq/config-events");
    getEventManager().registerHandler((e) => {
      if (e.type === "file_modified" || e.type === "file_created") mark("fileEvent");
    });
  } catch {}
  const manager = await createConfigManager(file, options.schema === "pass-through" ? { schema: passThrough } : {});
  manager.subscribe((config) => onValue(config));
  // Default options; AIQ_BENCH_DEBOUNCE_MS (run.mjs --aiq-debounce=N) is for diagnosis runs only.
  const debounce = process.env.AIQ_BENCH_DEBOUNCE_MS;
  const handle = await autoReload(manager, debounce ? { debounceMs: Number(debounce) } : undefined);
  return {
    current: () => manager.currentConfig,
    stop: async () => {
      await handle?.stop?.();
      await manager.close();
    },
    info: { watch: manager.status?.watch },
  };
}

/** @type {Record<string, Contender>} */
export const CONTENDERS = { floor, chokidar, c12, aiq };
export const CONTENDER_NAMES = /** @type {const} */ (["floor", "chokidar", "c12", "aiq"]);
export const LABELS = {
  floor: "floor (fs.watch+parse)",
  chokidar: "chokidar 5 default",
  c12: "c12 watchConfig",
  aiq: "aiq autoReload",
};
