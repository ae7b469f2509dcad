// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` placeholders in plain strings are the input under test.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { interpolateEnv, mergeConfigs, parseConfig } from "../src/index.js";

const name = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);

describe("properties", () => {
  it("JSON files parse exactly as JSON.parse parses them", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value, null, 2);
        expect(parseConfig(text, { filename: "c.json", env: {} }).data).toEqual(JSON.parse(text));
      }),
    );
  });

  it("text without a placeholder is left exactly as it is", () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => !text.includes("${")),
        (text) => {
          expect(interpolateEnv(text, {})).toEqual({ value: text, unset: [], whole: false });
        },
      ),
    );
  });

  // (A prefix ending in "$" would make "$${", the escape for a literal "${".)
  it("a placeholder becomes the variable's value verbatim, never interpolated again", () => {
    fc.assert(
      fc.property(
        name,
        fc.string(),
        fc.string().filter((s) => !s.includes("${") && !s.includes("}") && !s.endsWith("$")),
        (variable, value, prefix) => {
          const result = interpolateEnv(`${prefix}\${${variable}}`, { [variable]: value });
          expect(result.value).toBe(prefix + value);
          expect(result.unset).toEqual([]);
        },
      ),
    );
  });

  it("merging keeps every key, prefers the override, and never touches a prototype", () => {
    const key = fc.constantFrom("a", "b", "__proto__", "constructor", "prototype", "toString");
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })),
        fc.dictionary(key, tie("node"), { maxKeys: 4, noNullPrototype: true }),
      ),
    })).node;
    fc.assert(
      fc.property(
        fc.dictionary(key, tree, { maxKeys: 4 }),
        fc.dictionary(key, tree, { maxKeys: 4 }),
        (base, override) => {
          const merged = mergeConfigs(base, override) as Record<string, unknown>;
          expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
          expect(new Set(Object.keys(merged))).toEqual(new Set([...Object.keys(base), ...Object.keys(override)]));
          for (const k of Object.keys(override)) {
            const value = Object.getOwnPropertyDescriptor(override, k)?.value;
            const isMap = typeof value === "object" && value !== null && !Array.isArray(value);
            if (!isMap) expect(Object.getOwnPropertyDescriptor(merged, k)?.value).toEqual(value);
          }
          expect(({} as Record<string, unknown>).a).toBeUndefined();
          expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("a");
        },
      ),
    );
  });
});
