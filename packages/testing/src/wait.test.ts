import type { ConfigChange, ConfigListener, ConfigStatus } from "@aiq/config-core";
import { ConfigEventType, createEventManager, type EventManager } from "@aiq/config-events";
import { describe, expect, it } from "vitest";
import { type ReloadingManager, waitFor, waitForEvent, waitForReload } from "./wait.js";

const emitReloaded = (bus: EventManager, version: number): void =>
  bus.emit({
    type: ConfigEventType.CONFIG_RELOADED,
    timestamp: new Date(),
    sourceId: "memory",
    version,
    reloadCount: 0,
  });

// A minimal manager: enough of ConfigManager's surface to drive waitForReload without core's pipeline.
class ScriptedManager<T> implements ReloadingManager<T> {
  readonly listeners = new Set<ConfigListener<T>>();
  status: ConfigStatus = {
    sourceId: "memory",
    version: 1,
    reloadCount: 0,
    missing: false,
    snapshots: 1,
    closed: false,
  };
  constructor(public config: T) {}
  subscribe(listener: ConfigListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  publish(config: T): void {
    const change: ConfigChange<T> = {
      version: this.status.version + 1,
      reason: "reload",
      previous: this.config,
      changedPaths: ["v"],
    };
    this.config = config;
    this.status = { ...this.status, version: change.version, reloadCount: this.status.reloadCount + 1 };
    for (const listener of [...this.listeners]) void listener(config, change);
  }
}

describe("waitFor", () => {
  it("resolves once the condition holds (sync or async), counting throws as not yet", async () => {
    let calls = 0;
    await waitFor(() => ++calls >= 3, { interval: 1 });
    expect(calls).toBe(3);

    let attempts = 0;
    await waitFor(
      async () => {
        attempts++;
        if (attempts < 3) throw new Error("ENOENT");
        return true;
      },
      { interval: 1 },
    );
    expect(attempts).toBe(3);
  });

  it("times out with the message and the last error, then stops checking", async () => {
    await expect(waitFor(() => false, { timeout: 30, message: "config.yml never saved" })).rejects.toThrow(
      "waitFor timed out after 30 ms: config.yml never saved",
    );
    let calls = 0;
    await expect(
      waitFor(
        () => {
          calls++;
          throw new Error("ENOENT: no such file");
        },
        { timeout: 30 },
      ),
    ).rejects.toThrow(
      "waitFor timed out after 30 ms: the condition never became true (last error: ENOENT: no such file)",
    );
    const after = calls;
    // Prove no timer survived: give any leftover poll a chance to run, then compare.
    await waitFor(() => true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(after);
  });
});

describe("waitForEvent", () => {
  it("resolves with the next matching event and unregisters", async () => {
    const bus = createEventManager();
    const waiting = waitForEvent(bus, ConfigEventType.CONFIG_RELOADED, { predicate: (event) => event.version === 3 });
    emitReloaded(bus, 2);
    emitReloaded(bus, 3);
    expect((await waiting).version).toBe(3);
    expect(bus.handlerCount).toBe(0);
  });

  it("rejects on timeout naming the events seen, and unregisters", async () => {
    const bus = createEventManager();
    const waiting = waitForEvent(bus, ConfigEventType.CONFIG_RELOADED, { timeout: 20 });
    bus.emit({ type: ConfigEventType.FILE_MODIFIED, filePath: "/tmp/c.yml", timestamp: new Date() });
    await expect(waiting).rejects.toThrow(
      "waitForEvent(config_reloaded) timed out after 20 ms (events seen: file_modified).",
    );
    expect(bus.handlerCount).toBe(0);
  });

  it("rejects when the predicate throws", async () => {
    const bus = createEventManager();
    const waiting = waitForEvent(bus, ConfigEventType.CONFIG_RELOADED, {
      predicate: () => {
        throw new Error("bad predicate");
      },
    });
    emitReloaded(bus, 2);
    await expect(waiting).rejects.toThrow("bad predicate");
    expect(bus.handlerCount).toBe(0);
  });
});

describe("waitForReload", () => {
  it("resolves with the first new version that matches, then unsubscribes", async () => {
    const manager = new ScriptedManager({ v: 1 });
    const waiting = waitForReload(manager, (config) => config.v === 3);
    manager.publish({ v: 2 });
    manager.publish({ v: 3 });
    const { config, change } = await waiting;
    expect(config).toEqual({ v: 3 });
    expect(change).toMatchObject({ version: 3, reason: "reload", previous: { v: 2 } });
    expect(manager.listeners.size).toBe(0);
  });

  it("without a predicate resolves on the next version", async () => {
    const manager = new ScriptedManager({ v: 1 });
    const waiting = waitForReload(manager);
    manager.publish({ v: 2 });
    expect((await waiting).change.version).toBe(2);
  });

  it("times out with the version and the last error, and unsubscribes", async () => {
    const manager = new ScriptedManager({ v: 1 });
    await expect(waitForReload(manager, undefined, { timeout: 20 })).rejects.toThrow(
      "waitForReload timed out after 20 ms (version 1, last error: none)",
    );
    manager.status = {
      ...manager.status,
      lastError: {
        name: "ConfigValidationError",
        code: "INVALID_CONFIG",
        message: "llms.a.temperature: too low",
        at: new Date(),
      },
    };
    await expect(waitForReload(manager, undefined, { timeout: 20 })).rejects.toThrow(
      "waitForReload timed out after 20 ms (version 1, last error: INVALID_CONFIG: llms.a.temperature: too low)",
    );
    expect(manager.listeners.size).toBe(0);
  });

  it("rejects when the predicate throws", async () => {
    const manager = new ScriptedManager({ v: 1 });
    const waiting = waitForReload(manager, () => {
      throw new Error("bad predicate");
    });
    manager.publish({ v: 2 });
    await expect(waiting).rejects.toThrow("bad predicate");
    expect(manager.listeners.size).toBe(0);
  });
});
