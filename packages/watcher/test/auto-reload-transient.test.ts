import * as fs from "node:fs/promises";
import { silentLogger } from "@aiq/config-core";
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { createConfigManager } from "@aiq/config-loader";
import { createConfigFixture, FakeWatcher, passThroughSchema, recordEvents } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { autoReload } from "../src/index.js";
import { createLogRecorder, TIMEOUT } from "./helpers.js";

// Issue 17: a reload that reads the file in the middle of a save (empty: truncated, not yet written;
// missing: renamed away, not yet back) is refused, and the save that completes it may bring no file
// event (an identical rewrite holds what the watcher reported already). autoReload reads again
// after the settle time, so the final content is still what ends up current (RELIABILITY I2).
// The file events are scripted (FakeWatcher): they stand for what the real watcher reported.

async function setup() {
  const fixture = await createConfigFixture({ files: { "config.yml": "counter: 1\n" } });
  const file = fixture.path("config.yml");
  const bus = createEventManager();
  const recorder = recordEvents(bus);
  const log = createLogRecorder();
  const manager = await createConfigManager<unknown>(file, {
    schema: passThroughSchema(),
    events: bus,
    logger: silentLogger,
  });
  const published: unknown[] = [];
  manager.subscribe((config) => {
    published.push(config);
  });
  const watcher = new FakeWatcher({ events: bus });
  const handle = autoReload(manager, { watcher, logger: log });
  await handle.ready();
  const failures = () => recorder.events.filter((e) => e.type === ConfigEventType.CONFIG_RELOAD_FAILED).length;
  return {
    file,
    manager,
    watcher,
    handle,
    log,
    published,
    failures,
    /** Waits for the next refused reload (CONFIG_RELOAD_FAILED). */
    refused: () => recorder.next(ConfigEventType.CONFIG_RELOAD_FAILED, { timeout: TIMEOUT }),
    async [Symbol.asyncDispose]() {
      await manager.close();
      recorder.stop();
      await fixture.close();
    },
  };
}

describe("autoReload after a read that met a save half done", () => {
  it("an empty read is refused, then the save completed without an event is published", async () => {
    await using s = await setup();
    await fs.writeFile(s.file, "counter: 2\n");
    s.watcher.modify(s.file);
    await s.handle.done;
    // The next save truncated the file, and the manager's reload of the event above read it so.
    await fs.writeFile(s.file, "");
    s.watcher.modify(s.file);
    await s.refused();
    expect(s.manager.status.lastError?.code).toBe("EMPTY");
    // The save completes with the content the watcher had reported: no event for it. `done` covers
    // the looks again after the refused read, and the reload the first readable one requests.
    await fs.writeFile(s.file, "counter: 2\n");
    await s.handle.done;
    expect(s.manager.currentConfig).toEqual({ counter: 2 });
    expect(s.manager.status.lastError).toBeUndefined();
    expect(s.published).toEqual([{ counter: 2 }]); // never null
    expect(s.failures()).toBe(1);
  });

  it("a missing read (an editor's rename dance) recovers the same way, missing cleared", async () => {
    await using s = await setup();
    await fs.rename(s.file, `${s.file}~`);
    s.watcher.modify(s.file);
    await s.refused();
    expect(s.manager.status).toMatchObject({ missing: true, lastError: { code: "ENOENT" } });
    await fs.rename(`${s.file}~`, s.file);
    await s.handle.done;
    expect(s.manager.status).toMatchObject({ version: 1, missing: false });
    expect(s.manager.status.lastError).toBeUndefined();
    expect(s.published).toEqual([]); // same content: no new version
  });

  it("a file that stays empty is read a bounded number of times, silently, and keeps the last good config", async () => {
    await using s = await setup();
    await fs.writeFile(s.file, "# emptied on purpose\n");
    s.watcher.modify(s.file);
    await s.refused();
    // `done` waits for the bounded looks again after the refused read.
    await s.handle.done;
    expect(s.manager.currentConfig).toEqual({ counter: 1 });
    expect(s.manager.status).toMatchObject({ version: 1, lastError: { code: "EMPTY" } });
    expect(s.failures()).toBe(1); // one refusal reported, not one per look
    expect(s.published).toEqual([]);
  });

  it("stop() during the wait cancels the look: no timer is left behind", async () => {
    await using s = await setup();
    await fs.writeFile(s.file, "");
    s.watcher.modify(s.file);
    await s.refused();
    // The failed reload hands over to the looks again within the same turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await s.handle.stop();
    expect(s.log.lines.some((line) => line.includes("readable again") || line.includes("still changing"))).toBe(false);
  });
});
