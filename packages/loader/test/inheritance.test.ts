// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` placeholders in plain strings are the input under test.
import { createHash } from "node:crypto";
import { cp, readFile, symlink } from "node:fs/promises";
import { ConfigReloadError, ConfigValidationError } from "@aiq/config-core";
import { describe, expect, it } from "vitest";
import { fileSource, mergeConfigs } from "../src/index.js";
import { caught, FIXTURES, useTempDir } from "./helpers.js";

const tmp = useTempDir();

async function toolkitExample(): Promise<void> {
  await cp(`${FIXTURES}inheritance`, tmp.dir, { recursive: true });
}

describe("base: inheritance (the toolkit's examples/config_inheritance)", () => {
  it("merges a variant over its base, overriding one nested value", async () => {
    await toolkitExample();
    const { data } = await fileSource(tmp.path("config-high-temp.yml")).read();
    expect(data).toEqual({
      general: { telemetry: { logging: { console: { level: "INFO" } } } },
      llms: { nim_llm: { model_name: "meta/llama-3.1-70b-instruct", temperature: 0.9, max_tokens: 1024 } },
      workflow: {
        _type: "react_agent",
        tool_names: ["calculator", "current_datetime"],
        llm_name: "nim_llm",
        verbose: true,
      },
    });
  });

  it("follows a three-level chain and removes every base key", async () => {
    await toolkitExample();
    const source = fileSource(tmp.path("config-high-temp-debug.yml"));
    const { data } = await source.read();
    expect(data).toMatchObject({
      general: { telemetry: { logging: { console: { level: "DEBUG" } } } },
      llms: { nim_llm: { temperature: 0.9, max_tokens: 1024 } },
    });
    expect(data).not.toHaveProperty("base");
    expect(source.files).toEqual([
      tmp.path("config-high-temp-debug.yml"),
      tmp.path("config-high-temp.yml"),
      tmp.path("base-config.yml"),
    ]);
  });

  it("locates each value in the file it was written in", async () => {
    await toolkitExample();
    const { locate } = await fileSource(tmp.path("config-high-temp-debug.yml")).read();
    expect(locate?.(["general", "telemetry", "logging", "console", "level"])).toEqual({
      line: 7,
      column: 16,
      file: tmp.path("config-high-temp-debug.yml"),
    });
    expect(locate?.(["llms", "nim_llm", "temperature"])).toEqual({
      line: 5,
      column: 18,
      file: tmp.path("config-high-temp.yml"),
    });
    expect(locate?.(["llms", "nim_llm", "max_tokens"])).toEqual({
      line: 12,
      column: 17,
      file: tmp.path("base-config.yml"),
    });
    expect(locate?.(["workflow", "tool_names", 1])).toEqual({
      line: 16,
      column: 28,
      file: tmp.path("base-config.yml"),
    });
  });

  it("replaces lists and scalars, merges mappings at any depth, and lets null replace", async () => {
    await tmp.write("base.yml", "a: {b: {c: 1, d: 2}, e: [1, 2, 3]}\nf: {g: 1}\nh: x\n");
    await tmp.write("config.yml", "base: base.yml\na: {b: {d: 3}, e: [9]}\nf: null\nh: {now: map}\n");
    const { data, locate } = await fileSource(tmp.path("config.yml")).read();
    expect(data).toEqual({ a: { b: { c: 1, d: 3 }, e: [9] }, f: null, h: { now: "map" } });
    // The list was replaced: its second item is nowhere, not the base's.
    expect(locate?.(["a", "e", 1])).toBeUndefined();
    expect(locate?.(["a", "b", "c"])).toMatchObject({ file: tmp.path("base.yml") });
  });

  it("resolves base relative to the file's folder, or absolute", async () => {
    await tmp.write("shared/base.yml", "from: shared\nkeep: 1\n");
    await tmp.write("envs/prod/config.yml", "base: ../../shared/base.yml\nfrom: prod\n");
    expect((await fileSource(tmp.path("envs/prod/config.yml")).read()).data).toEqual({ from: "prod", keep: 1 });
    await tmp.write("abs.yml", `base: ${tmp.path("shared/base.yml")}\n`);
    expect((await fileSource(tmp.path("abs.yml")).read()).data).toEqual({ from: "shared", keep: 1 });
  });

  it("mixes formats and interpolates the base path", async () => {
    await tmp.write("base.json", '{"a": 1, "b": {"c": 2}}');
    await tmp.write("config.yml", "base: ${BASE:-base.json}\nb: {d: 3}\n");
    expect((await fileSource(tmp.path("config.yml"), { env: {} }).read()).data).toEqual({ a: 1, b: { c: 2, d: 3 } });
  });

  it("hashes every file of the chain, so a change to the base changes the checksum", async () => {
    await tmp.write("base.yml", "a: 1\n");
    const config = await tmp.write("config.yml", "base: base.yml\nb: 2\n");
    const source = fileSource(config);
    const first = await source.read();
    await tmp.write("base.yml", "a: 2\n");
    const second = await source.read();
    expect(second.data).toEqual({ a: 2, b: 2 });
    expect(second.checksum).not.toBe(first.checksum);
    expect(first.checksum).not.toBe(
      createHash("sha256")
        .update(await readFile(config))
        .digest("hex"),
    );
  });

  it("updates files after each read: a base added, a base removed", async () => {
    const config = await tmp.write("config.yml", "a: 1\n");
    const source = fileSource(config);
    await source.read();
    expect(source.files).toEqual([config]);
    await tmp.write("base.yml", "b: 1\n");
    await tmp.write("config.yml", "base: base.yml\na: 1\n");
    await source.read();
    expect(source.files).toEqual([config, tmp.path("base.yml")]);
    await tmp.write("config.yml", "a: 1\n");
    await source.read();
    expect(source.files).toEqual([config]);
  });

  it("reports a missing base as ENOENT naming it, and lists it in files so its creation can be watched", async () => {
    const config = await tmp.write("config.yml", "base: nowhere.yml\na: 1\n");
    const source = fileSource(config);
    const error = await caught(() => source.read());
    expect(error).toBeInstanceOf(ConfigReloadError);
    expect(error).toMatchObject({ code: "ENOENT", sourceId: tmp.path("nowhere.yml") });
    expect(source.files).toEqual([config, tmp.path("nowhere.yml")]);
  });

  it("reports parse errors in a base file with the base file's path and line", async () => {
    await tmp.write("base.yml", "a: 1\na: 2\n");
    await tmp.write("config.yml", "base: base.yml\n");
    const error = await caught(() => fileSource(tmp.path("config.yml")).read());
    expect(error).toMatchObject({ code: "DUPLICATE_KEY", issues: [{ file: tmp.path("base.yml"), line: 2 }] });
  });
});

