// RELIABILITY.md scenarios 26 (alias sharing + override) and 34 (override edge cases) through the
// manager: the `overrides` option and `manager.setOverrides`, on a real file. What the user sees is the
// config the manager publishes, the error it throws (naming the override), and that a bad override
// rejects the whole operation while the last good config, its overrides and its history stay.
import { isConfigValidationError, parseOverrideArgument } from "@aiq/config-core";
import { createEventManager } from "@aiq/config-events";
import { createConfigManager } from "@aiq/config-loader";
import { createConfigFixture } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { captureLogger, expectRetained, fileManager, llmSchema } from "./helpers.js";
import * as v from "valibot";

const overrideSchema = v.object({
  name: v.string(),
  counter: v.pipe(v.number(), v.integer(), v.minValue(0)),
  defaults: v.optional(llmSchema),
  llms: v.optional(v.record(v.string(), llmSchema)),
  servers: v.optional(v.array(v.object({ host: v.string(), port: v.optional(v.number()) }))),
  extra: v.optional(v.record(v.string(), v.unknown())),
  end: v.literal(true),
});
type OverrideConfig = v.InferOutput<typeof overrideSchema>;

const ALIASED = `name: aliases
counter: 1
defaults: &d { model: base, temperature: 0.5 }
llms:
  main_llm: *d
  fallback: *d
end: true
`;

const EDGES = `name: edges
counter: 1
llms:
  main:
    model: m
    temperature: 0.5
  "gpt-4.1":
    model: g
    temperature: 0.1
servers:
  - host: a
    port: 1
  - host: b
extra:
  flag: true
  ratio: 0.25
end: true
`;

function setup(content: string, overrides: Record<string, string | number | boolean | null> = {}) {
  return fileManager<OverrideConfig>(content, { schema: overrideSchema, overrides });
}

describe("26 alias sharing + override", () => {
  it("an override of one alias user changes only that key, from the overrides option and after every fresh parse", async () => {
    await using s = await setup(ALIASED, { "llms.main_llm.temperature": "0.8" });
    const check = (config: OverrideConfig) => {
      expect(config.llms?.main_llm?.temperature).toBe(0.8);
      expect(config.llms?.fallback?.temperature).toBe(0.5);
      expect(config.defaults?.temperature).toBe(0.5);
    };
    check(s.manager.currentConfig);
    check(await s.manager.reloadConfig());
    await s.save(ALIASED.replace("counter: 1", "counter: 2"));
    check(await s.manager.reloadConfig());
    check((await s.manager.rollbackConfig(1)) as OverrideConfig);
  });

  it("the same through setOverrides, and removing the override restores the shared value everywhere", async () => {
    await using s = await setup(ALIASED);
    const config = await s.manager.setOverrides({ "llms.main_llm.temperature": 0.8 });
    expect([
      config.llms?.main_llm?.temperature,
      config.llms?.fallback?.temperature,
      config.defaults?.temperature,
    ]).toEqual([0.8, 0.5, 0.5]);
    const cleared = await s.manager.setOverrides({});
    expect([
      cleared.llms?.main_llm?.temperature,
      cleared.llms?.fallback?.temperature,
      cleared.defaults?.temperature,
    ]).toEqual([0.5, 0.5, 0.5]);
  });
});

