import {
  PROTOTYPE_POLLUTION_PATHS,
  type PrototypeNames,
  plantedKeys,
  prototypeNames,
  RESERVED_KEYS,
} from "@aiq/config-testing";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { isConfigValidationError } from "./errors.js";
import { setAtPath } from "./override-set.js";
import { applyOverrides, parseOverridePath } from "./overrides.js";

// RELIABILITY 31: override paths that put __proto__, constructor or prototype anywhere are rejected with
// INVALID_PATH, and nothing global changes. Also run under `node --disable-proto=throw`.

const RESERVED = RESERVED_KEYS;
let baseline: PrototypeNames;

function expectNoPollution(): void {
  expect(plantedKeys()).toEqual([]);
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  expect(prototypeNames()).toEqual(baseline);
}

function expectInvalidPath(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isConfigValidationError(caught), `expected INVALID_PATH, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe("INVALID_PATH");
}

// Documents that tempt a naive setter: own "__proto__" keys (as JSON.parse makes them) and plain data.
const documents = [
  () => ({}),
  () => ({ a: { b: { c: 1 } } }),
  () => JSON.parse('{"__proto__": {"x": 0}, "a": {"__proto__": {"x": 0}, "b": {}}}') as unknown,
  () => Object.freeze({ constructor: { prototype: {} }, a: [{ b: {} }] }),
];

const plainKey = fc.constantFrom("a", "b", "llms", "0", "x");
const reserved = fc.constantFrom(...RESERVED);
// Spellings of a reserved key in a dotted path: bare, quoted, bracketed, and unicode-escaped (bare or quoted).
const spelled = fc
  .tuple(reserved, fc.constantFrom("bare", "quoted", "bracket", "bracket-quoted", "escaped", "escaped-quoted"))
  .map(([key, form]) => {
    const escaped = key.replace(/_/g, "\\u005f").replace(/o/g, "\\u006f");
    switch (form) {
      case "quoted":
        return `"${key}"`;
      case "bracket":
        return `[${key}]`;
      case "bracket-quoted":
        return `["${key}"]`;
      case "escaped":
        return escaped;
      case "escaped-quoted":
        return `"${escaped}"`;
      default:
        return key;
    }
  });
const hostilePath = fc
  .tuple(fc.array(plainKey, { maxLength: 3 }), spelled, fc.array(fc.oneof(plainKey, spelled), { maxLength: 3 }))
  .map(([before, bad, after]) => [...before, bad, ...after, "x"].join("."));

describe("override prototype pollution (RELIABILITY 31)", () => {
  beforeAll(() => {
    baseline = prototypeNames();
  });
  afterEach(() => {
    expectNoPollution();
  });

  it.each(PROTOTYPE_POLLUTION_PATHS)("rejects %s with INVALID_PATH", (path) => {
    for (const document of documents) {
      expectInvalidPath(() => applyOverrides(document(), { [path]: "1" }));
      expectInvalidPath(() => applyOverrides(document(), { [path]: true, ok: 1 }));
      expectNoPollution();
    }
    expectInvalidPath(() => parseOverridePath(path));
  });

  it("property: any path with a reserved key in any position and any spelling is rejected, and nothing global changes", () => {
    fc.assert(
      fc.property(
        hostilePath,
        fc.constantFrom(...documents),
        fc.oneof(fc.constant("1"), fc.constant(true), fc.constant(null)),
        (path, document, value) => {
          expectInvalidPath(() => applyOverrides(document(), { [path]: value }));
          expectInvalidPath(() => parseOverridePath(path));
          expectNoPollution();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("rejects reserved keys in array-typed path input, including arrays and objects that stringify to them", () => {
    const sneaky = { toString: () => "__proto__" };
    const paths: unknown[][] = [
      ["__proto__", "x"],
      ["a", "constructor", "prototype", "x"],
      [["__proto__"], "x"],
      [sneaky, "x"],
      ["a", 0, "prototype"],
    ];
    for (const path of paths) {
      for (const document of documents) {
        const result = setAtPath(document(), path as (string | number)[], 1, new WeakSet());
        expect(result.ok).toBe(false);
      }
      expectInvalidPath(() => parseOverridePath(path as unknown as string));
      expectNoPollution();
    }
  });

  it("property: array-typed paths with a reserved key anywhere never write", () => {
    const segments = fc.tuple(
      fc.array(plainKey, { maxLength: 3 }),
      reserved,
      fc.array(fc.oneof(plainKey, reserved), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(segments, fc.constantFrom(...documents), ([before, bad, after], document) => {
        const result = setAtPath(document(), [...before, bad, ...after, "x"], 1, new WeakSet());
        expect(result.ok).toBe(false);
        expectNoPollution();
      }),
      { numRuns: 500 },
    );
  });

  it("keeps a document's own __proto__ key as plain data when overriding next to it", () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "a": {"b": 1}}') as Record<string, unknown>;
    const out = applyOverrides(data, { "a.b": 2 }) as Record<string, unknown>;
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.a).toEqual({ b: 2 });
  });
});
