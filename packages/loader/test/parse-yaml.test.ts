// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` placeholders in plain strings are the input under test.
import { readFile } from "node:fs/promises";
import { ConfigValidationError } from "@aiq/config-core";
import { describe, expect, it } from "vitest";
import { thrownValidationError } from "../../../tests/support/validation-error.js";
import { parseConfig } from "../src/index.js";
import { caught, everythingShown, FIXTURES } from "./helpers.js";

const yml = { filename: "/cfg/config.yml", env: {} };

const parseError = (text: string, options: Partial<Parameters<typeof parseConfig>[1]> = {}): ConfigValidationError =>
  thrownValidationError(() => parseConfig(text, { ...yml, ...options }));

describe("parseConfig: YAML 1.2 core schema", () => {
  it("parses a toolkit config with core-schema types", async () => {
    const text = await readFile(`${FIXTURES}agent.yml`, "utf8");
    const { data, warnings } = parseConfig(text, { filename: "agent.yml", env: { NVIDIA_API_KEY: "nvapi-123" } });
    expect(data).toMatchObject({
      general: { use_uvloop: true, telemetry: { logging: { console: { level: "WARN" } } } },
      llms: {
        nim_llm: {
          temperature: 0,
          max_tokens: 1024,
          api_key: "nvapi-123",
          base_url: "https://integrate.api.nvidia.com/v1",
        },
        openai_llm: { temperature: 0.7, seed: null },
      },
      functions: { wikipedia_search: { enabled: "no" } },
      workflow: { tool_names: ["wikipedia_search", "current_datetime"], max_iterations: 15 },
    });
    expect((data as { workflow: { system_prompt: string } }).workflow.system_prompt).toBe(
      "You are a helpful assistant.\nName tools as ${TOOL_NAME}; never guess.\n",
    );
    expect(warnings).toEqual([]);
  });

  it("keeps YAML 1.1 booleans and sexagesimals as strings, and `<<` as an ordinary key", () => {
    const { data } = parseConfig(
      "a: yes\nb: off\nc: 1:30\nd: 0o17\ne: 0x1F\nf: .inf\nbase: &b {x: 1}\nm:\n  <<: *b\n",
      yml,
    );
    expect(data).toEqual({
      a: "yes",
      b: "off",
      c: "1:30",
      d: 15,
      e: 31,
      f: Number.POSITIVE_INFINITY,
      base: { x: 1 },
      m: { "<<": { x: 1 } },
    });
  });

  it("strips a UTF-8 byte order mark", () => {
    expect(parseConfig("\uFEFFname: bom\n", yml).data).toEqual({ name: "bom" });
  });

  it("parses CRLF line endings exactly as LF, block scalars included", () => {
    const lf = 'a:\n  b: 1\n  text: |\n    one\n    two\n  folded: >\n    x\n    y\n  quoted: "p\n    q"\n';
    const crlf = lf.replaceAll("\n", "\r\n");
    const parsedLf = parseConfig(lf, yml);
    const parsedCrlf = parseConfig(crlf, yml);
    expect(parsedCrlf.data).toEqual(parsedLf.data);
    expect(parsedCrlf.data).toEqual({ a: { b: 1, text: "one\ntwo\n", folded: "x y\n", quoted: "p q" } });
    expect(parsedCrlf.locate(["a", "quoted"])).toEqual(parsedLf.locate(["a", "quoted"]));
  });

  it("refuses an empty file (EMPTY, see empty.test.ts); an explicit null is null", () => {
    expect(() => parseConfig("", yml)).toThrow(expect.objectContaining({ code: "EMPTY" }));
    expect(() => parseConfig("# only a comment\n", yml)).toThrow(expect.objectContaining({ code: "EMPTY" }));
    expect(parseConfig("null\n", yml).data).toBeNull();
  });

  it("rejects a file extension it does not know", () => {
    const error = parseError("a: 1\n", { filename: "config.toml" });
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.issues[0]?.message).toMatch(/\.yml, \.yaml or \.json/);
  });

  it("accepts .yaml and upper-case extensions", () => {
    expect(parseConfig("a: 1\n", { ...yml, filename: "C.YAML" }).data).toEqual({ a: 1 });
  });
});

