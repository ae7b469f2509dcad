import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isConfigValidationError } from "./errors.js";
import { formatOverridePath, parseOverridePath } from "./override-path.js";

function pathError(path: string): {
  code: string;
  issues: readonly { path: string; message: string }[];
  message: string;
} {
  try {
    parseOverridePath(path);
  } catch (error) {
    if (!isConfigValidationError(error)) throw error;
    return { code: error.code, issues: error.issues, message: error.message };
  }
  throw new Error(`expected ${JSON.stringify(path)} to be rejected`);
}

describe("parseOverridePath", () => {
  it.each([
    ["llms.main_llm.temperature", ["llms", "main_llm", "temperature"]],
    ['llms."gpt-4.1".temperature', ["llms", "gpt-4.1", "temperature"]],
    ["servers.0.host", ["servers", 0, "host"]],
    ["a.10", ["a", 10]],
    ["a.007", ["a", "007"]],
    ['a."0"', ["a", "0"]],
    ['"a\\"b".c', ['a"b', "c"]],
    ['"back\\\\slash"', ["back\\slash"]],
    ['""', [""]],
    ["with space.x y", ["with space", "x y"]],
    ["a=b", ["a=b"]],
    ["__proto", ["__proto"]],
    ["Constructor", ["Constructor"]],
  ])("reads %s", (path, expected) => {
    expect(parseOverridePath(path)).toEqual(expected);
  });

  it.each([
    ["", "empty path"],
    ["a..b", "empty key at position 3"],
    [".a", "starts with a dot"],
    ["a.", "ends with a dot"],
    ['a."b', "unterminated quote"],
    ['a."b"c', 'needs a "." after the quoted key'],
    ['a"b', "quote inside a key"],
    ["a[0]", 'has "["'],
    ["a\\u005f", "outside quotes"],
    ['"\\u005f_proto__"', "unsupported escape"],
  ])("rejects %j with INVALID_PATH naming it (%s)", (path, why) => {
    const error = pathError(path);
    expect(error.code).toBe("INVALID_PATH");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe(path);
    expect(error.issues[0]?.message).toContain(`override "${path}"`);
    expect(error.issues[0]?.message).toContain(why);
    expect(error.message).toContain(why);
  });

  it("says what a valid path looks like", () => {
    expect(pathError("a..b").issues[0]?.message).toContain('llms."gpt-4.1".temperature');
  });

  it.each([
    "__proto__",
    "constructor",
    "prototype",
    "a.__proto__",
    '"__proto__".x',
    "a.b.constructor.prototype.x",
    'a."prototype"',
  ])("rejects the reserved key in %s", (path) => {
    const error = pathError(path);
    expect(error.code).toBe("INVALID_PATH");
    expect(error.issues[0]?.message).toMatch(/reserved key "(__proto__|constructor|prototype)"/);
  });

  it("rejects a list of keys passed where a string belongs (set-value style bypass)", () => {
    const error = pathError(["__proto__", "x"] as unknown as string);
    expect(error.code).toBe("INVALID_PATH");
    expect(error.issues[0]?.message).toContain('reserved key "__proto__"');
    expect(pathError(["a", "b"] as unknown as string).issues[0]?.message).toContain("must be a dotted string");
  });
});

describe("formatOverridePath", () => {
  it.each([
    [["llms", "main_llm", "temperature"], "llms.main_llm.temperature"],
    [["llms", "gpt-4.1", "temperature"], 'llms."gpt-4.1".temperature'],
    [["servers", 0, "host"], "servers.0.host"],
    [["a", "0"], 'a."0"'],
    [['say "hi"'], '"say \\"hi\\""'],
    [["a[0]"], '"a[0]"'],
    [[""], '""'],
    [[], ""],
    [["a", -1], 'a."-1"'],
  ])("writes %j as %s", (segments, expected) => {
    expect(formatOverridePath(segments)).toBe(expected);
  });

  it("never throws, even for reserved keys found in a document (issues must still be printable)", () => {
    expect(formatOverridePath(["a", "__proto__", "x"])).toBe("a.__proto__.x");
  });
});

const key = fc.oneof(
  fc.string({ minLength: 1, maxLength: 8 }),
  fc.constantFrom(".", '"', "\\", "a.b", '"q"', "[0]", "", "0", "12", "007", " "),
);
const safeKey = key.filter((k) => !["__proto__", "constructor", "prototype"].includes(k));
const segment = fc.oneof(safeKey, fc.nat({ max: 1000 }));

describe("path properties", () => {
  it("parse(format(path)) gives the path back, for any keys and indexes", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        expect(parseOverridePath(formatOverridePath(segments))).toEqual(segments);
      }),
      { numRuns: 500 },
    );
  });

  it("format(parse(text)) is the canonical spelling and parses to the same keys", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        let segments: (string | number)[];
        try {
          segments = parseOverridePath(text);
        } catch (error) {
          // Any string either parses or is rejected with INVALID_PATH; nothing else escapes.
          expect(isConfigValidationError(error) && error.code === "INVALID_PATH").toBe(true);
          return;
        }
        expect(parseOverridePath(formatOverridePath(segments))).toEqual(segments);
      }),
      { numRuns: 1000 },
    );
  });
});
