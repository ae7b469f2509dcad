// RELIABILITY.md scenarios 31 (override prototype pollution) and 32 (file-borne pollution) through the
// manager, end to end: parse -> base: merge -> overrides -> validate -> freeze -> snapshot -> diff ->
// rollback. After every case, and after the whole file, Object.prototype is what it was.
// Also run under `--disable-proto=throw` (any use of the `__proto__` accessor then throws):
//   NODE_OPTIONS=--disable-proto=throw pnpm vitest run tests/reliability/pollution.test.ts packages/core/src/override-pollution.test.ts
import {
  ConfigManager,
  type StandardSchemaV1,
  diffConfigs,
  isConfigValidationError,
  redactConfig,
  silentLogger,
} from "@aiq/config-core";
import { createEventManager } from "@aiq/config-events";
import { createConfigManager } from "@aiq/config-loader";
import {
  createConfigFixture,
  MemorySource,
  PROTOTYPE_POLLUTION_PATHS,
  type PrototypeNames,
  plantedKeys,
  prototypeNames,
  RESERVED_KEYS,
} from "@aiq/config-testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectRetained, fileManager, testSchema, yamlConfig } from "./helpers.js";
import * as v from "valibot";

const RESERVED = RESERVED_KEYS;

let baseline: PrototypeNames;

