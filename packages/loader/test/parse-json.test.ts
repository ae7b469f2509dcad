// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` placeholders in plain strings are the input under test.
import type { ConfigValidationError } from "@aiq/config-core";
import { describe, expect, it } from "vitest";
import { thrownValidationError } from "../../../tests/support/validation-error.js";
import { parseConfig } from "../src/index.js";
import { everythingShown } from "./helpers.js";

const json = { filename: "/cfg/config.json", env: {} };

const parseError = (text: string, options: Partial<Parameters<typeof parseConfig>[1]> = {}): ConfigValidationError =>
  thrownValidationError(() => parseConfig(text, { ...json, ...options }));

describe("parseConfig: JSON", () => {
  it("parses JSON exactly as JSON.parse does", () => {
    const text =
      '{"llms":{"main":{"temperature":0.7,"stop":["\\n","\\u00e9"],"seed":null,"on":true,"big":1e400}},"enabled":"no"}';
    expect(parseConfig(text, json).data).toEqual(JSON.parse(text));
  });

  it("strips a UTF-8 byte order mark", () => {
    expect(parseConfig('\uFEFF{"a": 1}', json).data).toEqual({ a: 1 });
  });

  it("parses CRLF and tab-indented JSON", () => {
    expect(parseConfig('{\r\n\t"a": {\r\n\t\t"b": [1, 2]\r\n\t}\r\n}\r\n', json).data).toEqual({ a: { b: [1, 2] } });
  });

  it("rejects duplicate keys with DUPLICATE_KEY, like YAML, with the key's path and place", () => {
    const error = parseError('{\n  "llms": {\n    "main": {"t": 1,\n      "t": 2}\n  }\n}');
    expect(error.code).toBe("DUPLICATE_KEY");
    expect(error.issues).toEqual([
      expect.objectContaining({ path: "llms.main.t", line: 4, column: 7, file: "/cfg/config.json" }),
    ]);
    expect(parseError('{"a":1,"a":2}').code).toBe("DUPLICATE_KEY");
  });

  const broken: [string, string, string, number, number, RegExp][] = [
    ["a missing value", '{"api_key": "sk-CANARY-123", "a": }', "a", 1, 35, /expected a value/],
    ["a trailing comma", '{"api_key": "sk-CANARY-123",\n}', "", 2, 1, /property name/],
    ["a missing comma", '{"api_key": "sk-CANARY-123" "b": 1}', "api_key", 1, 29, /expected ',' or '}'/],
    ["an unquoted key", '{api_key: "sk-CANARY-123"}', "api_key", 1, 2, /property name/],
    ["a raw tab in a string", '{"api_key": "sk-CANARY\t-123"}', "api_key", 1, 23, /control character/],
    ["a bad escape", '{"api_key": "sk-CANARY-\\x123"}', "api_key", 1, 24, /invalid escape/],
    // Reported where the string opens (the mistake), not where the scan ran out of text.
    [
      "an unterminated string",
      '{"api_key": "sk-CANARY-123',
      "api_key",
      1,
      13,
      /unclosed string: the string that opens here has no closing/,
    ],
    [
      "a string not closed on its line",
      '{"model": "m,\n "api_key": "sk-CANARY-123"}',
      "model",
      1,
      11,
      /unclosed string/,
    ],
    ["content after the value", '{"api_key": "sk-CANARY-123"} x', "", 1, 30, /after the JSON value/],
    ["a single quote", "{'api_key': 'sk-CANARY-123'}", "api_key", 1, 2, /property name/],
  ];
  it.each(broken)(
    "reports %s as SYNTAX at its place with its path and a frame, never quoting the text",
    (_name, text, path, line, column, message) => {
      const error = parseError(text);
      expect(error.code).toBe("SYNTAX");
      const frame = expect.stringMatching(new RegExp(`^(?:.*\\n)?> +${line} \\|.*\\n +\\| {${column}}\\^`));
      expect(error.issues).toEqual([
        { path, file: "/cfg/config.json", line, column, message: expect.stringMatching(message), frame },
      ]);
      expect(everythingShown(error)).not.toContain("CANARY");
      expect(error.cause).toBeUndefined();
    },
  );

  it("rejects JSON nested 100,000 deep with RESOURCE_LIMIT, no RangeError", () => {
    const depth = 100_000;
    const error = parseError(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
    expect(error.code).toBe("RESOURCE_LIMIT");
    expect(error.issues[0]).toMatchObject({ line: 1, column: 256 * 5 + 1 });
    expect(parseError(`${"[".repeat(depth)}${"]".repeat(depth)}`).code).toBe("RESOURCE_LIMIT");
  });

  it("ignores brackets inside strings when measuring depth", () => {
    expect(parseConfig(`{"a": "${"[".repeat(1000)}"}`, { ...json, maxDepth: 2 }).data).toEqual({ a: "[".repeat(1000) });
  });

  it("keeps __proto__ and constructor.prototype as own data, root and nested", () => {
    const text =
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "n": {"__proto__": {"polluted": true}}}';
    const { data } = parseConfig(text, json);
    const record = data as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(["__proto__", "constructor", "n"]);
    expect(Object.hasOwn(record.n as object, "__proto__")).toBe(true);
  });

  it("interpolates strings but never types them (JSON strings are quoted)", () => {
    const { data, warnings } = parseConfig('{"port": "${PORT:-8080}", "url": "http://${HOST}/", "n": 5}', {
      ...json,
      env: {},
    });
    expect(data).toEqual({ port: "8080", url: "http:///", n: 5 });
    expect(warnings).toEqual([
      '/cfg/config.json:1:34 url: environment variable HOST is not set and has no default; using ""',
    ]);
  });

  it("locates nested values, array items and keys with empty values", () => {
    const { locate } = parseConfig(
      '{\n  "llms": {\n    "main": {"temperature": 0.7, "stop": ["a", "b"]}\n  }\n}',
      json,
    );
    expect(locate(["llms", "main", "temperature"])).toEqual({ line: 3, column: 29, file: "/cfg/config.json" });
    expect(locate(["llms", "main", "stop", 1])).toEqual({ line: 3, column: 48, file: "/cfg/config.json" });
    expect(locate(["llms", "missing"])).toBeUndefined();
  });
});