describe("parseConfig: YAML errors", () => {
  it("reports a syntax error as SYNTAX where the quote opened, with its path and a masked frame, without the source text", () => {
    const error = parseError('llms:\n  main:\n    api_key: "sk-CANARY-123\n    model: x\n');
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.code).toBe("SYNTAX");
    expect(error.issues).toEqual([
      {
        path: "llms.main.api_key",
        file: "/cfg/config.yml",
        line: 3,
        column: 14,
        message: expect.stringMatching(
          /^unclosed ": the quoted value that opens at line 3, column 14 is never closed \(parsing broke at line 5, column 1\)/,
        ),
        frame: [
          "  1 | llms:",
          "  2 |   main:",
          "> 3 |     api_key: ***",
          "    |              ^",
          "  4 |     model: x",
        ].join("\n"),
      },
    ]);
    expect(everythingShown(error)).not.toContain("CANARY");
  });

  it("reports every syntax error once per line, each at its line, the secret on it masked in the frame", () => {
    const error = parseError("a: 1\n]api_key: sk-CANARY\n");
    expect(error.code).toBe("SYNTAX");
    expect(error.issues.map((issue) => [issue.path, issue.line, issue.column])).toEqual([["", 2, 1]]);
    expect(error.issues[0]?.frame).toContain("> 2 | ]api_key: ***");
    expect(everythingShown(error)).not.toContain("CANARY");
  });

  it("rejects duplicate keys with DUPLICATE_KEY and the key's path and place", () => {
    const error = parseError("llms:\n  main:\n    temperature: 0.1\n    temperature: 0.2\n");
    expect(error.code).toBe("DUPLICATE_KEY");
    expect(error.issues).toEqual([
      expect.objectContaining({ path: "llms.main.temperature", line: 4, column: 5, file: "/cfg/config.yml" }),
    ]);
  });

  it("treats keys that become the same property name as duplicates (1 and '1')", () => {
    expect(parseError("1: a\n'1': b\n").code).toBe("DUPLICATE_KEY");
  });

  it("rejects more than one document", () => {
    const error = parseError("a: 1\n---\nb: 2\n");
    expect(error.code).toBe("SYNTAX");
    expect(error.issues[0]?.message).toMatch(/more than one YAML document/);
  });

  it("rejects a collection used as a mapping key", () => {
    const error = parseError("? [a, b]\n: 1\n");
    expect(error.code).toBe("SYNTAX");
    expect(error.issues[0]?.message).toMatch(/mapping key/);
  });
});

