import { readFile } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { etcdSkipReason } from "./etcd-binary.js";
import { httpRequest } from "./etcd-http.js";
import { startEtcd } from "./etcd-server.js";

const skip = etcdSkipReason();
if (skip) console.warn(`\n!!! ${skip}\n`);

const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(skip)("startEtcd: a real etcd on loopback", () => {
  const pids: (number | undefined)[] = [];
  afterAll(() => {
    // Every process any test started is gone once its server was closed.
    expect(pids.filter(alive)).toEqual([]);
  });

  it("serves puts and gets, survives SIGKILL + restart on the same data dir, and close stops it by pid", async () => {
    const etcd = await startEtcd();
    const member = must(etcd.members[0], "the etcd member");
    pids.push(member.pid);
    expect(etcd.endpoints).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)]);
    const revision = await etcd.put("aiq/agent.yml", "llms: {}\n");
    expect(await etcd.get("aiq/agent.yml")).toEqual({
      value: "llms: {}\n",
      modRevision: revision,
      createRevision: revision,
    });
    expect(await etcd.get("aiq/other.yml")).toBeUndefined();

    const before = member.pid;
    await etcd.kill("SIGKILL");
    expect(member.running).toBe(false);
    expect(alive(before)).toBe(false);
    await expect(etcd.get("aiq/agent.yml")).rejects.toThrow(/no etcd member is running/);

    await etcd.restart();
    pids.push(member.pid);
    expect(member.pid).not.toBe(before);
    expect((await etcd.get("aiq/agent.yml"))?.modRevision).toBe(revision);

    await etcd.close();
    await etcd.close();
    expect(alive(member.pid ?? before)).toBe(false);
  });

  it("pause() freezes it (a request times out) and resume() brings it back", async () => {
    await using etcd = await startEtcd();
    pids.push(must(etcd.members[0], "the etcd member").pid);
    await etcd.put("k", "1");
    await etcd.pause();
    expect(alive(must(etcd.members[0], "the etcd member").pid)).toBe(true);
    await expect(httpRequest(`${etcd.endpoints[0]}/health`, { timeoutMs: 300 })).rejects.toThrow(
      /no answer within 300 ms/,
    );
    await etcd.resume();
    expect((await etcd.get("k"))?.value).toBe("1");
  });

  it("wipe() starts a fresh cluster: new cluster id, lower revision, the key gone", async () => {
    await using etcd = await startEtcd();
    pids.push(must(etcd.members[0], "the etcd member").pid);
    for (let i = 0; i < 5; i++) await etcd.put("k", String(i));
    const before = await etcd.status();
    await etcd.compact();
    await etcd.wipe();
    pids.push(must(etcd.members[0], "the etcd member").pid);
    const after = await etcd.status();
    expect(after.clusterId).not.toBe(before.clusterId);
    expect(Number(after.revision)).toBeLessThan(Number(before.revision));
    expect(await etcd.get("k")).toBeUndefined();
  });

  it("a 3-member cluster keeps serving when its leader is SIGKILLed, and the leader rejoins", async () => {
    await using etcd = await startEtcd({ members: 3 });
    pids.push(...etcd.members.map((m) => m.pid));
    expect(etcd.endpoints).toHaveLength(3);
    const leader = await etcd.leader();
    await leader.kill("SIGKILL");
    expect((await etcd.leader()).name).not.toBe(leader.name);
    const revision = await etcd.put("k", "after");
    await leader.restart();
    pids.push(leader.pid);
    expect((await etcd.get("k"))?.modRevision).toBe(revision);
  });

  it("enableAuth() turns auth on: an anonymous put is refused, the helpers go on as root", async () => {
    await using etcd = await startEtcd();
    pids.push(must(etcd.members[0], "the etcd member").pid);
    await etcd.enableAuth({ rootPassword: "r00t-pw", users: [{ name: "svc", password: "svc-pw", access: "read" }] });
    expect(await etcd.put("k", "v")).toMatch(/^\d+$/);
    const anonymous = httpRequest(`${etcd.endpoints[0]}/v3/kv/put`, {
      json: { key: "aw==", value: "dg==" },
      timeoutMs: 3000,
    });
    await expect(anonymous).rejects.toThrow(/user name is empty|permission denied|token/i);
  });

  it("tls: serves https:// with generated certificates; with clientCertAuth a client without a certificate is refused", async () => {
    await using etcd = await startEtcd({ tls: { clientCertAuth: true } });
    pids.push(must(etcd.members[0], "the member").pid);
    expect(etcd.endpoints).toEqual([expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/)]);
    const files = must(etcd.tls, "the TLS files");
    expect(files.ca.startsWith(etcd.dir)).toBe(true);
    const revision = await etcd.put("k", "v");
    expect((await etcd.get("k"))?.modRevision).toBe(revision);
    const [ca, cert, key, untrustedCa] = await Promise.all([
      readFile(files.ca),
      readFile(files.cert),
      readFile(files.key),
      readFile(files.untrustedCa),
    ]);
    const health = `${etcd.endpoints[0]}/health`;
    expect(await httpRequest(health, { timeoutMs: 3000, tls: { ca, cert, key } })).toContain("true");
    // No client certificate: the handshake is refused.
    await expect(httpRequest(health, { timeoutMs: 3000, tls: { ca } })).rejects.toThrow(
      /certificate|handshake|socket hang up|ECONNRESET/i,
    );
    // A CA that did not sign the server's certificate: the client refuses the server.
    await expect(httpRequest(health, { timeoutMs: 3000, tls: { ca: untrustedCa, cert, key } })).rejects.toThrow(
      /self[- ]signed|unable to (get|verify)|certificate/i,
    );
  });
});
