import { createEventManager, type EventManager } from "@aiq/config-events";
import { MemorySource, recordEvents } from "@aiq/config-testing";
import * as v from "valibot";
import { ConfigManager, type ConfigManagerOptions, silentLogger } from "../src/index.js";

/** A small schema with the shapes the manager tests need: named LLMs, a secret, typed numbers. */
export const testSchema = v.object({
  name: v.string(),
  llms: v.record(
    v.string(),
    v.object({
      model: v.string(),
      temperature: v.optional(v.pipe(v.number(), v.minValue(0))),
      api_key: v.optional(v.pipe(v.string(), v.regex(/^sk-[a-z]+$/))),
    }),
  ),
  tools: v.optional(v.record(v.string(), v.object({ enabled: v.boolean() }))),
});
export type TestConfig = v.InferOutput<typeof testSchema>;

export function baseConfig(name = "one", temperature = 0.5): TestConfig {
  return {
    name,
    llms: { main_llm: { model: "m", temperature }, fallback: { model: "f", temperature: 0.1 } },
    tools: { search: { enabled: true } },
  };
}

export interface Setup {
  source: MemorySource;
  bus: EventManager;
  manager: ConfigManager<TestConfig>;
  events: ReturnType<typeof recordEvents>;
}

export async function setup(
  options: Partial<ConfigManagerOptions<TestConfig>> = {},
  data: unknown = baseConfig(),
): Promise<Setup> {
  const source = new MemorySource(data, { id: "memory:test" });
  const bus = createEventManager();
  const events = recordEvents(bus);
  const manager = await ConfigManager.create({
    source,
    schema: testSchema,
    events: bus,
    logger: silentLogger,
    ...options,
  });
  return { source, bus, manager, events };
}
