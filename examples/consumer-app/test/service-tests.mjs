// The example service's tests, written once and registered by both runners: test/node.test.mjs
// (node:test) and test/vitest.test.mjs (vitest). Each is an async function that throws on failure
// (node:assert/strict), so it needs nothing from the runner.
//
// Everything is imported the way an outside user would: package names, resolved through
// node_modules to each package's published `dist/` entry point. No sleeps: every wait is for a
// reload or an event, with a timeout that only ever fails the test.
import assert from "node:assert/strict";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseOverridePath, silentLogger } from "@aiq/config-core";
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { parseConfig } from "@aiq/config-loader";
import { createConfigFixture, FakeWatcher, recordEvents, waitForEvent, waitForReload } from "@aiq/config-testing";
import { ConfigWatcher } from "@aiq/config-watcher";
import { createAgentService } from "../src/service.mjs";

/** How long a reload or event may take before the test fails (2 shared cores, parallel suites). */
export const TIMEOUT_MS = 10_000;

/** The per-test timeout the runners are given: a few waits plus setup. */
export const TEST_TIMEOUT_MS = 60_000;

/**
 * A small AIQ-style config.
 * @param {{ temperature?: number | string, model?: string, functions?: string[] }} [settings]
 * @returns {string} YAML text
 */
export function configText({
  temperature = 0,
  model = "meta/llama-3.1-70b-instruct",
  functions = ["current_datetime"],
} = {}) {
  return [
    "llms:",
    "  main_llm:",
    "    _type: nim",
    `    model_name: ${model}`,
    `    temperature: ${temperature}`,
    "functions:",
    ...functions.map((name) => `  ${name}:\n    _type: ${name}`),
    "workflow:",
    "  _type: react_agent",
    "  llm_name: main_llm",
    `  tool_names: [${functions.join(", ")}]`,
    "",
  ].join("\n");
}

/**
 * Runs `body` with a fresh fixture (config.yml = `configText(settings)`) and a started service on
 * a private bus, and closes both whatever happens.
 * @param {Parameters<typeof configText>[0]} settings
 * @param {(ctx: { fixture: import("@aiq/config-testing").ConfigFixture, service: import("../src/service.mjs").AgentService }) => Promise<void>} body
 */
async function withService(settings, body) {
  const fixture = await createConfigFixture({ files: { "config.yml": configText(settings) } });
  try {
    const service = await createAgentService(fixture.path("config.yml"), {
      events: createEventManager(),
      logger: silentLogger,
    });
    try {
      await body({ fixture, service });
    } finally {
      await service.close();
    }
  } finally {
    await fixture.close();
  }
}