describe("base: cycles and bad references", () => {
  async function baseError(name: string): Promise<ConfigValidationError> {
    const error = await caught(() => fileSource(tmp.path(name)).read());
    expect(error).toBeInstanceOf(ConfigValidationError);
    return error as ConfigValidationError;
  }

  it("rejects a -> b -> a with BASE_CYCLE naming the files", async () => {
    await tmp.write("a.yml", "base: b.yml\nx: 1\n");
    await tmp.write("b.yml", "base: a.yml\ny: 1\n");
    const error = await baseError("a.yml");
    expect(error.code).toBe("BASE_CYCLE");
    expect(error.issues).toEqual([
      {
        path: "base",
        file: tmp.path("b.yml"),
        line: 1,
        column: 7,
        message: `base files form a cycle: ${tmp.path("a.yml")} -> ${tmp.path("b.yml")} -> ${tmp.path("a.yml")}`,
        frame: ["> 1 | base: a.yml", "    |       ^", "  2 | y: 1"].join("\n"),
      },
    ]);
  });

  it("rejects a file that is its own base, and a cycle through a symlink", async () => {
    await tmp.write("self.yml", "base: self.yml\n");
    expect((await baseError("self.yml")).code).toBe("BASE_CYCLE");
    await tmp.write("real.yml", "base: link.yml\n");
    await symlink(tmp.path("real.yml"), tmp.path("link.yml"));
    expect((await baseError("real.yml")).code).toBe("BASE_CYCLE");
  });

  it("rejects a chain longer than 32 files with RESOURCE_LIMIT", async () => {
    for (let i = 0; i < 40; i++) await tmp.write(`c${i}.yml`, `base: c${i + 1}.yml\nv${i}: ${i}\n`);
    await tmp.write("c40.yml", "end: true\n");
    expect((await baseError("c0.yml")).code).toBe("RESOURCE_LIMIT");
    expect((await fileSource(tmp.path("c10.yml")).read()).data).toMatchObject({ v10: 10, v39: 39, end: true });
  });

  const bad: [string, string, RegExp][] = [
    ["a number", "base: 3\n", /path of a config file/],
    ["an empty value", "base:\n", /path of a config file/],
    ["a list", "base: [a.yml, b.yml]\n", /path of a config file/],
    ["an https URL", "base: https://example.com/base.yml\n", /URLs are not supported/],
    ["a gh: URL", "base: gh:org/repo/base.yml\n", /URLs are not supported/],
    ["a file that is not a config file", "base: ../../../../../../etc/passwd\n", /must be \.yml, \.yaml or \.json/],
  ];
  it.each(bad)("rejects %s as base, at the base key", async (_name, text, message) => {
    await tmp.write("config.yml", text);
    const error = await baseError("config.yml");
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: "base",
        file: tmp.path("config.yml"),
        line: 1,
        message: expect.stringMatching(message),
      }),
    ]);
  });

  it("rejects a base file whose top level is not a mapping", async () => {
    await tmp.write("base.yml", "- a\n- b\n");
    await tmp.write("config.yml", "base: base.yml\n");
    const error = await baseError("config.yml");
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.issues[0]).toMatchObject({ file: tmp.path("base.yml"), line: 1, column: 1 });
  });
});

describe("base: file-borne prototype pollution", () => {
  it("merges __proto__ and constructor.prototype keys as plain data, never onto a prototype", async () => {
    const before = Object.getOwnPropertyNames(Object.prototype);
    await tmp.write(
      "base.yml",
      "__proto__:\n  polluted: base\nconstructor:\n  prototype:\n    polluted: base\nn:\n  __proto__: {polluted: base}\n",
    );
    await tmp.write(
      "config.json",
      '{"base": "base.yml", "__proto__": {"polluted": true, "x": 1}, "constructor": {"prototype": {"polluted": true}}, "n": {"__proto__": {"y": 1}}}',
    );
    const { data } = await fileSource(tmp.path("config.json")).read();
    const record = data as Record<string, Record<string, unknown>>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(before);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(record, "__proto__")?.value).toEqual({ polluted: true, x: 1 });
    expect(Object.getOwnPropertyDescriptor(record.n, "__proto__")?.value).toEqual({ polluted: "base", y: 1 });
    expect(record.constructor).toEqual({ prototype: { polluted: true } });
  });

  it("mergeConfigs leaves its inputs unchanged", () => {
    const base = { a: { b: 1 } };
    const override = { a: { c: 2 } };
    expect(mergeConfigs(base, override)).toEqual({ a: { b: 1, c: 2 } });
    expect(base).toEqual({ a: { b: 1 } });
    expect(override).toEqual({ a: { c: 2 } });
  });
});
