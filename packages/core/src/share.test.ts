import { describe, expect, it } from "vitest";
import { deepFreeze, diffConfigs, shareStructure } from "./share.js";

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