/** @returns {Map<string, number>} the resources keeping the event loop alive, by kind */
function activeResources() {
  const counts = new Map();
  for (const name of process.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/**
 * @param {Map<string, number>} baseline
 * @returns {string[]} the resources alive now beyond `baseline`, as `Name xN`
 */
function resourcesBeyond(baseline) {
  const extra = [];
  for (const [name, count] of activeResources()) {
    if (count > (baseline.get(name) ?? 0)) extra.push(`${name} x${count - (baseline.get(name) ?? 0)}`);
  }
  return extra;
}

/**
 * Waits, one event-loop turn at a time, until nothing beyond `baseline` is alive or `timeoutMs` passed.
 * @param {Map<string, number>} baseline
 * @param {number} timeoutMs
 * @returns {Promise<string[]>} what is still alive beyond the baseline (empty: all gone)
 */
async function resourcesGone(baseline, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  let extra = resourcesBeyond(baseline);
  while (extra.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    extra = resourcesBeyond(baseline);
  }
  return extra;
}

/**
 * (1) A save that changes the temperature rebuilds the client once, with the new value.
 * @param {"in-place" | "vim"} mode
 */
function temperatureSaveRebuildsOnce(mode) {
  return async () => {
    await withService({ temperature: 0 }, async ({ fixture, service }) => {
      const before = service.client;
      assert.equal(before.temperature, 0);
      assert.equal(service.rebuilds, 0);

      const reloaded = waitForReload(service.manager, (config) => config.llms?.main_llm?.temperature === 0.7, {
        timeout: TIMEOUT_MS,
      });
      await fixture.save("config.yml", configText({ temperature: 0.7 }), { as: mode });
      const { change } = await reloaded;
      assert.deepEqual(change.changedPaths, ["llms.main_llm.temperature"]);

      // Let every reload the save caused finish before counting.
      await service.idle();
      assert.equal(service.rebuilds, 1);
      const after = service.client;
      assert.notEqual(after, before);
      assert.equal(after.temperature, 0.7);
      assert.equal(after.model, before.model);
      assert.equal(after.generation, 2);
      assert.match(after.complete("hi"), /temperature 0\.7/);
      assert.equal(service.describe().llm.temperature, 0.7);
      assert.equal(service.manager.status.lastError, undefined);
    });
  };
}

/** (2) A save that changes only `functions` does not rebuild the client. */
async function functionsSaveDoesNotRebuild() {
  await withService({ temperature: 0.2 }, async ({ fixture, service }) => {
    const before = service.client;
    const functions = ["current_datetime", "wikipedia_search"];

    const reloaded = waitForReload(service.manager, (config) => "wikipedia_search" in (config.functions ?? {}), {
      timeout: TIMEOUT_MS,
    });
    await fixture.save("config.yml", configText({ temperature: 0.2, functions }), { as: "vim" });
    const { change } = await reloaded;
    assert.ok(change.changedPaths.length > 0);
    for (const path of change.changedPaths) {
      assert.ok(!path.startsWith("llms"), `changed path ${path} is under llms`);
    }

    await service.idle();
    assert.equal(service.rebuilds, 0);
    assert.equal(service.client, before, "the client object was replaced");
    assert.deepEqual(service.describe().functions, functions);
  });
}

/** (3) An invalid save keeps the last good client and sets `status.lastError` with the issue path; a fix recovers. */
async function invalidSaveKeepsLastGoodClient() {
  await withService({ temperature: 0.2 }, async ({ fixture, service }) => {
    const before = service.client;
    const configBefore = service.manager.currentConfig;
    const recorder = recordEvents(service.events);
    try {
      const failed = waitForEvent(service.events, ConfigEventType.CONFIG_RELOAD_FAILED, { timeout: TIMEOUT_MS });
      await fixture.save("config.yml", configText({ temperature: -1 }));
      const event = await failed;
      assert.ok(
        event.error?.issues?.some((issue) => issue.path === "llms.main_llm.temperature"),
        `the event names the path: ${JSON.stringify(event.error)}`,
      );

      // Nothing changed: same config object, same client, no rebuild.
      assert.equal(service.manager.currentConfig, configBefore);
      assert.equal(service.client, before);
      assert.equal(service.client.temperature, 0.2);
      assert.equal(service.rebuilds, 0);

      const { lastError } = service.manager.status;
      assert.ok(lastError, "status.lastError is set");
      assert.equal(lastError.code, "INVALID_CONFIG");
      const issue = lastError.issues?.find((i) => i.path === "llms.main_llm.temperature");
      assert.ok(issue, `status.lastError names llms.main_llm.temperature: ${JSON.stringify(lastError.issues)}`);
      assert.equal(issue.line, 5, "the issue points at the line of the temperature");
      assert.match(service.describe().lastError ?? "", /temperature/);

      // The next good save is applied and clears the error.
      const fixed = waitForReload(service.manager, (config) => config.llms?.main_llm?.temperature === 0.9, {
        timeout: TIMEOUT_MS,
      });
      await fixture.save("config.yml", configText({ temperature: 0.9 }));
      await fixed;
      await service.idle();
      assert.equal(service.manager.status.lastError, undefined);
      assert.equal(service.client.temperature, 0.9);
      assert.equal(service.rebuilds, 1);

      const configEvents = recorder.types().filter((type) => type.startsWith("config_"));
      assert.deepEqual(configEvents, [ConfigEventType.CONFIG_RELOAD_FAILED, ConfigEventType.CONFIG_RELOADED]);
    } finally {
      recorder.stop();
    }
  });
}

/** (4) An atomic-rename save is picked up, and so is the next one (the file is a new inode each time). */
async function atomicRenameSaveIsPickedUp() {
  await withService({ temperature: 0.1, model: "model-a" }, async ({ fixture, service }) => {
    for (const [index, model] of ["model-b", "model-c"].entries()) {
      const reloaded = waitForReload(service.manager, (config) => config.llms?.main_llm?.model_name === model, {
        timeout: TIMEOUT_MS,
      });
      await fixture.save("config.yml", configText({ temperature: 0.1, model }), { as: "atomic-rename" });
      const { change } = await reloaded;
      assert.deepEqual(change.changedPaths, ["llms.main_llm.model_name"]);
      await service.idle();
      assert.equal(service.client.model, model);
      assert.equal(service.rebuilds, index + 1);
    }
  });
}

/** (5) close() leaves nothing running: no watcher, timer or handle, and the manager refuses work. */
async function closeLeavesNothingRunning() {
  const fixture = await createConfigFixture({ files: { "config.yml": configText({ temperature: 0.3 }) } });
  try {
    const baseline = activeResources();
    const service = await createAgentService(fixture.path("config.yml"), {
      events: createEventManager(),
      logger: silentLogger,
    });
    let closed = false;
    try {
      // Exercise it once so the watcher is really in use.
      const reloaded = waitForReload(service.manager, (config) => config.llms?.main_llm?.temperature === 0.4, {
        timeout: TIMEOUT_MS,
      });
      await fixture.save("config.yml", configText({ temperature: 0.4 }));
      await reloaded;
      assert.ok(service.manager.status.watch, "a watcher is attached while running");
      // The check below can see the watcher at all: something beyond the baseline is alive now.
      assert.notDeepEqual(
        resourcesBeyond(baseline),
        [],
        "the running service holds no resource; the leak check would prove nothing",
      );

      await service.close();
      closed = true;
      await service.close(); // idempotent

      const status = service.manager.status;
      assert.equal(status.closed, true);
      assert.equal(status.watch, undefined, "the watcher is detached");
      assert.equal(service.describe().closed, true);
      const isClosedError = (/** @type {any} */ error) => error?.code === "CLOSED";
      await assert.rejects(service.manager.reloadConfig(), isClosedError);
      await assert.rejects(service.manager.rollbackConfig(), isClosedError);

      // fs.watch handles finish closing on a later turn of the event loop; look on every turn.
      // (Not `waitFor`: its timers are unref'd, so once the last handle closes, node:test would see
      // an empty event loop and cancel the test as "still pending" before the next check.)
      const extra = await resourcesGone(baseline, TIMEOUT_MS);
      assert.deepEqual(extra, [], "resources still alive after close()");
    } finally {
      if (!closed) await service.close();
    }
  } finally {
    await fixture.close();
  }
}

/**
 * The files of the call stack at the point where `probe` reads `new Error().stack` (or an error's
 * `stack`), from V8's raw call sites: the files the runner really loaded, before any source map
 * turns `dist/index.js` back into `src/*.ts` for display.
 * @param {() => string[] | undefined} probe - returns the `stack` of an error created by package code
 * @returns {string[]}
 */
function loadedFilesOf(probe) {
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.stackTraceLimit = 50;
  Error.prepareStackTrace = (_error, sites) =>
    sites
      .map((site) => site.getFileName() ?? "")
      .map((file) => (file.startsWith("file:") ? fileURLToPath(file) : file));
  try {
    return probe() ?? [];
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * @param {() => unknown} fn - something that throws synchronously from inside a package
 * @returns {() => string[] | undefined}
 */
const thrownBy = (fn) => () => {
  try {
    fn();
  } catch (error) {
    return /** @type {any} */ (error).stack;
  }
  throw new Error("the probe did not throw");
};

/**
 * (0) The imports of this suite are the published entry points, not the repository's sources
 * (which the repository's own vitest config aliases them to). Checked twice: how the names resolve,
 * and which files the code that runs actually comes from.
 */
async function importsResolveToPublishedDist() {
  /** @type {Record<string, () => string[] | undefined>} package -> a probe running its code */
  const probes = {
    "@aiq/config-core": thrownBy(() => parseOverridePath("llms.__proto__.x")),
    "@aiq/config-loader": thrownBy(() => parseConfig("llms: [", { filename: "config.yml" })),
    "@aiq/config-watcher": thrownBy(() => new ConfigWatcher({ debounceMs: -1 })),
    "@aiq/config-events": () => {
      const bus = createEventManager({ onHandlerError: () => {} });
      /** @type {string[] | undefined} */
      let stack;
      bus.registerHandler(() => {
        stack = /** @type {any} */ (new Error()).stack;
      });
      bus.emit({ type: ConfigEventType.FILE_DELETED, filePath: "/nowhere/config.yml", timestamp: new Date() });
      return stack;
    },
    "@aiq/config-testing": thrownBy(() =>
      new FakeWatcher({ events: createEventManager() }).modify("/nowhere/config.yml"),
    ),
  };
  for (const [name, probe] of Object.entries(probes)) {
    // `import.meta.resolve` is Node's resolution (vitest answers it the same way, aliases or not).
    const entry = fileURLToPath(import.meta.resolve(name));
    assert.match(entry, /[\\/]dist[\\/]index\.js$/, `${name} resolves to ${entry}, not to its published dist/index.js`);
    // What actually ran: every frame from the package's folder must be its dist/ build (index.js, or
    // a chunk it shares with another entry, such as the loader's parse worker).
    const packageDir = path.dirname(fileURLToPath(import.meta.resolve(`${name}/package.json`)));
    const frames = loadedFilesOf(probe).filter((file) => file.startsWith(packageDir + path.sep));
    assert.ok(frames.length > 0, `no code of ${name} (${packageDir}) ran in the probe`);
    for (const file of frames) {
      assert.match(path.relative(packageDir, file), /^dist[\\/][^\\/]+\.js$/, `${name} code ran from ${file}`);
    }
  }
}

/** Every test of the suite: `[name, body]`, in order. */
export const serviceTests = /** @type {const} */ ([
  ["imports resolve to the packages' published dist/ entry points", importsResolveToPublishedDist],
  [
    "(1) an in-place save that changes the temperature rebuilds the client once with the new value",
    temperatureSaveRebuildsOnce("in-place"),
  ],
  [
    "(1) a vim save that changes the temperature rebuilds the client once with the new value",
    temperatureSaveRebuildsOnce("vim"),
  ],
  ["(2) a save that changes only functions does not rebuild the client", functionsSaveDoesNotRebuild],
  [
    "(3) an invalid save keeps the last good client and sets status.lastError with the issue path",
    invalidSaveKeepsLastGoodClient,
  ],
  ["(4) atomic-rename saves are picked up", atomicRenameSaveIsPickedUp],
  ["(5) close() leaves nothing running", closeLeavesNothingRunning],
]);
