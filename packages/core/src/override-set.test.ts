import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isConfigValidationError } from "./errors.js";
import { applyOverrides, findDroppedOverrides } from "./overrides.js";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const doc = () =>
  deepFreeze({
    llms: { main_llm: { _type: "nim", temperature: 0.5 }, "gpt-4.1": { temperature: 0.1 } },
    servers: [{ host: "a" }, { host: "b" }],
    general: { name: "svc" },
  });

describe("applyOverrides: copy on write", () => {
  it("RELIABILITY 26: an alias shared by two keys changes only under the key the override names", () => {
    const defaults = { temperature: 0.5 };
    const data = deepFreeze({ defaults, llms: { main_llm: defaults, fallback: defaults } });
    const out = applyOverrides(data, { "llms.main_llm.temperature": "0.8" }) as typeof data;
    expect(out.llms.main_llm.temperature).toBe(0.8);
    expect(out.llms.fallback.temperature).toBe(0.5);
    expect(out.defaults.temperature).toBe(0.5);
    expect(defaults.temperature).toBe(0.5);
  });

  it("two overrides through the same alias get two independent copies", () => {
    const shared = { t: 1, u: 1 };
    const out = applyOverrides({ a: shared, b: shared }, { "a.t": 2, "b.u": 3 }) as {
      a: typeof shared;
      b: typeof shared;
    };
    expect(out).toEqual({ a: { t: 2, u: 1 }, b: { t: 1, u: 3 } });
    expect(shared).toEqual({ t: 1, u: 1 });
  });

  it("shares every untouched subtree by reference and copies only along the path", () => {
    const input = doc();
    const out = applyOverrides(input, { "llms.main_llm.temperature": "0.8" }) as ReturnType<typeof doc>;
    expect(out).not.toBe(input);
    expect(out.llms).not.toBe(input.llms);
    expect(out.llms.main_llm).not.toBe(input.llms.main_llm);
    expect(out.llms["gpt-4.1"]).toBe(input.llms["gpt-4.1"]);
    expect(out.servers).toBe(input.servers);
    expect(out.general).toBe(input.general);
    expect(Object.isFrozen(out.llms)).toBe(false);
  });

  it("creates missing keys as mappings, and treats an empty document as an empty mapping", () => {
    expect(applyOverrides(null, { "a.b.c": 1 })).toEqual({ a: { b: { c: 1 } } });
    expect(applyOverrides(undefined, { a: "x" })).toEqual({ a: "x" });
    expect(applyOverrides({ servers: {} }, { "servers.0.host": "h" })).toEqual({ servers: { "0": { host: "h" } } });
  });

  it("returns the document itself when there are no overrides, and rejects overrides of a scalar document", () => {
    const input = doc();
    expect(applyOverrides(input, {})).toBe(input);
    expect(() => applyOverrides("text", { a: 1 })).toThrow(/the document is a string, not a mapping/);
  });

  it("keeps a null-prototype mapping null-prototype and never reads inherited properties", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const out = applyOverrides({ bare }, { "bare.b": 2, toString: "x", "x.hasOwnProperty": 1 }) as Record<
      string,
      Record<string, unknown>
    >;
    expect(Object.getPrototypeOf(out.bare)).toBeNull();
    expect({ ...out.bare }).toEqual({ a: 1, b: 2 });
    expect(out.toString).toBe("x");
    expect(out.x).toEqual({ hasOwnProperty: 1 });
  });

  it("property: the input never changes, the result has every override, everything else is shared", () => {
    const leaf = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 3 }));
    const keys = fc.constantFrom("a", "b", "c", "0", "1");
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.dictionary(keys, tie("node"), { maxKeys: 3 }),
        fc.array(tie("node"), { maxLength: 3 }),
      ),
    })).node;
    const overrides = fc.dictionary(
      fc.array(keys, { minLength: 1, maxLength: 4 }).map((k) => k.join(".")),
      fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(fc.dictionary(keys, tree, { maxKeys: 3 }), overrides, (data, map) => {
        const before = structuredClone(data);
        deepFreeze(data);
        let out: Record<string, unknown>;
        try {
          out = applyOverrides(data, map) as Record<string, unknown>;
        } catch (error) {
          if (!isConfigValidationError(error)) throw error;
          expect(error.code).toBe("INVALID_OVERRIDE");
          expect(data).toEqual(before);
          return;
        }
        expect(data).toEqual(before);
        expect(findDroppedOverrides(out, map)).toEqual([]);
        for (const [key, value] of Object.entries(map)) {
          const got = key.split(".").reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], out);
          expect(got).toEqual(value);
        }
        for (const key of Object.keys(data)) {
          if (!Object.keys(map).some((path) => path.split(".")[0] === key)) expect(out[key]).toBe(data[key]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
