import * as path from "node:path";
import { type AiqConfigEvent, ConfigEventType, createEventManager } from "@aiq/config-events";
import { describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { FakeWatcher } from "./fake-watcher.js";

const file = path.resolve("/tmp/aiq-fake/config.yml");

describe("FakeWatcher", () => {
  it("emits file events for watched files, synchronously, on its bus", () => {
    const bus = createEventManager();
    const events: AiqConfigEvent[] = [];
    bus.registerHandler((event) => {
      events.push(event);
    });
    const watcher = new FakeWatcher({ events: bus });
    watcher.addFile(file);

    const modified = watcher.modify(file, "abc");
    expect(events).toEqual([modified]);
    expect(modified).toMatchObject({ type: ConfigEventType.FILE_MODIFIED, filePath: file, checksum: "abc" });
    expect(modified.timestamp).toBeInstanceOf(Date);

    watcher.create(file);
    watcher.delete(file);
    expect(events.map((event) => event.type)).toEqual([
      ConfigEventType.FILE_MODIFIED,
      ConfigEventType.FILE_CREATED,
      ConfigEventType.FILE_DELETED,
    ]);
    expect("checksum" in must(events[2], "the third event")).toBe(false);
  });

  it("tracks files as absolute paths, without duplicates, in order", () => {
    const watcher = new FakeWatcher({ events: createEventManager(), files: ["/tmp/a.yml"] });
    watcher.addFile("/tmp/b.yml");
    watcher.addFile("/tmp/a.yml");
    watcher.addFile("relative.yml");
    expect(watcher.files).toEqual(["/tmp/a.yml", "/tmp/b.yml", path.resolve("relative.yml")]);
    watcher.removeFile("/tmp/a.yml");
    watcher.removeFile("/tmp/missing.yml");
    expect(watcher.files).toEqual(["/tmp/b.yml", path.resolve("relative.yml")]);
  });

  it("throws a clear error for a file that is not watched", () => {
    const watcher = new FakeWatcher({ events: createEventManager(), files: ["/tmp/a.yml"] });
    expect(() => watcher.modify("/tmp/other.yml")).toThrow(
      'FakeWatcher.modify("/tmp/other.yml"): that file is not watched; call addFile() first (watched: /tmp/a.yml).',
    );
    watcher.removeFile("/tmp/a.yml");
    expect(() => watcher.delete("/tmp/a.yml")).toThrow(/watched: none/);
  });

  it("reports native, or degraded after degrade(), and recovers", () => {
    const watcher = new FakeWatcher({ events: createEventManager() });
    expect(watcher.state()).toEqual({ mode: "native", degraded: false });
    watcher.degrade(
      Object.assign(new Error("ENOSPC: System limit for number of file watchers reached"), { code: "ENOSPC" }),
    );
    expect(watcher.state()).toEqual({
      mode: "native",
      degraded: true,
      error: "ENOSPC: System limit for number of file watchers reached",
    });
    watcher.recover();
    expect(watcher.state()).toEqual({ mode: "native", degraded: false });
    expect(new FakeWatcher({ events: createEventManager(), mode: "polling" }).state().mode).toBe("polling");
  });

  it("after close() scripting throws; close is idempotent and async-disposable", async () => {
    const bus = createEventManager();
    let count = 0;
    bus.registerHandler(() => {
      count++;
    });
    const watcher = new FakeWatcher({ events: bus, files: [file] });
    await watcher.close();
    await watcher.close();
    expect(watcher.closed).toBe(true);
    expect(watcher.files).toEqual([]);
    expect(() => watcher.modify(file)).toThrow("FakeWatcher.modify(): the watcher is closed.");
    expect(() => watcher.addFile(file)).toThrow(/closed/);
    expect(count).toBe(0);

    let disposed: FakeWatcher | undefined;
    {
      await using scoped = new FakeWatcher({ events: bus });
      disposed = scoped;
    }
    expect(disposed.closed).toBe(true);
  });
});
