import * as path from "node:path";
import { ConfigManager, type ConfigSource, silentLogger, type SourceDocument } from "@aiq/config-core";
import { ConfigEventType, createEventManager, type EventManager } from "@aiq/config-events";
import { FakeWatcher, MemorySource, recordEvents, waitFor } from "@aiq/config-testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { autoReload } from "../src/index.js";
import { configData, type TestConfig, testSchema } from "./schema.js";

const FILE = path.resolve("/virtual/config.yml");
const BASE = path.resolve("/virtual/base.yml");

/** A manager on an in-memory source listing `files`, emitting on `bus`. */
async function memoryManager(bus: EventManager, files: readonly string[] = [FILE]) {
  const source = new MemorySource(configData(1), { id: FILE, files });
  const manager = await ConfigManager.create<TestConfig>({
    source,
    schema: testSchema,
    events: bus,
    logger: silentLogger,
  });
  return { source, manager };
}

async function setup(files: readonly string[] = [FILE]) {
  const bus = createEventManager();
  const recorder = recordEvents(bus);
  const { source, manager } = await memoryManager(bus, files);
  const watcher = new FakeWatcher({ events: bus });
  const seen: TestConfig[] = [];
  const versions: number[] = [];
  manager.subscribe((config, change) => {
    seen.push(config);
    versions.push(change.version);
  });
  const handle = autoReload(manager, { watcher, logger: silentLogger });
  return { source, bus, recorder, manager, watcher, handle, seen, versions };
}

