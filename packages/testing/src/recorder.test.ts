import { ConfigEventType, createEventManager, type EventManager } from "@aiq/config-events";
import { describe, expect, it } from "vitest";
import { recordEvents } from "./recorder.js";

const emitFile = (bus: EventManager, type: ConfigEventType.FILE_MODIFIED | ConfigEventType.FILE_DELETED): void =>
  bus.emit({ type, filePath: "/tmp/config.yml", timestamp: new Date() });
const emitReloaded = (bus: EventManager, version: number): void =>
  bus.emit({
    type: ConfigEventType.CONFIG_RELOADED,
    timestamp: new Date(),
    sourceId: "memory",
    version,
    reloadCount: version - 1,
  });

describe("recordEvents", () => {
  it("records every event in order, or only one type", () => {
    const bus = createEventManager();
    const all = recordEvents(bus);
    const reloads = recordEvents(bus, ConfigEventType.CONFIG_RELOADED);
    emitFile(bus, ConfigEventType.FILE_MODIFIED);
    emitReloaded(bus, 2);
    expect(all.types()).toEqual([ConfigEventType.FILE_MODIFIED, ConfigEventType.CONFIG_RELOADED]);
    expect(reloads.events.map((event) => event.version)).toEqual([2]);
    all.clear();
    expect(all.events).toEqual([]);
  });

  it("stop() unregisters, idempotently", () => {
    const bus = createEventManager();
    const recorder = recordEvents(bus);
    expect(bus.handlerCount).toBe(1);
    recorder.stop();
    recorder.stop();
    expect(bus.handlerCount).toBe(0);
    emitFile(bus, ConfigEventType.FILE_MODIFIED);
    expect(recorder.events).toEqual([]);
    {
      using _scoped = recordEvents(bus);
      expect(bus.handlerCount).toBe(1);
    }
    expect(bus.handlerCount).toBe(0);
  });

  it("next() returns events in order, each once, including ones emitted before the call", async () => {
    const bus = createEventManager();
    const recorder = recordEvents(bus);
    emitFile(bus, ConfigEventType.FILE_MODIFIED);
    emitReloaded(bus, 2);
    expect((await recorder.next()).type).toBe(ConfigEventType.FILE_MODIFIED);
    expect((await recorder.next()).type).toBe(ConfigEventType.CONFIG_RELOADED);

    const waiting = recorder.next(ConfigEventType.CONFIG_RELOADED);
    emitFile(bus, ConfigEventType.FILE_MODIFIED);
    emitReloaded(bus, 3);
    const event = await waiting;
    expect(event.version).toBe(3);
    // The FILE_MODIFIED before it was skipped by next(type).
    emitFile(bus, ConfigEventType.FILE_DELETED);
    expect((await recorder.next()).type).toBe(ConfigEventType.FILE_DELETED);
  });

  it("next() times out naming what was recorded, and leaves no handler or waiter behind", async () => {
    const bus = createEventManager();
    const recorder = recordEvents(bus);
    emitFile(bus, ConfigEventType.FILE_MODIFIED);
    await recorder.next();
    await expect(recorder.next(ConfigEventType.CONFIG_RELOADED, { timeout: 20 })).rejects.toThrow(
      "recorder.next(config_reloaded) timed out after 20 ms; recorded: [file_modified].",
    );
    recorder.stop();
    expect(bus.handlerCount).toBe(0);
  });

  it("stop() rejects a pending next()", async () => {
    const recorder = recordEvents(createEventManager());
    const waiting = recorder.next();
    recorder.stop();
    await expect(waiting).rejects.toThrow(/stopped/);
    await expect(recorder.next()).rejects.toThrow(/stopped/);
  });

  it("expectSequence() passes on an exact match and otherwise throws a readable diff", () => {
    const bus = createEventManager();
    const recorder = recordEvents(bus);
    emitFile(bus, ConfigEventType.FILE_MODIFIED);
    emitReloaded(bus, 2);
    recorder.expectSequence([ConfigEventType.FILE_MODIFIED, ConfigEventType.CONFIG_RELOADED]);

    let message = "";
    try {
      recorder.expectSequence([
        ConfigEventType.FILE_MODIFIED,
        ConfigEventType.CONFIG_RELOAD_FAILED,
        ConfigEventType.CONFIG_RELOADED,
      ]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      [
        "Event sequence differs at index 1:",
        "  expected: [file_modified, config_reload_failed, config_reloaded]",
        "  received: [file_modified, config_reloaded]",
        "",
        "   #  expected              received",
        "   0  file_modified         file_modified",
        ">  1  config_reload_failed  config_reloaded",
        ">  2  config_reloaded       (none)",
      ].join("\n"),
    );
  });
});
