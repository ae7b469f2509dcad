import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { waitFor } from "@aiq/config-testing";
import type { FSWatcher } from "chokidar";
import { afterEach, describe, expect, it, vi } from "vitest";
import { must } from "../../../tests/support/must.js";
import { ConfigWatcher } from "../src/index.js";
import {
  createLogRecorder,
  MODES,
  MODES_AND_SCHEMAS,
  reloadFixture,
  sha256,
  TIMEOUT,
  watchFixture,
} from "./helpers.js";
import { configText as text } from "./schema.js";

// The real chokidar, with every instance recorded so a test can make it fail as a full inotify
// table or file-descriptor table would (chokidar reports those as an 'error' event).
const chokidarInstances = vi.hoisted(() => [] as FSWatcher[]);
vi.mock("chokidar", async (importOriginal) => {
  const actual = await importOriginal<typeof import("chokidar")>();
  class RecordedFSWatcher extends actual.FSWatcher {
    constructor(...args: ConstructorParameters<typeof actual.FSWatcher>) {
      super(...args);
      chokidarInstances.push(this);
    }
  }
  return { ...actual, FSWatcher: RecordedFSWatcher, default: { ...actual.default, FSWatcher: RecordedFSWatcher } };
});

const errnoError = (code: string, message: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${message}`), { code });
const ENOSPC = (): NodeJS.ErrnoException =>
  errnoError("ENOSPC", "System limit for number of file watchers reached, watch '/etc'");
const EMFILE = (): NodeJS.ErrnoException => errnoError("EMFILE", "too many open files, watch");

const chokidarInstance = (index: number): FSWatcher => must(chokidarInstances[index], `chokidar watcher ${index}`);

afterEach(() => {
  chokidarInstances.length = 0;
});

describe("16. watcher failure", () => {
  it("native: ENOSPC degrades, falls back to polling, and a later save is still loaded", async () => {
    await using r = await reloadFixture({ "config.yml": text(1) }, { usePolling: false, interval: 50 });
    expect(chokidarInstances).toHaveLength(1);
    chokidarInstance(0).emit("error", ENOSPC());
    expect(r.manager.status.watch).toMatchObject({
      mode: "polling",
      degraded: true,
      error: expect.stringMatching(/ENOSPC.*fell back to polling/),
    });
    expect(r.manager.currentConfig.counter).toBe(1);
    expect(r.log.lines.some((line) => line.startsWith("warn:") && line.includes("ENOSPC"))).toBe(true);
    await waitFor(() => chokidarInstances.length === 2 && chokidarInstances[0]?.closed === true, { timeout: TIMEOUT });
    expect(chokidarInstance(1).options.usePolling).toBe(true);
    await r.fixture.save("config.yml", text(2), { as: "atomic-rename" });
    await r.waitForCounter(2);
    expect(r.manager.status.watch?.degraded).toBe(true);
  });

  it.each(MODES_AND_SCHEMAS)(
    "$mode, $schema schema: EMFILE without fallback degrades; watching goes on as well as it can",
    async ({ options, schema }) => {
      await using r = await reloadFixture({ "config.yml": text(1) }, { ...options, schema, fallbackToPolling: false });
      chokidarInstance(0).emit("error", EMFILE());
      expect(r.manager.status.watch).toEqual({
        mode: options.usePolling ? "polling" : "native",
        degraded: true,
        error: expect.stringContaining("EMFILE"),
      });
      expect(chokidarInstances).toHaveLength(1);
      await r.fixture.save("config.yml", text(2));
      await r.waitForCounter(2);
      expect(r.broken).toEqual([]);
    },
  );

  it("any other watcher error degrades without switching mode", async () => {
    await using w = await watchFixture({ "config.yml": "a: 1\n" }, ["config.yml"], { usePolling: false });
    chokidarInstance(0).emit("error", errnoError("EIO", "i/o error"));
    expect(w.watcher.state()).toEqual({ mode: "native", degraded: true, error: "EIO: i/o error" });
    chokidarInstance(0).emit("error", new Error("no code"));
    expect(w.watcher.state()).toMatchObject({ mode: "native", degraded: true, error: "no code" });
    await w.fixture.save("config.yml", "a: 2\n");
    expect((await w.recorder.next(ConfigEventType.FILE_MODIFIED, { timeout: TIMEOUT })).checksum).toBe(
      sha256("a: 2\n"),
    );
  });

  it("an error after close() is swallowed, never an unhandled 'error'", async () => {
    await using w = await watchFixture({ "config.yml": "a: 1\n" }, ["config.yml"], { usePolling: false });
    const fsw = chokidarInstance(0);
    await w.watcher.close();
    expect(() => fsw.emit("error", ENOSPC())).not.toThrow();
    expect(w.watcher.state().degraded).toBe(false);
  });
});

describe.each(MODES)("I3. no lost final write ($mode)", ({ options }) => {
  it("sees a write whose every event chokidar dropped, through the second look after a change", async () => {
    await using w = await watchFixture({ "config.yml": "a: 1\n" }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    const fsw = chokidarInstance(0);
    const emit = fsw.emit.bind(fsw) as (name: string, ...args: unknown[]) => boolean;
    let dropping = false;
    fsw.emit = ((name: string, ...args: unknown[]) =>
      dropping && name !== "error" ? false : emit(name, ...args)) as typeof fsw.emit;
    await w.fixture.save("config.yml", "a: 2\n");
    expect((await w.recorder.next(ConfigEventType.FILE_MODIFIED, { timeout: TIMEOUT })).checksum).toBe(
      sha256("a: 2\n"),
    );
    // The final write of the burst: chokidar loses every event of it (its 50 ms throttle, a busy loop).
    dropping = true;
    await w.fixture.save("config.yml", "a: 3\n");
    const event = await w.recorder.next(ConfigEventType.FILE_MODIFIED, { timeout: TIMEOUT });
    expect(event.checksum).toBe(sha256("a: 3\n"));
    expect(
      w.looks.looks.find(
        (look) => look.path === file && look.outcome === "reported" && look.checksum === sha256("a: 3\n"),
      )?.reason,
    ).toBe("recheck");
  });
});

describe.each(MODES_AND_SCHEMAS)("23. leak check ($mode, $schema schema)", ({ options, schema }) => {
  it("1,000 subscribe/unsubscribe cycles and 200 reloads leave no listener behind; one chokidar instance", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on("warning", onWarning);
    try {
      {
        await using r = await reloadFixture({ "config.yml": text(0), "base.yml": text(0) }, { ...options, schema });
        for (let i = 0; i < 1000; i++) {
          const off = r.manager.subscribe("llms", () => undefined);
          off();
          off();
        }
        // 20 reloads through the watcher (real saves), 180 more called directly.
        for (let n = 1; n <= 20; n++) {
          await r.fixture.save("config.yml", text(n), { as: n % 2 ? "atomic-rename" : "in-place" });
          await r.waitForCounter(n);
        }
        for (let i = 0; i < 180; i++) await r.manager.reloadConfig();
        expect(r.manager.reloadCount).toBe(200);
        expect(r.broken).toEqual([]);
        expect(chokidarInstances).toHaveLength(1);
        expect(r.bus.handlerCount).toBe(2); // the recorder's and autoReload's
        await r.manager.close();
        expect(r.bus.handlerCount).toBe(1); // the recorder's
      }
      // A watcher with no files creates no chokidar instance at all.
      await using idle = new ConfigWatcher({ events: createEventManager(), logger: createLogRecorder() });
      await idle.ready();
      expect(chokidarInstances).toHaveLength(1);
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
