import { MemorySource } from "@aiq/config-testing";
import * as v from "valibot";
import { describe, expectTypeOf, it } from "vitest";
import { type AiqConfig, ConfigManager, type ConfigListener, type ConfigSnapshot } from "../src/index.js";

const schema = v.object({ name: v.string(), llms: v.record(v.string(), v.object({ temperature: v.number() })) });
type Config = v.InferOutput<typeof schema>;

describe("ConfigManager types", () => {
  it("types currentConfig from the schema's output", async () => {
    const manager = await ConfigManager.create({ source: new MemorySource({}), schema });
    expectTypeOf(manager.currentConfig).toEqualTypeOf<Readonly<Config>>();
    expectTypeOf(manager.currentConfig.name).toEqualTypeOf<string>();
    expectTypeOf(manager.reloadConfig()).resolves.toEqualTypeOf<Readonly<Config>>();
    expectTypeOf(manager.getSnapshots()).toEqualTypeOf<readonly ConfigSnapshot<Config>[]>();
    // @ts-expect-error: not in the schema
    manager.currentConfig.missing;
    // @ts-expect-error: the config is read-only
    manager.currentConfig.name = "x";
  });

  it("defaults to the AIQ config without a schema", async () => {
    const manager = await ConfigManager.create({ source: new MemorySource({}) });
    expectTypeOf(manager.currentConfig).toEqualTypeOf<Readonly<AiqConfig>>();
  });

  it("gives listeners the typed config", async () => {
    const manager = await ConfigManager.create({ source: new MemorySource({}), schema });
    manager.subscribe((config, change) => {
      expectTypeOf(config.llms).toEqualTypeOf<{ [key: string]: { temperature: number } }>();
      expectTypeOf(change.changedPaths).toEqualTypeOf<readonly string[]>();
      expectTypeOf(change.previous).toEqualTypeOf<Readonly<Config>>();
    });
    const listener: ConfigListener<Config> = () => {};
    manager.subscribe("llms", listener);
    // @ts-expect-error: a listener for another config shape
    manager.subscribe((config: { other: number }) => config.other);
    // @ts-expect-error: override values are strings, numbers, booleans or null
    void manager.setOverrides({ "llms.a.temperature": { nested: 1 } });
    // @ts-expect-error: rollback takes a number of steps
    void manager.rollbackConfig("1");
  });
});