describe("34 override edge cases through the manager", () => {
  it("splits a CLI override at the first '=' and keeps `a.b=` as the empty string", async () => {
    await using s = await setup(EDGES);
    const first = parseOverrideArgument("llms.main.model=c=d");
    const second = parseOverrideArgument("name=");
    const config = await s.manager.setOverrides({ [first.path]: first.value, [second.path]: second.value });
    expect(config.llms?.main?.model).toBe("c=d");
    expect(config.name).toBe("");
    expect(s.manager.configOverrides).toEqual({ "llms.main.model": "c=d", name: "" });
  });

  it("rejects `a..b`, `.a`, an empty path and `=1` with an error naming the override; retained, previous overrides kept", async () => {
    await using s = await setup(EDGES);
    await s.manager.setOverrides({ counter: 5 });
    for (const bad of ["llms..main.temperature", ".name", "name.", ""]) {
      const error = await expectRetained(s.manager, () => s.manager.setOverrides({ [bad]: 1 }), "INVALID_PATH");
      expect(error.message).toContain(`override "${bad}"`);
      expect(s.manager.configOverrides).toEqual({ counter: "5" });
      expect(s.manager.currentConfig.counter).toBe(5);
    }
    expect(() => parseOverrideArgument("=1")).toThrow(/has no key before "="/);
  });

  it("reads quoted keys with dots and numeric segments as array indexes", async () => {
    await using s = await setup(EDGES);
    const config = await s.manager.setOverrides({
      'llms."gpt-4.1".temperature': "0.8",
      "servers.0.host": "x",
      "servers.2.host": "c",
    });
    expect(config.llms?.["gpt-4.1"]?.temperature).toBe(0.8);
    expect(config.servers).toEqual([{ host: "x", port: 1 }, { host: "b" }, { host: "c" }]);
    expect(Array.isArray(config.servers)).toBe(true);
  });

  it("types values by the schema, else by the value replaced, else as a YAML scalar; a quoted value stays a string", async () => {
    await using s = await setup(EDGES);
    const config = await s.manager.setOverrides({
      counter: "7", // schema: number
      "llms.main.temperature": "0.8", // schema: number
      "extra.flag": "false", // schema: unknown; replaces a boolean
      "extra.ratio": "true", // replaces a number: not a number, so a YAML scalar
      "extra.nothing": "null", // new key: YAML scalar
      "extra.float": "0.8",
      "extra.quoted": '"0.7"',
      "llms.main.model": "true", // schema: string
    });
    expect(config.counter).toBe(7);
    expect(config.llms?.main?.temperature).toBe(0.8);
    expect(config.llms?.main?.model).toBe("true");
    expect(config.extra).toEqual({ flag: false, ratio: true, nothing: null, float: 0.8, quoted: "0.7" });
  });

  it("rejects a path through a non-object value, naming it; retained", async () => {
    await using s = await setup(EDGES);
    const error = await expectRetained(
      s.manager,
      () => s.manager.setOverrides({ "name.first": "x" }),
      "INVALID_OVERRIDE",
    );
    expect(error.message).toContain('override "name.first"');
    expect(error.message).toContain('"name"');
  });

  it("rejects an override that creates a key the schema strips (a typo), naming it; retained", async () => {
    await using s = await setup(EDGES);
    const error = await expectRetained(
      s.manager,
      () => s.manager.setOverrides({ "llms.main.temprature": 0.9 }),
      "INVALID_OVERRIDE",
    );
    expect(error.message).toContain('override "llms.main.temprature"');
    expect(s.manager.status.lastError?.issues?.map((issue) => issue.path)).toEqual(["llms.main.temprature"]);
  });

  it("an override's error names the override: placed where the file blocks it, never at a file line where the override wrote the value", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": EDGES } });
    const file = fixture.path("config.yml");
    const create = (overrides: Record<string, string | number>) =>
      createConfigManager(file, {
        schema: overrideSchema,
        overrides,
        events: createEventManager(),
        logger: captureLogger(),
      });
    const through = await create({ "name.first": "x" }).catch((error: unknown) => error);
    expect(isConfigValidationError(through) && through.message).toBe(
      `Invalid overrides (1 issue):\n  ${file}:1:7 name.first: override "name.first" goes through "name", which is a string, not a mapping or list; set "name" itself or fix the path`,
    );
    await using s = await setup(EDGES);
    const invalid = await expectRetained(
      s.manager,
      () => s.manager.setOverrides({ counter: -3, "servers.2.host": 5 }),
      "INVALID_CONFIG",
    );
    expect(isConfigValidationError(invalid) && invalid.issues.map((issue) => [issue.override, issue.line])).toEqual([
      ["counter", undefined],
      ["servers.2.host", undefined],
    ]);
    expect(invalid.message).toMatch(/^ {2}override "counter": counter: /m);
  });

  it("an override that makes the config invalid rejects the whole operation: setOverrides, then a reload; retained", async () => {
    await using s = await setup(EDGES, { "llms.main.temperature": 0.9 });
    const invalid = await expectRetained(
      s.manager,
      () => s.manager.setOverrides({ "llms.main.temperature": -1 }),
      "INVALID_CONFIG",
    );
    expect(invalid.message).toContain("llms.main.temperature");
    expect(s.manager.configOverrides).toEqual({ "llms.main.temperature": "0.9" });
    // The file drops llms.main: the override would create { temperature: 0.9 } without a model.
    await s.save(EDGES.replace("  main:\n    model: m\n    temperature: 0.5\n", ""));
    const error = await expectRetained(s.manager, () => s.manager.reloadConfig(), "INVALID_CONFIG");
    expect(isConfigValidationError(error) && error.issues.map((issue) => issue.path)).toEqual(["llms.main.model"]);
    expect(s.manager.currentConfig.llms?.main).toEqual({ model: "m", temperature: 0.9 });
  });

  it("re-applies overrides to every fresh parse with the same result each time", async () => {
    await using s = await setup(EDGES, { "llms.main.temperature": "0.9", "servers.1.host": "z" });
    const first = s.manager.currentConfig;
    expect(await s.manager.reloadConfig()).toBe(first);
    expect(s.manager.status.version).toBe(1);
    await s.save(EDGES.replace("name: edges", "name: edited"));
    const edited = await s.manager.reloadConfig();
    expect(edited.name).toBe("edited");
    expect(edited.llms?.main?.temperature).toBe(0.9);
    expect(edited.servers?.[1]?.host).toBe("z");
    expect(s.manager.getSnapshots().map((snapshot) => snapshot.overrides)).toEqual([
      { "llms.main.temperature": "0.9", "servers.1.host": "z" },
      { "llms.main.temperature": "0.9", "servers.1.host": "z" },
    ]);
  });

  it("an invalid `overrides` option fails create with the error naming the override", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": EDGES } });
    const create = (overrides: Record<string, string>) =>
      createConfigManager(fixture.path("config.yml"), {
        schema: overrideSchema,
        overrides,
        events: createEventManager(),
        logger: captureLogger(),
      });
    await expect(create({ "llms.main.temprature": "0.9" })).rejects.toMatchObject({
      code: "INVALID_OVERRIDE",
      message: expect.stringContaining("llms.main.temprature"),
    });
    await expect(create({ "servers.x.host": "a" })).rejects.toMatchObject({
      code: "INVALID_OVERRIDE",
      message: expect.stringContaining("servers.x.host"),
    });
    await expect(create({ counter: "-3" })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      message: expect.stringContaining("counter"),
    });
  });
});
