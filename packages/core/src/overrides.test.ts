import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { thrownValidationError } from "../../../tests/support/validation-error.js";
import { applyOverrides, findDroppedOverrides, parseOverrideArgument } from "./overrides.js";
import type { ConfigOverrides } from "./types.js";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Parses CLI arguments the way `aiq-config -o key=value` does, then applies them. */
function applyArgs(data: unknown, args: string[], schema?: unknown): unknown {
  const overrides: Record<string, string> = {};
  for (const arg of args) {
    const { path, value } = parseOverrideArgument(arg);
    overrides[path] = value;
  }
  return applyOverrides(data, overrides, schema === undefined ? {} : { schema });
}

const doc = () =>
  deepFreeze({
    llms: {
      main_llm: { _type: "nim", model_name: "m", temperature: 0.5, stream: true },
      "gpt-4.1": { temperature: 0.1 },
    },
    servers: [{ host: "a" }, { host: "b" }],
    general: { name: "svc" },
  });

describe("parseOverrideArgument", () => {
  it("splits at the first =", () => {
    expect(parseOverrideArgument("a.b=c=d")).toEqual({ path: "a.b", value: "c=d" });
    expect(parseOverrideArgument("a.b=")).toEqual({ path: "a.b", value: "" });
    expect(parseOverrideArgument('llms."gpt-4.1".temperature=0.8')).toEqual({
      path: 'llms."gpt-4.1".temperature',
      value: "0.8",
    });
  });

  it("rejects an argument with no = or no key, naming it", () => {
    const noEq = thrownValidationError(() => parseOverrideArgument("llms.main_llm.temperature"));
    expect(noEq.code).toBe("INVALID_OVERRIDE");
    expect(noEq.message).toContain('override argument "llms.main_llm.temperature" has no "="');
    expect(noEq.message).toContain("key=value");
    const noKey = thrownValidationError(() => parseOverrideArgument("=1"));
    expect(noKey.code).toBe("INVALID_OVERRIDE");
    expect(noKey.message).toContain('has no key before "="');
  });

  it("does not print the value of an argument with no key (it may be a secret)", () => {
    const error = thrownValidationError(() => parseOverrideArgument("=sk-CANARY-123"));
    expect(JSON.stringify({ message: error.message, issues: error.issues })).not.toContain("CANARY");
  });
});

