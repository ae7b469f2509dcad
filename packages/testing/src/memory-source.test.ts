import { ConfigReloadError, isConfigReloadError } from "@aiq/config-core";
import { describe, expect, it } from "vitest";
import { MemorySource } from "./memory-source.js";
import { checksumOf } from "./stable-json.js";
import { waitFor } from "./wait.js";

const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
  try {
    await promise;
  } catch (error) {
    return isConfigReloadError(error) ? error.code : `not a ConfigReloadError: ${String(error)}`;
  }
  return undefined;
};

describe("MemorySource", () => {
  it("returns its data with a sha-256 checksum, as a fresh copy each read", async () => {
    const data = { llms: { main: { temperature: 0.5 } } };
    const source = new MemorySource(data, { id: "test", files: ["/tmp/config.yml"] });
    expect(source.id).toBe("test");
    expect(source.files).toEqual(["/tmp/config.yml"]);
    const first = await source.read();
    expect(first.data).toEqual(data);
    expect(first.checksum).toMatch(/^[0-9a-f]{64}$/);
    (first.data as typeof data).llms.main.temperature = 9;
    data.llms.main.temperature = 8;
    expect((await source.read()).data).toEqual({ llms: { main: { temperature: 0.5 } } });
    expect(source.reads).toBe(2);
  });

  it("defaults to id 'memory', an empty document and no files", async () => {
    const source = new MemorySource();
    expect(source.id).toBe("memory");
    expect(source.files).toBeUndefined();
    expect((await source.read()).data).toEqual({});
  });

  it("hashes equal documents the same whatever their key order, and different ones differently", () => {
    expect(checksumOf({ a: 1, b: { c: [1, 2], d: "x" } })).toBe(checksumOf({ b: { d: "x", c: [1, 2] }, a: 1 }));
    expect(checksumOf({ a: 1 })).not.toBe(checksumOf({ a: 2 }));
    expect(checksumOf([1, 2])).not.toBe(checksumOf([2, 1]));
  });

  it("set() changes what the next reads return, and its checksum", async () => {
    const source = new MemorySource({ v: 1 });
    const before = await source.read();
    source.set({ v: 2 });
    const after = await source.read();
    expect(after.data).toEqual({ v: 2 });
    expect(after.checksum).not.toBe(before.checksum);
  });

  it("fail() makes reads throw until set() is called again", async () => {
    const source = new MemorySource({ v: 1 }, { id: "src" });
    source.fail("ENOENT");
    const error = await source.read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigReloadError);
    expect(error).toMatchObject({ code: "ENOENT", sourceId: "src" });
    expect(await codeOf(source.read())).toBe("ENOENT");

    const custom = new Error("disk on fire");
    source.fail(custom);
    await expect(source.read()).rejects.toBe(custom);

    source.set({ v: 2 });
    expect((await source.read()).data).toEqual({ v: 2 });
  });

  it("partial() affects exactly one read", async () => {
    const source = new MemorySource({ llms: { a: {}, b: {} } });
    source.partial({ llms: { a: {} } });
    expect((await source.read()).data).toEqual({ llms: { a: {} } });
    expect((await source.read()).data).toEqual({ llms: { a: {}, b: {} } });
  });

  it("hang() holds reads until released; a held read returns what it saw when it started", async () => {
    const source = new MemorySource({ v: "A" });
    const release = source.hang();
    let settled = false;
    const held = source.read().then((document) => {
      settled = true;
      return document;
    });
    await waitFor(() => source.pending === 1);
    source.set({ v: "B" });
    const releaseB = source.hang();
    const second = source.read();
    releaseB();
    expect((await second).data).toEqual({ v: "B" });
    expect(settled).toBe(false);
    release();
    expect((await held).data).toEqual({ v: "A" });
    expect(source.pending).toBe(0);
    release();
    // Released: new reads no longer wait.
    expect((await source.read()).data).toEqual({ v: "B" });
  });

  it("read() honours abort, before and while held", async () => {
    const source = new MemorySource({ v: 1 });
    expect(await codeOf(source.read(AbortSignal.abort()))).toBe("ABORTED");

    const release = source.hang();
    const controller = new AbortController();
    const held = source.read(controller.signal);
    controller.abort();
    expect(await codeOf(held)).toBe("ABORTED");
    expect(source.pending).toBe(0);
    release();
  });

  it("works as a ConfigSource that reads are always async", async () => {
    const source = new MemorySource({ v: 1 });
    let resolved = false;
    const reading = source.read().then(() => {
      resolved = true;
    });
    expect(resolved).toBe(false);
    await reading;
    expect(resolved).toBe(true);
  });
});
