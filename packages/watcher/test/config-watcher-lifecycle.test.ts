import * as fs from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { silentLogger } from "@aiq/config-core";
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { createConfigManager } from "@aiq/config-loader";
import { createConfigFixture, recordEvents, waitFor } from "@aiq/config-testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  autoReload,
  ConfigWatcher,
  DEFAULT_BURST_DEBOUNCE_MS,
  DEFAULT_DEBOUNCE_MS,
  isEditorTempFile,
  resolveWatchMode,
} from "../src/index.js";
import { createLogRecorder, FILE_EVENTS, MODES, sha256, TIMEOUT, watchFixture } from "./helpers.js";
import { type TestConfig, configText as text, testSchema } from "./schema.js";

const MODIFIED = ConfigEventType.FILE_MODIFIED;

/** The active handles and requests, by type (timers, fs watchers, stat pollers, fs requests). */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function exceeding(baseline: Map<string, number>): string[] {
  return [...resources()]
    .filter(([type, count]) => count > (baseline.get(type) ?? 0))
    .map(([type, count]) => `${type} x${count}`);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe.each(MODES)("ConfigWatcher lifecycle ($mode)", ({ mode, options }) => {
  it("watches files added before and after it started, and stops on removeFile", async () => {
    await using w = await watchFixture({ "a.yml": "a: 1\n", "sub/b.yml": "b: 1\n" }, ["a.yml"], options);
    const a = w.fixture.path("a.yml");
    const b = w.fixture.path("sub/b.yml");
    w.watcher.addFile(b);
    w.watcher.addFile(b); // twice: a no-op
    await w.watcher.ready();
    expect(w.watcher.files).toEqual([a, b]);
    await w.fixture.save("sub/b.yml", "b: 2\n");
    expect(await w.recorder.next(MODIFIED, { timeout: TIMEOUT })).toMatchObject({
      filePath: b,
      checksum: sha256("b: 2\n"),
    });

    w.watcher.removeFile(b);
    w.watcher.removeFile(b);
    expect(w.watcher.files).toEqual([a]);
    await w.fixture.save("sub/b.yml", "b: 3\n");
    await w.fixture.save("a.yml", "a: 2\n");
    expect(await w.recorder.next(MODIFIED, { timeout: TIMEOUT })).toMatchObject({ filePath: a });
    await w.settled(a);
    expect(w.fileEvents().map((e) => e.filePath)).toEqual([b, a]);
  });

  it("ignores editors' temp, swap and backup files beside the watched file", async () => {
    await using w = await watchFixture({ "config.yml": "a: 1\n" }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    for (const name of [
      "config.yml.tmp-1234",
      "config.yml~",
      ".config.yml.swp",
      "config.yml___jb_tmp___",
      "4913",
      "other.yml",
    ]) {
      await w.fixture.save(name, "x: 1\n");
      await w.fixture.remove(name);
    }
    await w.fixture.save("config.yml", "a: 2\n");
    await w.recorder.next(MODIFIED, { timeout: TIMEOUT });
    await w.settled(file);
    expect(w.fileEvents().map((e) => [e.type, e.filePath])).toEqual([[MODIFIED, file]]);
  });

  it(`reports mode ${mode}`, async () => {
    await using watcher = new ConfigWatcher({ ...options, events: createEventManager(), logger: silentLogger });
    expect(watcher.state()).toEqual({ mode, degraded: false });
    await using fixture = await createConfigFixture({ files: { "config.yml": "a: 1\n" } });
    watcher.addFile(fixture.path("config.yml"));
    await watcher.ready();
    expect(watcher.state()).toEqual({ mode, degraded: false });
  });

  it("17. close() during activity resolves, leaves no handle or timer, and reports nothing after", async () => {
    const baseline = resources();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on("unhandledRejection", onUnhandled);
    try {
      const fixture = await createConfigFixture({ files: { "config.yml": text(0) } });
      const bus = createEventManager();
      const manager = await createConfigManager<TestConfig>(fixture.path("config.yml"), {
        schema: testSchema,
        events: bus,
        logger: silentLogger,
      });
      const handle = autoReload(manager, { ...options, logger: createLogRecorder() });
      await handle.ready();
      let calls = 0;
      manager.subscribe(() => {
        calls++;
      });
      // Keep writing: a reload in flight, a debounce pending, chokidar's throttles running. Bursts of
      // 10 saves 5 ms apart with 20 ms between them: autoReload publishes only content that stayed
      // as it was for the watcher's quiet time, which a writer that never pauses does not give.
      let writing = true;
      let counter = 0;
      const writer = (async () => {
        while (writing) {
          await fs.writeFile(fixture.path("config.yml"), text(++counter));
          await delay(counter % 10 === 0 ? 20 : 5);
        }
      })();
      await waitFor(() => manager.reloadCount >= 1, { timeout: TIMEOUT });
      const events = recordEvents(bus);
      const callsAtClose = calls;
      await manager.close();
      await manager.close(); // a no-op
      await handle.stop(); // a no-op too
      writing = false;
      await writer;
      expect(calls).toBe(callsAtClose);
      expect(manager.status.watch).toBeUndefined();
      // Closing an fs.watch handle finishes on a later turn of the event loop.
      await waitFor(() => exceeding(baseline).length === 0, {
        timeout: TIMEOUT,
        message: `resources back to baseline: ${exceeding(baseline).join(", ")}`,
      });
      await fixture.save("config.yml", text(999));
      await new Promise((resolve) => setImmediate(resolve));
      expect(events.events.filter((e) => FILE_EVENTS.includes(e.type))).toEqual([]);
      expect(calls).toBe(callsAtClose);
      events.stop();
      await fixture.close();
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("closing a watcher that watches a deleted directory leaves nothing either", async () => {
    const baseline = resources();
    const fixture = await createConfigFixture({ files: { "conf/config.yml": "a: 1\n" } });
    const bus = createEventManager();
    const recorder = recordEvents(bus);
    const watcher = new ConfigWatcher({ ...options, events: bus, logger: silentLogger });
    watcher.addFile(fixture.path("conf/config.yml"));
    await watcher.ready();
    await fixture.remove("conf");
    await recorder.next(ConfigEventType.FILE_DELETED, { timeout: TIMEOUT });
    await watcher.close();
    await waitFor(() => exceeding(baseline).length === 0, {
      timeout: TIMEOUT,
      message: `resources back to baseline: ${exceeding(baseline).join(", ")}`,
    });
    expect(() => watcher.addFile(fixture.path("x.yml"))).toThrow(/closed/);
    recorder.stop();
    await fixture.close();
  });
});

describe("watch mode", () => {
  it("15. CHOKIDAR_USEPOLLING=1 with the option unset is reported as polling", async () => {
    vi.stubEnv("CHOKIDAR_USEPOLLING", "1");
    await using fixture = await createConfigFixture({ files: { "config.yml": text(1) } });
    const bus = createEventManager();
    await using manager = await createConfigManager<TestConfig>(fixture.path("config.yml"), {
      schema: testSchema,
      events: bus,
      logger: silentLogger,
    });
    const handle = autoReload(manager, { logger: silentLogger, interval: 50 });
    await handle.ready();
    expect(manager.status.watch).toEqual({ mode: "polling", degraded: false });
    await fixture.save("config.yml", text(2));
    await waitFor(() => manager.currentConfig.counter === 2, { timeout: TIMEOUT });
  });

  it("follows chokidar: the environment wins over the option", () => {
    expect(resolveWatchMode(undefined, {})).toBe("native");
    expect(resolveWatchMode(true, {})).toBe("polling");
    expect(resolveWatchMode(undefined, { CHOKIDAR_USEPOLLING: "true" })).toBe("polling");
    expect(resolveWatchMode(undefined, { CHOKIDAR_USEPOLLING: "yes" })).toBe("polling");
    expect(resolveWatchMode(true, { CHOKIDAR_USEPOLLING: "0" })).toBe("native");
    expect(resolveWatchMode(false, { CHOKIDAR_USEPOLLING: "1" })).toBe("polling");
    expect(resolveWatchMode(true, { CHOKIDAR_USEPOLLING: "" })).toBe("native");
  });

  it("reports the mode chokidar really uses once it runs", async () => {
    vi.stubEnv("CHOKIDAR_USEPOLLING", "false");
    await using fixture = await createConfigFixture({ files: { "config.yml": "a: 1\n" } });
    await using watcher = new ConfigWatcher({ usePolling: true, events: createEventManager(), logger: silentLogger });
    watcher.addFile(fixture.path("config.yml"));
    await watcher.ready();
    expect(watcher.state().mode).toBe("native");
  });
});

describe("options and names", () => {
  it("has a documented default debounce and rejects a bad one", () => {
    expect(DEFAULT_DEBOUNCE_MS).toBeGreaterThan(0);
    expect(DEFAULT_BURST_DEBOUNCE_MS).toBeGreaterThan(DEFAULT_DEBOUNCE_MS);
    expect(() => new ConfigWatcher({ debounceMs: -1 })).toThrow(RangeError);
    expect(() => new ConfigWatcher({ debounceMs: Number.NaN })).toThrow(RangeError);
    expect(() => new ConfigWatcher({ burstDebounceMs: -5 })).toThrow(/burstDebounceMs must be a finite number >= 0/);
  });

  it.each([
    ["config.yml.tmp", true],
    ["config.yml.tmp-1a2b", true],
    ["config.yml~", true],
    [".config.yml.swp", true],
    [".config.yml.swo", true],
    ["config.yml___jb_tmp___", true],
    ["config.yml___jb_old___", true],
    ["4913", true],
    [".#config.yml", true],
    ["config.yml", false],
    ["..data", false],
    ["base-config.yaml", false],
  ])("isEditorTempFile(%j) is %s", (name, expected) => {
    expect(isEditorTempFile(name)).toBe(expected);
  });
});