describe("applyOverrides (RELIABILITY 34: override edge cases)", () => {
  it("a.b=c=d sets the string c=d, and a.b= the empty string", () => {
    expect(applyArgs({ a: { b: "x" } }, ["a.b=c=d"])).toEqual({ a: { b: "c=d" } });
    expect(applyArgs({ a: { b: "x" } }, ["a.b="])).toEqual({ a: { b: "" } });
    expect(applyArgs({ a: { b: 1 } }, ["a.b="])).toEqual({ a: { b: "" } });
  });

  it.each([["a..b=1"], [".a=1"], ["a.=1"]])("%s is an error naming the override", (arg) => {
    const error = thrownValidationError(() => applyArgs({ a: { b: 1 } }, [arg]));
    const key = arg.slice(0, arg.indexOf("="));
    expect(error.code).toBe("INVALID_PATH");
    expect(error.issues).toEqual([{ path: key, message: expect.stringContaining(`override "${key}"`) }]);
    expect(error.message).toContain(`override "${key}"`);
  });

  it("=1 is an error naming the argument", () => {
    expect(() => applyArgs({}, ["=1"])).toThrow(/override argument "=…" has no key/);
  });

  it('llms."gpt-4.1".temperature sets the key gpt-4.1', () => {
    const out = applyArgs(doc(), ['llms."gpt-4.1".temperature=0.8']) as ReturnType<typeof doc>;
    expect(out.llms["gpt-4.1"].temperature).toBe(0.8);
    expect(Object.keys(out.llms)).toEqual(["main_llm", "gpt-4.1"]);
  });

  it("servers.0.host indexes the list and keeps it a list", () => {
    const out = applyArgs(doc(), ["servers.0.host=x", "servers.2.host=c"]) as ReturnType<typeof doc>;
    expect(Array.isArray(out.servers)).toBe(true);
    expect(out.servers).toEqual([{ host: "x" }, { host: "b" }, { host: "c" }]);
  });

  it("a list index that is not a number or is past the end is an error saying what is valid", () => {
    const error = thrownValidationError(() => applyArgs(doc(), ["servers.x.host=1", "servers.5.host=1"]));
    expect(error.code).toBe("INVALID_OVERRIDE");
    expect(error.issues.map((i) => i.path)).toEqual(["servers.x.host", "servers.5.host"]);
    expect(error.issues[0]?.message).toContain('needs an index into "servers", not "x"; use 0..2');
    expect(error.issues[1]?.message).toContain("index 5, past the end of");
  });

  it("types 0.8, true and null by the schema first", () => {
    const schema = v.object({
      a: v.object({ s: v.string(), n: v.number(), b: v.boolean(), z: v.nullable(v.number()) }),
    });
    const out = applyArgs(
      { a: { s: "x", n: 1, b: false, z: 1 } },
      ["a.s=0.8", "a.n=0.8", "a.b=true", "a.z=null"],
      schema,
    );
    expect(out).toEqual({ a: { s: "0.8", n: 0.8, b: true, z: null } });
    // The schema wins over the replaced value's type.
    expect(applyArgs({ a: { s: 5 } }, ["a.s=0.8"], schema)).toEqual({ a: { s: "0.8" } });
  });

  it("types by the replaced value when the schema cannot tell, else as a YAML scalar", () => {
    const data = { keep: "0.5", num: 0.5, flag: false };
    expect(
      applyArgs(data, ["keep=0.8", "num=0.8", "flag=true", "fresh=0.8", "on=true", "off=null", "name=gpt"]),
    ).toEqual({
      keep: "0.8",
      num: 0.8,
      flag: true,
      fresh: 0.8,
      on: true,
      off: null,
      name: "gpt",
    });
    expect(applyArgs({ a: { any: 1 } }, ["a.any=0.8"], v.object({ a: v.looseObject({}) }))).toEqual({
      a: { any: 0.8 },
    });
  });

  it("a quoted value stays a string, and non-string values are used as they are", () => {
    expect(applyArgs({ a: 1 }, ["a='0.7'"])).toEqual({ a: "0.7" });
    expect(applyArgs({ a: 1 }, ['a="true"'], v.object({ a: v.boolean() }))).toEqual({ a: "true" });
    expect(applyOverrides({ a: "x" }, { a: 0.7, b: true, c: null, d: "0.7" })).toEqual({
      a: 0.7,
      b: true,
      c: null,
      d: 0.7,
    });
  });

  it("text the schema's type cannot take stays a string, for validation to report", () => {
    const schema = v.object({ t: v.number() });
    const out = applyArgs({ t: 1 }, ["t=abc"], schema);
    expect(out).toEqual({ t: "abc" });
    expect(v.safeParse(schema, out).success).toBe(false);
  });

  it("a path through a non-object value is an error naming the path", () => {
    const cases = ["llms.main_llm.temperature.x=1", "general.name.first=1", "servers.0.host.x=1"];
    const error = thrownValidationError(() => applyArgs(doc(), cases));
    expect(error.code).toBe("INVALID_OVERRIDE");
    expect(error.issues.map((i) => i.path)).toEqual([
      "llms.main_llm.temperature.x",
      "general.name.first",
      "servers.0.host.x",
    ]);
    expect(error.issues[0]?.message).toBe(
      'override "llms.main_llm.temperature.x" goes through "llms.main_llm.temperature", which is a number, not a mapping or list; set "llms.main_llm.temperature" itself or fix the path',
    );
    expect(error.issues[1]?.message).toContain('"general.name", which is a string');
    expect(thrownValidationError(() => applyArgs({ a: null }, ["a.b=1"])).issues[0]?.message).toContain(
      '"a", which is null',
    );
  });

  it("never puts an override's value into a message", () => {
    const error = thrownValidationError(() =>
      applyArgs({ llms: { m: { api_key: "old" } } }, ["llms.m.api_key.x=sk-CANARY-123", "a..b=sk-CANARY-123"]),
    );
    expect(JSON.stringify({ message: error.message, issues: error.issues })).not.toContain("CANARY");
  });

  it("an override that creates a key the schema strips is an error naming the override", () => {
    const schema = v.object({ llms: v.record(v.string(), v.object({ temperature: v.number() })) });
    const overrides = { "llms.main_llm.temprature": "0.8", "llms.main_llm.temperature": "0.9" };
    const output = v.parse(schema, applyOverrides({ llms: { main_llm: { temperature: 0.5 } } }, overrides, { schema }));
    expect(output).toEqual({ llms: { main_llm: { temperature: 0.9 } } });
    expect(findDroppedOverrides(output, overrides)).toEqual([
      {
        path: "llms.main_llm.temprature",
        message: 'override "llms.main_llm.temprature" sets a key the schema does not keep (misspelled?)',
      },
    ]);
  });

  it("an override that creates a key a strict schema rejects fails validation at that key", () => {
    const schema = v.strictObject({ a: v.number() });
    const result = v.safeParse(schema, applyArgs({ a: 1 }, ["b=2"], schema));
    expect(result.success).toBe(false);
    expect(result.issues?.map((i) => v.getDotPath(i))).toEqual(["b"]);
  });

  it("re-applied to every fresh parse, overrides give the same result each time", () => {
    const args = ["llms.main_llm.temperature=0.8", "servers.1.host=z", "general.extra.x=1"];
    const first = applyArgs(doc(), args);
    expect(applyArgs(doc(), args)).toEqual(first);
    expect(applyArgs(first, args)).toEqual(first);
  });

  it("never changes its input: a failed override leaves a frozen document as it was", () => {
    const input = doc();
    const before = structuredClone(input);
    thrownValidationError(() => applyArgs(input, ["llms.main_llm.temperature=0.9", "general.name.x=1"]));
    applyArgs(input, ["llms.main_llm.temperature=0.9", "llms.new.x=1", "servers.0.host=q"]);
    expect(input).toEqual(before);
  });

  it("reports every bad override, not just the first", () => {
    const error = thrownValidationError(() =>
      applyOverrides({ a: 1 }, { "a..b": 1, "__proto__.x": 1, "a.c": 1, ok: 1 }),
    );
    expect(error.code).toBe("INVALID_PATH");
    expect(error.issues.map((i) => i.path)).toEqual(["a..b", "__proto__.x", "a.c"]);
    const nav = thrownValidationError(() => applyOverrides({ a: 1, b: "s" }, { "a.x": 1, "b.y": 1, c: 1 }));
    expect(nav.issues.map((i) => i.path)).toEqual(["a.x", "b.y"]);
    expect(nav.message).toMatch(/^Invalid overrides \(2 issues\):/);
  });

  it("rejects two overrides of the same key, or one inside another", () => {
    const error = thrownValidationError(() =>
      applyOverrides({}, { "a.b": 1, 'a."b"': 2, "a.b.c": 3, "x.0": 1, 'x."0"': 2 }),
    );
    expect(error.code).toBe("INVALID_OVERRIDE");
    expect(error.issues.map((i) => i.path)).toEqual(['a."b"', 'x."0"', "a.b.c"]);
    expect(error.issues[2]?.message).toContain('conflicts with override "a.b"');
  });

  it("rejects a value that is not a string, number, boolean or null", () => {
    const error = thrownValidationError(() => applyOverrides({}, { a: { b: 1 } } as unknown as ConfigOverrides));
    expect(error.issues[0]?.message).toBe('override "a" must be a string, number, boolean or null (got an object)');
  });
});

describe("findDroppedOverrides", () => {
  it("finds nothing when every override's key exists, including list items and quoted keys", () => {
    const config = { llms: { "gpt-4.1": { t: 1 } }, servers: [{ host: "a" }], z: null };
    expect(findDroppedOverrides(config, { 'llms."gpt-4.1".t': "1", "servers.0.host": "a", z: null })).toEqual([]);
  });

  it("reports each override whose key is gone, by the key as written", () => {
    const config = { llms: { m: { t: 1 } }, servers: [] };
    const dropped = findDroppedOverrides(config, { "llms.m.tt": 1, "servers.0.host": "x", "nope.x": 1, "llms.m.t": 1 });
    expect(dropped.map((i) => i.path)).toEqual(["llms.m.tt", "servers.0.host", "nope.x"]);
  });

  it("does not count an inherited property as kept", () => {
    expect(findDroppedOverrides({}, { toString: "x" })).toHaveLength(1);
  });
});
