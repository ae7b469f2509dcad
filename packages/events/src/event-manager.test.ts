import { describe, expect, it } from "vitest";
import { type AiqConfigEvent, ConfigEventType, createEventManager, type FileEvent, getEventManager } from "./index.js";

const modified = (filePath = "/tmp/a.yml"): FileEvent => ({
  type: ConfigEventType.FILE_MODIFIED,
  filePath,
  timestamp: new Date(),
});
const reloaded = (version = 2): AiqConfigEvent => ({
  type: ConfigEventType.CONFIG_RELOADED,
  timestamp: new Date(),
  sourceId: "s",
  version,
  reloadCount: version - 1,
});

describe("EventManager", () => {
  it("delivers an event to the handlers of its type and to catch-all handlers only", () => {
    const bus = createEventManager();
    const typed: string[] = [];
    const all: string[] = [];
    bus.registerHandler((e) => {
      typed.push(e.filePath);
    }, ConfigEventType.FILE_MODIFIED);
    bus.registerHandler((e) => {
      all.push(e.type);
    });
    bus.emit(modified("/x.yml"));
    bus.emit(reloaded());
    expect(typed).toEqual(["/x.yml"]);
    expect(all).toEqual([ConfigEventType.FILE_MODIFIED, ConfigEventType.CONFIG_RELOADED]);
  });

  it("returns an unregister function that is idempotent", () => {
    const bus = createEventManager();
    const seen: number[] = [];
    const off = bus.registerHandler(() => {
      seen.push(1);
    }, ConfigEventType.CONFIG_RELOADED);
    expect(bus.handlerCount).toBe(1);
    off();
    off();
    expect(bus.handlerCount).toBe(0);
    bus.emit(reloaded());
    expect(seen).toEqual([]);
  });

  it("isolates a throwing or rejecting handler from the others and from the emitter", async () => {
    const errors: string[] = [];
    const bus = createEventManager({ onHandlerError: (error) => errors.push((error as Error).message) });
    const seen: number[] = [];
    bus.registerHandler(() => {
      throw new Error("sync");
    });
    bus.registerHandler(async () => {
      throw new Error("async");
    });
    bus.registerHandler(() => {
      seen.push(1);
    });
    expect(() => bus.emit(reloaded())).not.toThrow();
    expect(seen).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.sort()).toEqual(["async", "sync"]);
  });

  it("keeps the set of handlers fixed during an emit", () => {
    const bus = createEventManager();
    const seen: string[] = [];
    bus.registerHandler(() => {
      seen.push("first");
      bus.registerHandler(() => {
        seen.push("late");
      });
    });
    bus.emit(reloaded());
    expect(seen).toEqual(["first"]);
  });

  it("shares one process-wide bus through getEventManager", () => {
    expect(getEventManager()).toBe(getEventManager());
    expect(createEventManager()).not.toBe(getEventManager());
  });

  it("clear removes every handler", () => {
    const bus = createEventManager();
    bus.registerHandler(() => {});
    bus.registerHandler(() => {}, ConfigEventType.FILE_DELETED);
    bus.clear();
    expect(bus.handlerCount).toBe(0);
  });
});