function expectNoGlobalPollution(): void {
  expect(prototypeNames()).toEqual(baseline);
  expect(plantedKeys()).toEqual([]);
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

beforeAll(() => {
  baseline = prototypeNames();
});

afterAll(() => {
  // The whole suite, including every property run, left the prototypes as they were.
  expectNoGlobalPollution();
});

/** How `({}).__proto__` behaves in this process: normal, `--disable-proto=delete` or `=throw`. */
function protoMode(): "normal" | "delete" | "throw" {
  try {
    // Reflect.get runs the accessor (if there is one), as `obj.__proto__` would.
    return Reflect.get({}, "__proto__") === undefined ? "delete" : "normal";
  } catch {
    return "throw";
  }
}

describe("under --disable-proto=throw", () => {
  it.runIf(protoMode() === "throw")("this process really throws on the __proto__ accessor", () => {
    expect(() => Reflect.get({}, "__proto__")).toThrow();
  });
});

// -- 31 -------------------------------------------------------------------------------------------

const plainKey = fc.constantFrom("a", "b", "llms", "main", "name", "0", "1", "x", "temperature");
const reservedKey = fc.constantFrom(...RESERVED);

/** A dotted path with a reserved key at any position, written plainly or quoted. */
const hostilePath = fc
  .tuple(
    fc.array(plainKey, { maxLength: 3 }),
    reservedKey,
    fc.array(plainKey, { minLength: 0, maxLength: 3 }),
    fc.boolean(),
  )
  .map(([before, reserved, after, quote]) => [...before, quote ? `"${reserved}"` : reserved, ...after].join("."));

describe("31 override prototype pollution through the manager", () => {
  const schema = v.object({ ...testSchema.entries, a: v.optional(v.record(v.string(), v.unknown())) });

  async function memoryManager() {
    const source = new MemorySource({ name: "p", counter: 1, end: true, a: { b: {} } });
    return ConfigManager.create({ source, schema, events: createEventManager(), logger: silentLogger });
  }

  it("property: setOverrides with a reserved key in any position and spelling fails with INVALID_PATH; retained; nothing global changes", async () => {
    await using manager = await memoryManager();
    await fc.assert(
      fc.asyncProperty(
        hostilePath,
        fc.oneof(fc.constant(1), fc.constant("polluted"), fc.constant(true)),
        async (path, value) => {
          const error = await expectRetained(manager, () => manager.setOverrides({ [path]: value }), "INVALID_PATH");
          expect(error.message).toContain(path);
          expect(manager.configOverrides).toEqual({});
          expectNoGlobalPollution();
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rejects every smuggled spelling (brackets, quotes, escapes) with INVALID_PATH, via setOverrides and the overrides option", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": yamlConfig(1) } });
    await using manager = await memoryManager();
    for (const path of PROTOTYPE_POLLUTION_PATHS) {
      await expectRetained(manager, () => manager.setOverrides({ [path]: 1 }), "INVALID_PATH");
      // Mixed with a good override: the whole set is refused.
      await expectRetained(manager, () => manager.setOverrides({ counter: 2, [path]: 1 }), "INVALID_PATH");
      await expect(
        createConfigManager(fixture.path("config.yml"), {
          schema,
          overrides: { [path]: "1" },
          events: createEventManager(),
          logger: silentLogger,
        }),
      ).rejects.toMatchObject({ code: "INVALID_PATH" });
      expectNoGlobalPollution();
    }
    expect(manager.currentConfig.counter).toBe(1);
  });

  it("an overrides map whose own key is __proto__ (from JSON) is refused, and an inherited key is ignored", async () => {
    await using manager = await memoryManager();
    const fromJson = JSON.parse('{"__proto__": {"polluted": true}, "counter": 2}') as Record<string, number>;
    await expectRetained(manager, () => manager.setOverrides(fromJson), "INVALID_PATH");
    const inherited = Object.create({ counter: 3 }) as Record<string, number>;
    expect((await manager.setOverrides(inherited)).counter).toBe(1);
    expectNoGlobalPollution();
  });

  it("subscribe(path) refuses reserved keys too", async () => {
    await using manager = await memoryManager();
    for (const path of ["__proto__", "a.constructor.prototype", '"prototype"']) {
      expect(() => manager.subscribe(path, () => undefined)).toThrow(expect.objectContaining({ code: "INVALID_PATH" }));
    }
    expect(manager.listenerCount).toBe(0);
  });
});

// -- 32 -------------------------------------------------------------------------------------------

/** A document with __proto__ and constructor.prototype keys at the root and nested, as JSON text. */
function hostileJson(counter: number, flag = true): string {
  return `{
  "__proto__": { "polluted": ${flag}, "isAdmin": true },
  "constructor": { "prototype": { "polluted": ${flag} } },
  "name": "hostile",
  "counter": ${counter},
  "llms": {
    "main": {
      "model": "m",
      "__proto__": { "polluted": ${flag} },
      "constructor": { "prototype": { "polluted": ${flag} } }
    }
  },
  "a": { "b": { "__proto__": { "x": 1 }, "prototype": { "x": 1 } } },
  "end": true
}
`;
}

/** The same as YAML. */
function hostileYaml(counter: number, flag = true): string {
  return `__proto__: { polluted: ${flag}, isAdmin: true }
constructor: { prototype: { polluted: ${flag} } }
name: hostile
counter: ${counter}
llms:
  main:
    model: m
    __proto__: { polluted: ${flag} }
    constructor: { prototype: { polluted: ${flag} } }
a:
  b:
    __proto__: { x: 1 }
    prototype: { x: 1 }
end: true
`;
}

/** A schema that keeps the document as it is (a pass-through Standard Schema): the hardest case downstream. */
const passThrough: StandardSchemaV1<unknown, Record<string, unknown>> = {
  "~standard": {
    version: 1,
    vendor: "reliability",
    validate: (value) => ({ value: value as Record<string, unknown> }),
  },
};

const stripping = v.object({ ...testSchema.entries, a: v.optional(v.unknown()) });
const strict = v.strictObject({ ...testSchema.entries, a: v.optional(v.unknown()) });
const loose = v.looseObject({ ...testSchema.entries, a: v.optional(v.unknown()) });

function ownKeys(value: unknown): string[] {
  return typeof value === "object" && value !== null ? Object.keys(value).sort() : [];
}

function expectPlainObjectTree(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  const proto = Object.getPrototypeOf(value);
  expect(proto === Object.prototype || proto === Array.prototype || proto === null).toBe(true);
  // `polluted` may be own data (the value under a hostile key), never inherited.
  for (const key of ["polluted", "isAdmin", "x"]) {
    if (!Object.hasOwn(value, key)) expect((value as Record<string, unknown>)[key], key).toBeUndefined();
  }
  for (const child of Object.values(value)) expectPlainObjectTree(child);
}

describe("32 file-borne pollution, parse -> merge -> overrides -> validate -> snapshot -> diff -> rollback", () => {
  for (const [format, name, hostile] of [
    ["JSON", "config.json", hostileJson],
    ["YAML", "config.yml", hostileYaml],
  ] as const) {
    it(`${format} through a pass-through schema: the keys stay plain own data everywhere; nothing global changes`, async () => {
      await using setup = await fileManager<Record<string, unknown>>(hostile(1), {
        name,
        schema: passThrough,
        overrides: { "llms.main.temperature": 0.5 },
      });
      const { manager } = setup;
      const first = manager.currentConfig;
      expect(ownKeys(first)).toEqual(["__proto__", "a", "constructor", "counter", "end", "llms", "name"]);
      expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
      expect(first.polluted).toBeUndefined();
      expectPlainObjectTree(first);
      expect((first.llms as Record<string, Record<string, unknown>>).main?.temperature).toBe(0.5);
      expectNoGlobalPollution();

      // Overrides next to the hostile keys (never through them).
      const overridden = await manager.setOverrides({ "llms.main.temperature": 0.7, "a.b.y": 2 });
      expect(ownKeys((overridden.a as Record<string, unknown>).b)).toEqual(["__proto__", "prototype", "y"]);
      expectPlainObjectTree(overridden);

      // A reload that changes the hostile values: diffed, snapshotted, told to listeners.
      const changes: string[][] = [];
      manager.subscribe((_config, change) => {
        changes.push([...change.changedPaths]);
      });
      await setup.save(hostile(2, false));
      const second = await manager.reloadConfig();
      expectPlainObjectTree(second);
      expect(changes[0]).toEqual(
        expect.arrayContaining(["__proto__.polluted", "counter", "constructor.prototype.polluted"]),
      );
      expect(diffConfigs(first, second).length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(redactConfig(second)))).toEqual(JSON.parse(JSON.stringify(second)));
      for (const snapshot of manager.getSnapshots()) expectPlainObjectTree(snapshot.config);

      // Rollback re-resolves the first document.
      const back = await manager.rollbackConfig(2);
      expect(back.counter).toBe(1);
      expectPlainObjectTree(back);
      expectNoGlobalPollution();
    });

    it(`${format} through valibot: object strips the keys, looseObject drops them, strictObject rejects the file (retained)`, async () => {
      await using stripped = await fileManager(hostile(1), { name, schema: stripping as never });
      expect(ownKeys(stripped.manager.currentConfig)).toEqual(["a", "counter", "end", "llms", "name"]);
      expect(ownKeys((stripped.manager.currentConfig as { llms: Record<string, unknown> }).llms.main)).toEqual([
        "model",
      ]);
      expectPlainObjectTree(stripped.manager.currentConfig);

      await using loosely = await fileManager(hostile(1), { name, schema: loose as never });
      expect(ownKeys(loosely.manager.currentConfig)).toEqual(["a", "counter", "end", "llms", "name"]);
      expectPlainObjectTree(loosely.manager.currentConfig);

      await using strictly = await fileManager(
        format === "JSON" ? '{"name":"s","counter":1,"end":true}' : "name: s\ncounter: 1\nend: true\n",
        {
          name,
          schema: strict as never,
        },
      );
      await strictly.save(hostile(2));
      const error = await expectRetained(strictly.manager, () => strictly.manager.reloadConfig(), "INVALID_CONFIG");
      expect(isConfigValidationError(error) && error.issues.length).toBeGreaterThan(0);
      expectNoGlobalPollution();
    });
  }

  it("through a base: file (defaults merge), root and nested; and from a MemorySource (structuredClone)", async () => {
    await using fixture = await createConfigFixture({
      files: {
        "base.json": hostileJson(1),
        "config.yml": "base: base.json\ncounter: 5\nllms:\n  main:\n    __proto__: { isAdmin: true }\n",
      },
    });
    await using manager = await createConfigManager(fixture.path("config.yml"), {
      schema: passThrough,
      events: createEventManager(),
      logger: silentLogger,
    });
    const config = manager.currentConfig;
    expect(config.counter).toBe(5);
    const main = (config.llms as Record<string, Record<string, unknown>>).main as Record<string, unknown>;
    expect(Object.hasOwn(main, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(main, "__proto__")?.value).toEqual(
      JSON.parse('{"polluted": true, "isAdmin": true}'),
    );
    expectPlainObjectTree(config);

    const source = new MemorySource(JSON.parse(hostileJson(1)));
    await using fromMemory = await ConfigManager.create({
      source,
      schema: passThrough,
      events: createEventManager(),
      logger: silentLogger,
    });
    source.set(JSON.parse(hostileJson(2, false)));
    expectPlainObjectTree(await fromMemory.reloadConfig());
    expectPlainObjectTree(await fromMemory.rollbackConfig(1));
    expectNoGlobalPollution();
  });
});
