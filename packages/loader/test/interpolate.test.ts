// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` placeholders in plain strings are the input under test.
import { describe, expect, it } from "vitest";
import { parseYamlScalar as resolveCoreScalar } from "@aiq/config-core";
import { interpolateEnv, parseConfig } from "../src/index.js";

describe("interpolateEnv", () => {
  const env = { HOST: "example.com", EMPTY: "", PORT: "9000" };
  const cases: [string, string, string[]][] = [
    ["${HOST}", "example.com", []],
    ["http://${HOST}:${PORT}/v1", "http://example.com:9000/v1", []],
    ["${MISSING}", "", ["MISSING"]],
    ["a${MISSING}b${ALSO}", "ab", ["MISSING", "ALSO"]],
    ["${MISSING:-fallback}", "fallback", []],
    ["${EMPTY:-fallback}", "fallback", []],
    ["${EMPTY-fallback}", "", []],
    ["${MISSING-fallback}", "fallback", []],
    ["${HOST:-fallback}", "example.com", []],
    ["${MISSING:-}", "", []],
    ["${MISSING:-http://${HOST}:${PORT}}", "http://example.com:9000", []],
    ["${MISSING:-${ALSO}}", "", ["ALSO"]],
    ["${HOST:-${UNUSED}}", "example.com", []],
    ["${MISSING:-a:b-c}", "a:b-c", []],
    ["$${HOST}", "${HOST}", []],
    ["price: $5 and $HOST", "price: $5 and $HOST", []],
    ["${not valid}", "${not valid}", []],
    ["${1ABC}", "${1ABC}", []],
    ["${HOST:?required}", "${HOST:?required}", []],
    ["${UNCLOSED", "${UNCLOSED", []],
    ["${}", "${}", []],
  ];
  it.each(cases)("%s -> %s", (text, value, unset) => {
    expect(interpolateEnv(text, env)).toMatchObject({ value, unset });
  });

  it("says when the whole string was one placeholder", () => {
    expect(interpolateEnv("${PORT:-1}", env).whole).toBe(true);
    expect(interpolateEnv("${PORT}x", env).whole).toBe(false);
    expect(interpolateEnv("${PORT}${PORT}", env).whole).toBe(false);
    expect(interpolateEnv("${PORT}}", env).whole).toBe(false);
  });

  it("does not read inherited properties as variables", () => {
    expect(interpolateEnv("${constructor}${toString}", {})).toEqual({
      value: "",
      unset: ["constructor", "toString"],
      whole: false,
    });
  });

  it("stays linear on pathological input", () => {
    const text = "${A:-".repeat(20_000);
    const started = performance.now();
    expect(interpolateEnv(text, {}).value).toBe(text);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("resolveCoreScalar", () => {
  const cases: [string, unknown][] = [
    ["8080", 8080],
    ["-12", -12],
    ["0.7", 0.7],
    ["1e3", 1000],
    ["0x1F", 31],
    ["0o17", 15],
    [".inf", Number.POSITIVE_INFINITY],
    ["-.Inf", Number.NEGATIVE_INFINITY],
    ["true", true],
    ["False", false],
    ["null", null],
    ["~", null],
    ["", ""],
    ["yes", "yes"],
    ["no", "no"],
    ["[1, 2]", "[1, 2]"],
    ["{a: 1}", "{a: 1}"],
    ["a: b", "a: b"],
    [" 8080", " 8080"],
    ["1_000", "1_000"],
  ];
  it.each(cases)("%j -> %j", (text, value) => {
    expect(resolveCoreScalar(text)).toEqual(value);
  });

  it("types .nan as NaN", () => {
    expect(resolveCoreScalar(".nan")).toBeNaN();
  });
});

describe("parseConfig: interpolation in YAML values", () => {
  const file = "/cfg/config.yml";

  it("types an unquoted scalar that is exactly one placeholder as a core scalar", () => {
    const text = "port: ${PORT:-8080}\nflag: ${FLAG:-true}\nnothing: ${NOTHING:-null}\nratio: ${RATIO}\n";
    const { data } = parseConfig(text, { filename: file, env: { RATIO: "0.25" } });
    expect(data).toEqual({ port: 8080, flag: true, nothing: null, ratio: 0.25 });
  });

  it("keeps quoted, block and mixed scalars as strings", () => {
    const text = "a: \"${PORT:-8080}\"\nb: '${PORT:-8080}'\nc: |\n  ${PORT:-8080}\nd: port ${PORT:-8080}\n";
    expect(parseConfig(text, { filename: file, env: {} }).data).toEqual({
      a: "8080",
      b: "8080",
      c: "8080\n",
      d: "port 8080",
    });
  });

  it("never lets an environment value inject YAML structure", () => {
    const env = { V: "{admin: true}", L: "[1, 2]", M: "a: b\nc: d", A: "*anchor" };
    const { data } = parseConfig("v: ${V}\nl: ${L}\nm: ${M}\na: ${A}\n", { filename: file, env });
    expect(data).toEqual({ v: "{admin: true}", l: "[1, 2]", m: "a: b\nc: d", a: "*anchor" });
  });

  it("keeps an unset variable as an empty string and warns with its name and path, never a value", () => {
    const text =
      "llms:\n  main:\n    api_key: ${OPENAI_API_KEY}\n    base_url: https://${HOST}/v1\n    model: ${MODEL:-gpt-4o}\n";
    const { data, warnings } = parseConfig(text, { filename: file, env: { SECRET: "sk-CANARY" } });
    expect(data).toEqual({ llms: { main: { api_key: "", base_url: "https:///v1", model: "gpt-4o" } } });
    expect(warnings).toEqual([
      '/cfg/config.yml:3:14 llms.main.api_key: environment variable OPENAI_API_KEY is not set and has no default; using ""',
      '/cfg/config.yml:4:15 llms.main.base_url: environment variable HOST is not set and has no default; using ""',
    ]);
  });

  it("interpolates in lists and in anchored values once, which aliases then share", () => {
    const { data, warnings } = parseConfig("d: &d {url: '${HOST}'}\na: *d\nl:\n  - ${X:-1}\n  - '${X:-1}'\n", {
      filename: file,
      env: { HOST: "h" },
    });
    expect(data).toEqual({ d: { url: "h" }, a: { url: "h" }, l: [1, "1"] });
    expect(warnings).toEqual([]);
  });

  it("cannot see an unquoted placeholder inside a flow collection: { and } are YAML syntax there", () => {
    expect(() => parseConfig("l: [${X:-1}]\n", { filename: file, env: {} })).toThrow(/closing quote, bracket or brace/);
  });

  it("leaves keys alone", () => {
    expect(parseConfig("${KEY}: v\n", { filename: file, env: { KEY: "k" } }).data).toEqual({ "${KEY}": "v" });
  });

  it("reads process.env by default", () => {
    const name = `AIQ_LOADER_TEST_${process.pid}`;
    process.env[name] = "from-env";
    try {
      expect(parseConfig(`v: \${${name}}\n`, { filename: file }).data).toEqual({ v: "from-env" });
    } finally {
      delete process.env[name];
    }
  });
});
