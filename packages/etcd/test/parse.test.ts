import { formatIssue } from "@aiq/config-core";
import { describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { etcdValueFormat, parseEtcdValue } from "../src/index.js";

describe("parseEtcdValue: a value parsed as every process following the key parses it", () => {
  it("reads YAML, or JSON when the key ends in .json, with positions, placeholders filled from env and the revision", () => {
    expect(etcdValueFormat("aiq/prod/agent.yml")).toBe("yaml");
    expect(etcdValueFormat("aiq/prod/agent.JSON")).toBe("json");
    const yaml = parseEtcdValue(`llms:\n  main:\n    api_key: \${KEY}\n`, {
      key: "aiq/agent.yml",
      revision: "7",
      env: { KEY: "from-env" },
    });
    expect(yaml.data).toEqual({ llms: { main: { api_key: "from-env" } } });
    expect(yaml.revision).toBe("7");
    expect(yaml.locate?.(["llms", "main", "api_key"])).toMatchObject({ line: 3 });
    const json = parseEtcdValue(Buffer.from('{"llms": {}}'), { key: "aiq/agent.json" });
    expect(json.data).toEqual({ llms: {} });
    expect(json.revision).toBeUndefined();
    // The same text under a .json key is not JSON: what the fleet would refuse.
    expect(() => parseEtcdValue("llms: {}\n", { key: "aiq/agent.json" })).toThrow(
      expect.objectContaining({ code: "SYNTAX" }),
    );
  });

  it("refuses base: with its position, naming the given file (or etcd:<key>@<revision>)", () => {
    const refusal = (filename?: string) => {
      try {
        parseEtcdValue("llms: {}\nbase: other.yml\n", { key: "aiq/agent.yml", revision: "3", filename });
      } catch (error) {
        return error as { code: string; issues: Parameters<typeof formatIssue>[0][] };
      }
      throw new Error("base: was accepted");
    };
    const stored = refusal();
    expect(stored.code).toBe("INVALID_CONFIG");
    expect(formatIssue(must(stored.issues[0], "the issue"))).toBe(
      "etcd:aiq/agent.yml@3:2:7 base: base: is not supported in etcd: store the whole config in the key (merge the base file into it)",
    );
    expect(formatIssue(must(refusal("config.yml").issues[0], "the issue"))).toMatch(/^config\.yml:2:7 base: /);
  });

  it("refuses a value over maxBytes, or bytes that are not UTF-8, before parsing", () => {
    expect(() => parseEtcdValue("x".repeat(11), { key: "k.yml", maxBytes: 10 })).toThrow(
      expect.objectContaining({
        code: "TOO_LARGE",
        message: expect.stringContaining("11 bytes, over the 10-byte limit"),
      }),
    );
    expect(() => parseEtcdValue(Buffer.from([0x61, 0xff, 0x0a]), { key: "k.yml", revision: "4" })).toThrow(
      expect.objectContaining({
        code: "ENCODING",
        message: expect.stringContaining("etcd:k.yml@4 is not valid UTF-8"),
      }),
    );
    // A value cut inside a character is refused, and the next value decodes whole (no state carried over).
    expect(() => parseEtcdValue(Buffer.from([0x61, 0x3a, 0x20, 0xe2, 0x82]), { key: "k.yml" })).toThrow(
      expect.objectContaining({ code: "ENCODING" }),
    );
    expect(parseEtcdValue(Buffer.from("a: é\n"), { key: "k.yml" }).data).toEqual({ a: "é" });
  });
});