describe("autoReload", () => {
  it("watches the source's files and reloads on their file events only", async () => {
    const { source, manager, watcher, handle, seen } = await setup();
    expect(watcher.files).toEqual([FILE]);
    expect(handle.files).toEqual([FILE]);
    source.set(configData(2));
    watcher.modify(FILE);
    await handle.done;
    expect(manager.currentConfig.counter).toBe(2);
    expect(seen.map((c) => c.counter)).toEqual([2]);

    // An event for a file it does not watch (another manager's, on a shared bus) is not its business.
    watcher.addFile("/virtual/other.yml");
    source.set(configData(3));
    watcher.modify("/virtual/other.yml");
    await handle.done;
    expect(source.reads).toBe(2); // create + the one reload
    await manager.close();
  });

  it("runs one reload at a time and exactly one more for any number of events during it", async () => {
    const { source, manager, watcher, handle, seen, versions } = await setup();
    const release = source.hang();
    source.set(configData(2));
    watcher.modify(FILE); // reload 1 starts and is held, reading v2
    await waitFor(() => source.pending === 1);
    for (let n = 3; n <= 12; n++) {
      source.set(configData(n));
      watcher.modify(FILE);
    }
    release();
    await handle.done;
    expect(source.reads).toBe(3); // create, the held reload, and one more for the ten events
    expect(manager.currentConfig.counter).toBe(12);
    expect(seen.map((c) => c.counter)).toEqual([2, 12]);
    expect(versions).toEqual([2, 3]);
    await manager.close();
  });

  it("18. slow validation race: the later save wins, in every release order, with monotonic versions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 6 }), async (s, saves) => {
        const { source, manager, watcher, handle, seen, versions } = await setup();
        // Every read is held until the scheduler releases it; saves happen in order, interleaved
        // with the reads' completions in whatever order fast-check picks.
        const realRead = source.read.bind(source);
        source.read = (signal) => s.schedule(realRead(signal), "read");
        const sequence = s.scheduleSequence(
          Array.from({ length: saves }, (_, i) => ({
            label: `save v${i + 2}`,
            builder: async () => {
              source.set(configData(i + 2));
              watcher.modify(FILE);
            },
          })),
        );
        await s.waitIdle();
        expect(sequence.faulty).toBe(false);
        await handle.done;
        expect(manager.currentConfig.counter).toBe(saves + 1);
        const counters = seen.map((c) => c.counter);
        expect(counters).toEqual([...counters].sort((a, b) => a - b));
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        expect(new Set(versions).size).toBe(versions.length);
        expect(source.reads).toBeLessThanOrEqual(1 + 2 * saves);
        await manager.close();
      }),
      { numRuns: 60 },
    );
  });

  it("keeps going after a failed reload: the manager records it, nothing is unhandled", async () => {
    const { source, manager, watcher, handle, recorder, seen } = await setup();
    source.fail("ENOENT");
    watcher.delete(FILE);
    await handle.done;
    expect(manager.status.missing).toBe(true);
    expect(manager.status.lastError?.code).toBe("ENOENT");
    expect(manager.currentConfig.counter).toBe(1);
    expect(recorder.types()).toContain(ConfigEventType.CONFIG_RELOAD_FAILED);

    source.set(configData(2));
    watcher.create(FILE);
    await handle.done;
    expect(manager.currentConfig.counter).toBe(2);
    expect(manager.status.missing).toBe(false);
    expect(manager.status.lastError).toBeUndefined();
    expect(seen.map((c) => c.counter)).toEqual([2]);
    await manager.close();
  });

  it("24. an invalid save is retained and not sent to listeners; the next valid one is", async () => {
    const { source, manager, watcher, handle, seen } = await setup();
    source.set({ ...configData(2), counter: -1 });
    watcher.modify(FILE);
    await handle.done;
    expect(manager.currentConfig.counter).toBe(1);
    expect(manager.status.lastError?.issues?.map((issue) => issue.path)).toEqual(["counter"]);
    expect(seen).toEqual([]);
    const before = Date.now();

    source.set(configData(3));
    watcher.modify(FILE);
    await handle.done;
    expect(manager.currentConfig.counter).toBe(3);
    expect(manager.status.lastError).toBeUndefined();
    expect(manager.status.lastSuccessAt?.getTime()).toBeGreaterThanOrEqual(before);
    expect(seen.map((c) => c.counter)).toEqual([3]);
    await manager.close();
  });

  it("reports the watcher's state in status.watch, and manager.close() stops it", async () => {
    const { source, manager, watcher, handle } = await setup();
    expect(manager.status.watch).toEqual({ mode: "native", degraded: false });
    watcher.degrade("ENOSPC: System limit for number of file watchers reached");
    expect(manager.status.watch).toMatchObject({ degraded: true, error: expect.stringContaining("ENOSPC") });
    await manager.close();
    expect(watcher.closed).toBe(true);
    expect(manager.status.watch).toBeUndefined();
    await handle.stop(); // already stopped: a no-op
    expect(source.reads).toBe(1);
  });

  it("stop() detaches, closes the watcher, ignores later events, and is idempotent", async () => {
    const bus = createEventManager();
    const { source, manager } = await memoryManager(bus);
    const watcher = new FakeWatcher({ events: bus });
    const handlersBefore = bus.handlerCount;
    const handle = autoReload(manager, { watcher, logger: silentLogger });
    expect(bus.handlerCount).toBe(handlersBefore + 1);
    await Promise.all([handle.stop(), handle.stop()]);
    await handle[Symbol.asyncDispose]();
    expect(watcher.closed).toBe(true);
    expect(manager.status.watch).toBeUndefined();
    expect(bus.handlerCount).toBe(handlersBefore);
    bus.emit({ type: ConfigEventType.FILE_MODIFIED, filePath: FILE, timestamp: new Date() });
    await handle.done;
    expect(source.reads).toBe(1);
    await manager.close();
  });

  it("stop() waits for the running reload; manager.close() aborts it", async () => {
    const { source, manager, watcher, handle } = await setup();
    source.hang();
    source.set(configData(2));
    watcher.modify(FILE);
    await waitFor(() => source.pending === 1);
    await manager.close(); // aborts the held read, then closes the watcher through autoReload
    await handle.done;
    expect(watcher.closed).toBe(true);
    expect(manager.currentConfig.counter).toBe(1);
  });

  it("follows the source's file list after each reload (base: chains)", async () => {
    const memory = new MemorySource(configData(1), { id: FILE });
    let files: readonly string[] = [FILE];
    const source: ConfigSource = {
      id: FILE,
      get files() {
        return files;
      },
      read: (signal): Promise<SourceDocument> => memory.read(signal),
    };
    const bus = createEventManager();
    const manager = await ConfigManager.create<TestConfig>({
      source,
      schema: testSchema,
      events: bus,
      logger: silentLogger,
    });
    const watcher = new FakeWatcher({ events: bus });
    const handle = autoReload(manager, { watcher, logger: silentLogger });
    expect(watcher.files).toEqual([FILE]);

    files = [FILE, BASE]; // the file now names a base
    memory.set(configData(2));
    watcher.modify(FILE);
    await handle.done;
    expect(watcher.files).toEqual([FILE, BASE]);
    memory.set(configData(3));
    watcher.modify(BASE); // a save to the base reloads too
    await handle.done;
    expect(manager.currentConfig.counter).toBe(3);

    files = [FILE]; // the base line was removed
    memory.set(configData(4));
    watcher.modify(FILE);
    await handle.done;
    expect(watcher.files).toEqual([FILE]);
    expect(handle.files).toEqual([FILE]);
    await manager.close();
  });

  it("refuses a closed manager and leaves nothing behind", async () => {
    const bus = createEventManager();
    const { manager } = await memoryManager(bus);
    await manager.close();
    const watcher = new FakeWatcher({ events: bus });
    expect(() => autoReload(manager, { watcher, logger: silentLogger })).toThrow(/closed/);
    await waitFor(() => watcher.closed);
    expect(bus.handlerCount).toBe(0);
  });
});
