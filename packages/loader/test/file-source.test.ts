// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` placeholders in plain strings are the input under test.
import { createHash } from "node:crypto";
import { chmod, mkdir, symlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigReloadError, ConfigValidationError } from "@aiq/config-core";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_BYTES, fileSource } from "../src/index.js";
import { caught, everythingShown, useTempDir } from "./helpers.js";

const tmp = useTempDir();
const isRoot = process.getuid?.() === 0;

async function readError(path: string, options: Parameters<typeof fileSource>[1] = {}): Promise<ConfigReloadError> {
  const error = await caught(() => fileSource(path, options).read());
  expect(error).toBeInstanceOf(ConfigReloadError);
  return error as ConfigReloadError;
}

describe("fileSource", () => {
  it("has the resolved absolute path as id and as its only file before a read", () => {
    const source = fileSource("relative/config.yml");
    expect(source.id).toBe(resolve("relative/config.yml"));
    expect(source.files).toEqual([source.id]);
  });

  it("reads a document: data, sha-256 of the raw bytes, locate, warnings", async () => {
    const bytes = "name: demo\nllms:\n  main:\n    key: ${KEY}\n";
    const path = await tmp.write("config.yml", bytes);
    const document = await fileSource(path, { env: {} }).read();
    expect(document.data).toEqual({ name: "demo", llms: { main: { key: "" } } });
    expect(document.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(document.locate?.(["llms", "main", "key"])).toEqual({ line: 4, column: 10, file: path });
    expect(document.warnings).toEqual([
      `${path}:4:10 llms.main.key: environment variable KEY is not set and has no default; using ""`,
    ]);
  });

  it("fileChecksums: the sha-256 of each file of the chain as read, by absolute path", async () => {
    const base = await tmp.write("base.yml", "a: 1\n");
    const path = await tmp.write("config.yml", "base: base.yml\nb: 2\n");
    const document = await fileSource(path).read();
    const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
    expect(document.fileChecksums).toEqual({ [path]: sha256("base: base.yml\nb: 2\n"), [base]: sha256("a: 1\n") });
    const alone = await tmp.write("alone.yml", "c: 3\n");
    expect((await fileSource(alone).read()).fileChecksums).toEqual({ [alone]: sha256("c: 3\n") });
  });

  it("reads the environment at every read", async () => {
    const path = await tmp.write("config.yml", "v: ${V}\n");
    const env: Record<string, string> = { V: "one" };
    const source = fileSource(path, { env });
    expect((await source.read()).data).toEqual({ v: "one" });
    env.V = "two";
    expect((await source.read()).data).toEqual({ v: "two" });
  });

  it("reads JSON files", async () => {
    const path = await tmp.write("config.json", '{"a": {"b": [1, 2]}}');
    expect((await fileSource(path).read()).data).toEqual({ a: { b: [1, 2] } });
  });
});

describe("fileSource: reading failures name the file, never its contents", () => {
  it("ENOENT for a missing file", async () => {
    const path = tmp.path("missing.yml");
    const error = await readError(path);
    expect(error).toMatchObject({ code: "ENOENT", sourceId: path });
    expect(error.message).toContain(path);
  });

  it("ENOENT when a parent is a file", async () => {
    await tmp.write("file.yml", "a: 1\n");
    expect((await readError(tmp.path("file.yml/config.yml"))).code).toBe("ENOENT");
  });

  it("EISDIR for a directory at the config path", async () => {
    await mkdir(tmp.path("config.yml"));
    const error = await readError(tmp.path("config.yml"));
    expect(error.code).toBe("EISDIR");
    expect(error.message).toMatch(/is a directory/);
  });

  it.skipIf(isRoot)("EACCES for a file that cannot be read (chmod 000)", async () => {
    const path = await tmp.write("config.yml", "api_key: sk-CANARY-123\n");
    await chmod(path, 0o000);
    const error = await readError(path);
    expect(error.code).toBe("EACCES");
    expect(everythingShown(error)).not.toContain("CANARY");
    await chmod(path, 0o644);
    expect((await fileSource(path).read()).data).toEqual({ api_key: "sk-CANARY-123" });
  });

  // Root reads a chmod-000 file anyway, so the EACCES path cannot be reached honestly as root;
  // this states it instead of faking the error.
  it.runIf(isRoot)(
    "as root, a chmod 000 file is still read (EACCES cannot happen; the test above is skipped)",
    async () => {
      const path = await tmp.write("config.yml", "a: 1\n");
      await chmod(path, 0o000);
      expect((await fileSource(path).read()).data).toEqual({ a: 1 });
    },
  );

  it("TOO_LARGE for a file of maxBytes + 1, before parsing", async () => {
    const content = `a: "${"x".repeat(95)}"\n`;
    expect(Buffer.byteLength(content)).toBe(101);
    const path = await tmp.write("config.yml", content);
    expect((await fileSource(path, { maxBytes: 101 }).read()).data).toMatchObject({ a: expect.any(String) });
    const error = await readError(path, { maxBytes: 100 });
    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toMatch(/100-byte limit/);
    expect(everythingShown(error)).not.toContain("xxxx");
  });

  it("TOO_LARGE by default past 10 MiB", async () => {
    expect(DEFAULT_MAX_BYTES).toBe(10 * 1024 * 1024);
    const path = await tmp.write("config.yml", new Uint8Array(DEFAULT_MAX_BYTES + 1).fill(0x20));
    expect((await readError(path)).code).toBe("TOO_LARGE");
  });

  // A /proc file reports size 0 to stat and then yields its content: exactly a file that grew
  // between stat and read. The bounded read must still refuse it.
  it.runIf(existsSync("/proc/self/status"))("TOO_LARGE for a file that grows past the limit after stat", async () => {
    const path = tmp.path("grows.yml");
    await symlink("/proc/self/status", path);
    const error = await readError(path, { maxBytes: 64 });
    expect(error.code).toBe("TOO_LARGE");
  });

  it("ENCODING for invalid UTF-8 (0xC3 0x28), not a silent U+FFFD", async () => {
    const path = await tmp.write("config.yml", new Uint8Array([0x61, 0x3a, 0x20, 0xc3, 0x28, 0x0a]));
    const error = await readError(path);
    expect(error.code).toBe("ENCODING");
    expect(error.message).toMatch(/not valid UTF-8/);
  });

  it("ENCODING for a UTF-16LE file, with a clear message", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("name: x\n", "utf16le")]);
    const error = await readError(await tmp.write("config.yml", utf16));
    expect(error.code).toBe("ENCODING");
    expect(error.message).toMatch(/UTF-16LE.*save it as UTF-8/);
    const noBom = await readError(await tmp.write("nobom.yml", Buffer.from("name: x\n", "utf16le")));
    expect(noBom.code).toBe("ENCODING");
    expect(noBom.message).toMatch(/NUL/);
  });

  it("reads UTF-8 with a byte order mark, YAML and JSON", async () => {
    const bom = [0xef, 0xbb, 0xbf];
    const yaml = await tmp.write("config.yml", Buffer.concat([Buffer.from(bom), Buffer.from("name: bom\n")]));
    const json = await tmp.write("config.json", Buffer.concat([Buffer.from(bom), Buffer.from('{"name": "bom"}')]));
    expect((await fileSource(yaml).read()).data).toEqual({ name: "bom" });
    expect((await fileSource(json).read()).data).toEqual({ name: "bom" });
  });

  it("reads CRLF files as LF files", async () => {
    const lf = "a:\n  b: |\n    x\n    y\n";
    const one = await fileSource(await tmp.write("lf.yml", lf)).read();
    const two = await fileSource(await tmp.write("crlf.yml", lf.replaceAll("\n", "\r\n"))).read();
    expect(two.data).toEqual(one.data);
  });

  it("ABORTED when the signal is already aborted", async () => {
    const path = await tmp.write("config.yml", "a: 1\n");
    const error = await caught(() => fileSource(path).read(AbortSignal.abort()));
    expect(error).toMatchObject({ code: "ABORTED" });
  });

  it("rejects an unsupported extension without parsing it", async () => {
    const path = await tmp.write("config.txt", "a: 1\n");
    const error = await caught(() => fileSource(path).read());
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error).toMatchObject({ code: "INVALID_CONFIG" });
  });

  it("reports parse errors with the file's absolute path", async () => {
    const path = await tmp.write("config.yml", "a: 1\na: 2\n");
    const error = await caught(() => fileSource(path).read());
    expect(error).toMatchObject({
      code: "DUPLICATE_KEY",
      sourceId: path,
      issues: [{ path: "a", file: path, line: 2, column: 1 }],
    });
  });
});
