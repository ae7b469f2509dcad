import type { AiqConfig, ConfigManager, WatchState } from "@aiq/config-core";
import type { FakeWatcher } from "@aiq/config-testing";
import { describe, expectTypeOf, it } from "vitest";
import { type AutoReloadHandle, autoReload, ConfigWatcher, type FileWatcher } from "../src/index.js";
import type { TestConfig } from "./schema.js";

declare const manager: ConfigManager<AiqConfig>;
declare const typed: ConfigManager<TestConfig>;
declare const fake: FakeWatcher;

describe("autoReload types", () => {
  it("takes any ConfigManager and returns a handle", () => {
    expectTypeOf(autoReload(manager)).toEqualTypeOf<AutoReloadHandle>();
    expectTypeOf(
      autoReload(typed, { debounceMs: 20, burstDebounceMs: 60, usePolling: true, interval: 50 }),
    ).toEqualTypeOf<AutoReloadHandle>();
    expectTypeOf<AutoReloadHandle["stop"]>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<AutoReloadHandle["done"]>().toEqualTypeOf<Promise<void>>();
    expectTypeOf<AutoReloadHandle>().toExtend<AsyncDisposable>();
  });

  it("accepts a ConfigWatcher or the testing package's FakeWatcher", () => {
    expectTypeOf<ConfigWatcher>().toExtend<FileWatcher>();
    expectTypeOf<FakeWatcher>().toExtend<FileWatcher>();
    autoReload(manager, { watcher: fake });
    autoReload(manager, { watcher: new ConfigWatcher() });
    expectTypeOf<ConfigWatcher["state"]>().returns.toEqualTypeOf<WatchState>();
  });

  it("rejects what is not a manager or a watcher", () => {
    // @ts-expect-error a path is not a manager: create one with createConfigManager(path)
    autoReload("config.yml");
    // @ts-expect-error a watcher needs addFile/removeFile/state/close
    autoReload(manager, { watcher: { close: async () => undefined } });
    // @ts-expect-error debounceMs is a number of milliseconds
    autoReload(manager, { debounceMs: "40ms" });
  });
});
