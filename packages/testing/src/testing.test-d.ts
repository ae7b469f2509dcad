import type { ConfigManager } from "@aiq/config-core";
import type { ConfigEventType, EventManager, FileEvent } from "@aiq/config-events";
import { describe, expectTypeOf, it } from "vitest";
import {
  FakeWatcher,
  MemorySource,
  recordEvents,
  type ReloadingManager,
  waitForEvent,
  waitForReload,
} from "./index.js";

declare const bus: EventManager;
declare const manager: ReloadingManager<{ v: number }>;
declare const reloaded: ConfigEventType.CONFIG_RELOADED;
declare const modified: ConfigEventType.FILE_MODIFIED;

describe("types", () => {
  it("narrows recorded and awaited events by type", () => {
    expectTypeOf(recordEvents(bus, reloaded).events).items.toHaveProperty("version").toEqualTypeOf<number>();
    expectTypeOf(waitForEvent(bus, modified)).resolves.toEqualTypeOf<
      FileEvent & { type: ConfigEventType.FILE_MODIFIED }
    >();
    expectTypeOf(recordEvents(bus).next(reloaded)).resolves.toHaveProperty("changedPaths");
  });

  it("accepts a real ConfigManager and passes its config type through", () => {
    expectTypeOf<ConfigManager<{ v: number }>>().toExtend<ReloadingManager<{ v: number }>>();
    expectTypeOf(waitForReload(manager, (config) => config.v > 1))
      .resolves.toHaveProperty("config")
      .toEqualTypeOf<Readonly<{ v: number }>>();
  });

  it("fits the ConfigSource and AttachedWatcher contracts", () => {
    expectTypeOf(new MemorySource()).toExtend<import("@aiq/config-core").ConfigSource>();
    expectTypeOf(new FakeWatcher()).toExtend<import("@aiq/config-core").AttachedWatcher>();
    // @ts-expect-error a SaveMode must be one of the known modes
    void ({ as: "emacs" } satisfies import("./index.js").SaveOptions);
  });
});
