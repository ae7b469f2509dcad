import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deepFreeze, deepFreezeInSlices, diffConfigs, shareInSlices, shareStructure } from "./share.js";

describe("shareStructure", () => {
  it("returns the previous value itself when the next deep-equals it", () => {
    const prev = { a: { b: [1, 2, { c: "x" }] }, d: null };
    const next = structuredClone(prev);
    expect(shareStructure(prev, next)).toBe(prev);
  });

  it("reuses unchanged subtrees and reports the changed leaf", () => {
    const prev = { llms: { a: { t: 0.5 }, b: { t: 0.1 } }, tools: { x: { on: true } } };
    const next = { llms: { a: { t: 0.9 }, b: { t: 0.1 } }, tools: { x: { on: true } } };
    const changed: (string | number)[][] = [];
    const out = shareStructure(prev, next, changed) as typeof prev;
    expect(out).toEqual(next);
    expect(out.tools).toBe(prev.tools);
    expect(out.llms.b).toBe(prev.llms.b);
    expect(out.llms.a).not.toBe(prev.llms.a);
    expect(changed).toEqual([["llms", "a", "t"]]);
  });

  it("reports added and removed keys at the key, and a resized array as a whole", () => {
    expect(diffConfigs({ a: 1, b: { c: 1 } }, { a: 1, d: 2 }).sort()).toEqual(["b", "d"]);
    expect(diffConfigs({ list: [1, 2] }, { list: [1, 2, 3] })).toEqual(["list"]);
    expect(diffConfigs({ list: [1, 2] }, { list: [1, 5] })).toEqual(["list.1"]);
    expect(diffConfigs({ a: { b: 1 } }, { a: [1] })).toEqual(["a"]);
  });

  it("quotes keys that contain dots", () => {
    expect(diffConfigs({ llms: { "gpt-4.1": { t: 1 } } }, { llms: { "gpt-4.1": { t: 2 } } })).toEqual([
      'llms."gpt-4.1".t',
    ]);
  });

  it("never writes through a __proto__ key", () => {
    const next = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const out = shareStructure({ a: 1 }, next) as Record<string, unknown>;
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe("deepFreeze", () => {
  it("freezes every level and skips subtrees that are already frozen", () => {
    const shared = Object.freeze({ x: 1 });
    const value = deepFreeze({ a: { b: [{ c: 1 }] }, shared });
    expect(Object.isFrozen(value.a.b[0])).toBe(true);
    expect(value.shared).toBe(shared);
  });
});

// Small trees over few keys and values, so two of them often share subtrees (and so do a tree and a copy).
const tree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(0, 1, "a", null),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("x", "y", "z", "api_key"), tie("node"), { maxKeys: 3 }),
  ),
})).node;

/** Whether `a` and `b` reuse `prev`'s objects at the same places. */
function sharedAlike(a: unknown, b: unknown, prev: unknown): boolean {
  if (Object.is(a, prev) !== Object.is(b, prev)) return false;
  if (typeof a !== "object" || a === null || typeof prev !== "object" || prev === null) return true;
  const p = prev as Record<string, unknown>;
  return Object.keys(a).every((key) =>
    sharedAlike((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], p[key]),
  );
}

describe("shareInSlices", () => {
  it("gives shareStructure's result, changed paths and sharing, pausing between subtrees", async () => {
    await fc.assert(
      fc.asyncProperty(tree, tree, fc.boolean(), async (prev, other, copy) => {
        const next = copy ? structuredClone(prev) : other;
        const whole: (string | number)[][] = [];
        const expected = shareStructure(prev, structuredClone(next), whole);
        const sliced: (string | number)[][] = [];
        const out = await shareInSlices(prev, next, () => new Promise((resolve) => setImmediate(resolve)), sliced);
        expect(out).toEqual(expected);
        expect(sliced).toEqual(whole);
        expect(sharedAlike(out, expected, prev)).toBe(true);
      }),
    );
  });

  it("hands the loop back between the subtrees two levels down", async () => {
    const llms = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`llm_${i}`, { t: i }]));
    const prev = { llms, general: { a: { b: 1 } } };
    const next = structuredClone(prev);
    next.llms.llm_3 = { t: 9 };
    let pauses = 0;
    const changed: (string | number)[][] = [];
    const out = (await shareInSlices(prev, next, async () => void pauses++, changed)) as typeof prev;
    expect(pauses).toBe(6);
    expect(changed).toEqual([["llms", "llm_3", "t"]]);
    expect(out.llms.llm_2).toBe(prev.llms.llm_2);
    expect(out.general).toBe(prev.general);
  });
});

describe("deepFreezeInSlices", () => {
  it("freezes and hides secrets as deepFreeze does", async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (value) => {
        const whole = deepFreeze(structuredClone(value), ["x"]);
        const sliced = await deepFreezeInSlices(structuredClone(value), ["x"], async () => {});
        expect(sliced).toEqual(whole);
        expect(inspect(sliced, { depth: null })).toBe(inspect(whole, { depth: null }));
        const frozen = (v: unknown): boolean =>
          typeof v !== "object" || v === null || (Object.isFrozen(v) && Object.values(v).every(frozen));
        expect(frozen(sliced)).toBe(true);
      }),
    );
  });
});