describe("parseConfig: tags and directives (nothing executes)", () => {
  const tagged: [string, string][] = [
    ["!!js/function", "run: !!js/function 'function(){ globalThis.pwned = true }'\n"],
    ["!<tag:yaml.org,2002:js/function>", "run: !<tag:yaml.org,2002:js/function> 'function(){}'\n"],
    ["!!python/object", "run: !!python/object:os.system 'rm -rf /'\n"],
    ["!custom", "run: !custom x\n"],
    ["a tag on a collection", "run: !custom [1, 2]\n"],
    ["a tag on a block mapping", "run: !custom\n  a: 1\n"],
    ["a tag in a sequence", "run:\n  - !custom x\n"],
    ["a tag in a flow collection", "run: [a, !custom b]\n"],
    ["a tag on a key", "!custom run: x\n"],
    ["a tag on the root", "--- !custom\na: 1\n"],
    ["a tag on a block scalar", "run: !custom |\n  text\n"],
    ["even a core tag (!!str)", "port: !!str 8080\n"],
    ["the non-specific tag", "port: ! 8080\n"],
  ];
  it.each(tagged)("rejects %s with UNSUPPORTED_TAG", (_name, text) => {
    const error = parseError(text);
    expect(error.code).toBe("UNSUPPORTED_TAG");
    expect(error.issues[0]).toMatchObject({
      file: "/cfg/config.yml",
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it("points at the tag", () => {
    expect(parseError("a: 1\nrun: !!js/function 'f'\n").issues[0]).toMatchObject({ line: 2, column: 6 });
  });

  it("rejects a %YAML 1.1 directive (so `no` and `<<` keep their 1.2 meaning)", () => {
    const error = parseError("%YAML 1.1\n---\nbase: &b {x: 1}\nc:\n  <<: *b\nenabled: no\n");
    expect(error.code).toBe("SYNTAX");
    expect(error.issues[0]).toMatchObject({ line: 1, column: 1 });
    expect(error.issues[0]?.message).toMatch(/YAML 1\.1 is not supported/);
  });

  it("accepts a %YAML 1.2 directive", () => {
    expect(parseConfig("%YAML 1.2\n---\nenabled: no\n", yml).data).toEqual({ enabled: "no" });
  });
});

describe("parseConfig: bounded resources", () => {
  function billionLaughs(): string {
    const names = "abcdefghi";
    let text = `a: &a [${Array(9).fill('"lol"').join(",")}]\n`;
    for (let i = 1; i < names.length; i++) {
      text += `${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(",")}]\n`;
    }
    return text;
  }

  it("rejects a billion laughs quickly, as RESOURCE_LIMIT", () => {
    const text = billionLaughs();
    expect(text.length).toBeLessThan(1024);
    const started = performance.now();
    const error = parseError(text);
    // Bounded, not timed: an expansion of 9^9 leaves would take minutes (speed is measured in bench).
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe("RESOURCE_LIMIT");
    expect(error.issues[0]?.message).toMatch(/maxAliasCount/);
    expect(error.cause).toBeInstanceOf(ReferenceError);
  });

  it("expands a few aliases by default", () => {
    const { data } = parseConfig("d: &d {temperature: 0.5}\nllms:\n  main: *d\n  fallback: *d\n", yml);
    expect(data).toEqual({
      d: { temperature: 0.5 },
      llms: { main: { temperature: 0.5 }, fallback: { temperature: 0.5 } },
    });
  });

  it("rejects any alias with maxAliasCount: 0, at the alias", () => {
    const error = parseError("a: &x 1\nb: *x\n", { maxAliasCount: 0 });
    expect(error.code).toBe("RESOURCE_LIMIT");
    expect(error.issues[0]).toMatchObject({ line: 2, column: 4 });
    expect(parseConfig("a: &x 1\nb: 2\n", { ...yml, maxAliasCount: 0 }).data).toEqual({ a: 1, b: 2 });
  });

  it("rejects an alias inside the node it names (a cycle) and an unknown alias", () => {
    expect(parseError("a: &a [*a]\n").issues[0]?.message).toMatch(/cycle/);
    const unknown = parseError("a: *nope\n");
    expect(unknown.code).toBe("SYNTAX");
    expect(unknown.issues[0]).toMatchObject({ path: "a", line: 1, column: 4 });
  });

  it("names the dotted path of an alias problem or an unset variable deep in the document", () => {
    expect(parseError("x:\n  y:\n    - &a [*a]\n").issues[0]).toMatchObject({ path: "x.y.0.0", line: 3, column: 11 });
    expect(parseError("x:\n  'k.1':\n    - z: *nope\n").issues[0]).toMatchObject({ path: 'x."k.1".0.z', line: 3 });
    const { warnings } = parseConfig("a:\n  b:\n    - c: ${NOPE_VAR_X}\n", { ...yml, env: {} });
    expect(warnings).toEqual([expect.stringContaining("a.b.0.c: environment variable NOPE_VAR_X is not set")]);
  });

  it("rejects 5,000 nested flow sequences with RESOURCE_LIMIT, no RangeError", () => {
    const error = parseError(`${"[".repeat(5000)}1${"]".repeat(5000)}`);
    expect(error.code).toBe("RESOURCE_LIMIT");
    expect(error.issues[0]).toMatchObject({ line: 1, column: 257 });
  });

  it("rejects deep block nesting and honours maxDepth", () => {
    let text = "";
    for (let i = 0; i < 12; i++) text += `${"  ".repeat(i)}k:\n`;
    text += `${"  ".repeat(12)}1\n`;
    expect(parseConfig(text, yml).data).toBeTypeOf("object");
    const error = parseError(text, { maxDepth: 10 });
    expect(error.code).toBe("RESOURCE_LIMIT");
    expect(error.issues[0]?.message).toMatch(/deeper than 10 levels/);
  });

  it("counts the depth aliases add", () => {
    const text = "a: &a [[[[1]]]]\nb: &b [[[[*a]]]]\nc: [[[[*b]]]]\n";
    // The root mapping, c's four lists, b's four, a's four: 13 levels once expanded, 5 as written.
    expect(parseConfig(text, { ...yml, maxDepth: 13 }).data).toBeTypeOf("object");
    const error = parseError(text, { maxDepth: 12 });
    expect(error.code).toBe("RESOURCE_LIMIT");
    expect(error.issues[0]?.message).toMatch(/aliases are expanded/);
  });
});

describe("parseConfig: file-borne prototype pollution", () => {
  it("keeps __proto__, constructor and prototype keys as plain own data", () => {
    const text = [
      "__proto__:\n  polluted: true",
      "constructor:\n  prototype:\n    polluted: true",
      "nested:\n  __proto__:\n    polluted: true\n  constructor:\n    prototype:\n      polluted: true",
      "",
    ].join("\n");
    const before = Object.getOwnPropertyNames(Object.prototype);
    const { data } = parseConfig(text, yml);
    const record = data as Record<string, Record<string, unknown>>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(before);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.hasOwn(record, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(record, "__proto__")?.value).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(record.nested)).toBe(Object.prototype);
    expect(Object.keys(record.nested as object)).toEqual(["__proto__", "constructor"]);
  });
});

describe("parseConfig: messages never carry values", () => {
  it("does not put the secret of a broken line in any message (scenario 33b)", async () => {
    const error = await caught(() => parseConfig("llms:\n  main:\n    api_key: sk-CANARY-123: [\n", yml));
    expect(everythingShown(error)).not.toContain("CANARY");
  });
});
