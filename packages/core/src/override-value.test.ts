import fc from "fast-check";
import { describe, expect, it } from "vitest";
// Test-only oracle (a root devDependency): core itself never depends on yaml.
import { parse as parseYaml } from "yaml";
import { parseYamlScalar, type ScalarType, typeOverrideValue } from "./override-value.js";

describe("parseYamlScalar (YAML 1.2 core schema)", () => {
  it.each([
    ["null", null],
    ["Null", null],
    ["NULL", null],
    ["~", null],
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["false", false],
    ["FALSE", false],
    ["0", 0],
    ["-12", -12],
    ["+7", 7],
    ["0x1F", 31],
    ["0o17", 15],
    ["0.7", 0.7],
    [".5", 0.5],
    ["1.", 1],
    ["1e3", 1000],
    ["-2.5E-1", -0.25],
    [".inf", Number.POSITIVE_INFINITY],
    ["-.Inf", Number.NEGATIVE_INFINITY],
    ["+.INF", Number.POSITIVE_INFINITY],
    ["", ""],
    ["yes", "yes"],
    ["no", "no"],
    ["nULL", "nULL"],
    ["tRue", "tRue"],
    ["1_000", "1_000"],
    ["0x", "0x"],
    ["0b101", "0b101"],
    ["-0x10", "-0x10"],
    ["1.2.3", "1.2.3"],
    ["gpt-4.1", "gpt-4.1"],
    ["0.7 ", "0.7 "],
  ])("reads %j as %j", (text, expected) => {
    expect(parseYamlScalar(text)).toEqual(expected);
  });

  it("reads .nan as NaN", () => {
    expect(parseYamlScalar(".nan")).toBeNaN();
    expect(parseYamlScalar(".NaN")).toBeNaN();
  });

  it("agrees with the yaml package on every plain scalar it reads", () => {
    const digits = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF".split("")), maxLength: 4 });
    const numberLike = fc.tuple(
      fc.constantFrom("", "+", "-"),
      fc.constantFrom("", "0x", "0o", "0"),
      digits,
      fc.constantFrom("", ".", "."),
      digits,
      fc.constantFrom("", "e", "E-", "e+"),
      digits,
    );
    const token = fc.constantFrom(
      ..."0123456789+-.eExXoOabcfinlNrtuTF~_ ".split(""),
      "null",
      "true",
      "inf",
      "nan",
      "0x",
      "0o",
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(token, { minLength: 1, maxLength: 8 }), numberLike), (parts) => {
        const text = parts.join("");
        // YAML trims a plain scalar; an override value keeps its spaces (and so stays a string).
        if (text.trim() !== text) return;
        let expected: unknown;
        try {
          expected = parseYaml(text, { schema: "core" });
        } catch {
          return; // not a plain scalar (e.g. "- x" is a list)
        }
        // Only compare where YAML also reads one plain scalar of the same text.
        if (typeof expected === "object" && expected !== null) return;
        if (expected === null && !/^(?:~|null|Null|NULL)$/.test(text)) return; // comments, empty scalars
        if (typeof expected === "string" && expected !== text) return; // YAML cut a comment
        expect(parseYamlScalar(text)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

const none = { found: false } as const;
const types = (...list: ScalarType[]): Set<ScalarType> => new Set(list);

describe("typeOverrideValue", () => {
  it("keeps numbers, booleans and null as they are", () => {
    expect(typeOverrideValue(0.7, types("string"), none)).toBe(0.7);
    expect(typeOverrideValue(true, types("string"), none)).toBe(true);
    expect(typeOverrideValue(null, types("number"), none)).toBeNull();
  });

  it("keeps a quoted value as the string inside the quotes, whatever the schema wants", () => {
    expect(typeOverrideValue('"0.7"', types("number"), none)).toBe("0.7");
    expect(typeOverrideValue("'true'", undefined, { found: true, value: false })).toBe("true");
    expect(typeOverrideValue('""', undefined, none)).toBe("");
    expect(typeOverrideValue('"', undefined, none)).toBe('"');
  });

  it("types by the schema first", () => {
    expect(typeOverrideValue("0.7", types("number"), { found: true, value: "x" })).toBe(0.7);
    expect(typeOverrideValue("0.7", types("string"), { found: true, value: 1 })).toBe("0.7");
    expect(typeOverrideValue("true", types("string", "number"), none)).toBe("true");
    expect(typeOverrideValue("null", types("number", "null"), none)).toBeNull();
    expect(typeOverrideValue("null", types("string"), none)).toBe("null");
  });

  it("keeps text the schema's type cannot take, for validation to report", () => {
    expect(typeOverrideValue("abc", types("number"), none)).toBe("abc");
    expect(typeOverrideValue("yes", types("boolean"), none)).toBe("yes");
  });

  it("types by the replaced value when the schema cannot tell", () => {
    expect(typeOverrideValue("0.8", undefined, { found: true, value: 0.5 })).toBe(0.8);
    expect(typeOverrideValue("0.8", undefined, { found: true, value: "0.5" })).toBe("0.8");
    expect(typeOverrideValue("false", undefined, { found: true, value: true })).toBe(false);
    expect(typeOverrideValue("null", undefined, { found: true, value: "text" })).toBe("null");
    expect(typeOverrideValue("0.8", new Set(), { found: true, value: "0.5" })).toBe("0.8");
  });

  it("falls back to the YAML reading when nothing else tells", () => {
    expect(typeOverrideValue("0.7", undefined, none)).toBe(0.7);
    expect(typeOverrideValue("true", undefined, none)).toBe(true);
    expect(typeOverrideValue("null", undefined, none)).toBeNull();
    expect(typeOverrideValue("gpt-4o", undefined, none)).toBe("gpt-4o");
    expect(typeOverrideValue("", undefined, none)).toBe("");
    expect(typeOverrideValue("null", undefined, { found: true, value: 0.5 })).toBeNull();
  });
});
