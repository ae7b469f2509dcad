import { findFreePort, startEtcd } from "@aiq/config-testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEtcdValue, putEtcdValue } from "../src/index.js";
import { skipEtcd } from "./etcd-available.js";

describe.skipIf(skipEtcd)("getEtcdValue / putEtcdValue against a real etcd", () => {
  let etcd: Awaited<ReturnType<typeof startEtcd>>;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(() => etcd?.close());
  const at = (key: string) => ({ endpoints: etcd.endpoints, key });

  it("creates, reads, compare-and-swaps on mod_revision, and reads an older revision", async () => {
    expect(await getEtcdValue(at("a.yml"))).toBeUndefined();
    const first = await putEtcdValue({ ...at("a.yml"), value: "llms: {}\n", create: true });
    expect(await getEtcdValue(at("a.yml"))).toEqual({ value: "llms: {}\n", revision: first.revision });
    const second = await putEtcdValue({ ...at("a.yml"), value: "llms: { x: {} }\n", expectRevision: first.revision });
    expect(Number(second.revision)).toBeGreaterThan(Number(first.revision));
    expect(await getEtcdValue({ ...at("a.yml"), revision: first.revision })).toEqual({
      value: "llms: {}\n",
      revision: first.revision,
    });
    expect((await etcd.get("a.yml"))?.modRevision).toBe(second.revision);
  });

  it("a lost compare-and-swap is CONFLICT naming the current revision; create on an existing key too", async () => {
    const base = await putEtcdValue({ ...at("b.yml"), value: "v: 1\n" });
    const winner = await putEtcdValue({ ...at("b.yml"), value: "v: 2\n", expectRevision: base.revision });
    await expect(
      putEtcdValue({ ...at("b.yml"), value: "v: 3\n", expectRevision: base.revision }),
    ).rejects.toMatchObject({
      name: "ConfigReloadError",
      code: "CONFLICT",
      message: expect.stringContaining(`it is at revision ${winner.revision}`),
    });
    await expect(putEtcdValue({ ...at("b.yml"), value: "v: 4\n", create: true })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await etcd.get("b.yml"))?.value).toBe("v: 2\n");
  });

  it("refuses a value over maxBytes before sending, and the next call still works", async () => {
    const big = "x".repeat(1.6 * 1024 * 1024);
    await expect(putEtcdValue({ ...at("c.yml"), value: big })).rejects.toMatchObject({
      code: "TOO_LARGE",
      message: expect.stringMatching(/1048576-byte limit/),
    });
    expect(await etcd.get("c.yml")).toBeUndefined();
    await expect(putEtcdValue({ ...at("c.yml"), value: "ok: 1\n" })).resolves.toMatchObject({
      revision: expect.any(String),
    });
  });

  it("an etcd that is not there is UNAVAILABLE naming endpoints and key, within callTimeoutMs", async () => {
    const nowhere = `http://127.0.0.1:${await findFreePort()}`;
    const started = Date.now();
    await expect(getEtcdValue({ endpoints: nowhere, key: "d.yml", callTimeoutMs: 500 })).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining(`etcd at ${nowhere} cannot be reached for key d.yml`),
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a paused etcd: no call waits longer than callTimeoutMs", async () => {
    await using paused = await startEtcd();
    await paused.put("e.yml", "v: 1\n");
    await paused.pause();
    const started = Date.now();
    await expect(getEtcdValue({ endpoints: paused.endpoints, key: "e.yml", callTimeoutMs: 400 })).rejects.toMatchObject(
      { code: "UNAVAILABLE" },
    );
    expect(Date.now() - started).toBeLessThan(1500);
    await paused.resume();
  });

  it("endpoints come from AIQ_ETCD_ENDPOINTS; none at all is a usage error", async () => {
    const saved = process.env.AIQ_ETCD_ENDPOINTS;
    try {
      process.env.AIQ_ETCD_ENDPOINTS = etcd.endpoints.join(",");
      await putEtcdValue({ key: "f.yml", value: "v: 1\n" });
      expect((await getEtcdValue({ key: "f.yml" }))?.value).toBe("v: 1\n");
      delete process.env.AIQ_ETCD_ENDPOINTS;
      await expect(getEtcdValue({ key: "f.yml" })).rejects.toThrow(/No etcd endpoints: pass `endpoints`/);
    } finally {
      if (saved === undefined) delete process.env.AIQ_ETCD_ENDPOINTS;
      else process.env.AIQ_ETCD_ENDPOINTS = saved;
    }
  });

  it("with auth on: a read-only user reads but cannot put; a wrong password names the user, never the password", async () => {
    await using secured = await startEtcd();
    await secured.put("g.yml", "v: 1\n");
    await secured.enableAuth({
      rootPassword: "root-pw-1",
      users: [
        { name: "svc", password: "svc-pw-2", access: "read" },
        { name: "ops", password: "ops-pw-3", access: "readwrite" },
      ],
    });
    const where = { endpoints: secured.endpoints, key: "g.yml" };
    expect((await getEtcdValue({ ...where, auth: { username: "svc", password: "svc-pw-2" } }))?.value).toBe("v: 1\n");
    const readOnly = putEtcdValue({ ...where, value: "v: 2\n", auth: { username: "svc", password: "svc-pw-2" } });
    await expect(readOnly).rejects.toMatchObject({ code: "EACCES", message: expect.stringContaining('user "svc"') });
    await expect(
      putEtcdValue({ ...where, value: "v: 3\n", auth: { username: "ops", password: "ops-pw-3" } }),
    ).resolves.toBeDefined();
    const wrong = await getEtcdValue({ ...where, auth: { username: "svc", password: "not-the-pw-9" } }).catch(
      (e: unknown) => e,
    );
    expect(wrong).toMatchObject({
      code: "EACCES",
      message: expect.stringContaining('refused the login of user "svc"'),
    });
    expect(JSON.stringify(wrong, Object.getOwnPropertyNames(wrong))).not.toContain("not-the-pw-9");
    expect(String((wrong as Error).stack)).not.toContain("not-the-pw-9");
  });
});
