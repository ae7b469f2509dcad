import { type EtcdServer, startEtcd, waitFor } from "@aiq/config-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { skipEtcd } from "./etcd-available.js";
import { closeAll, configWith, counterOf, describeManager, expectConverged, startManagers } from "./fleet.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

const now = (): number => performance.timeOrigin + performance.now();

describe.skipIf(skipEtcd)("an etcd that stalls, partitions, compacts or is restored", () => {
  let etcd: EtcdServer;
  let proxy: TcpProxy;
  const key = "fleet/agent.yml";
  beforeEach(async () => {
    etcd = await startEtcd();
    proxy = await startTcpProxy(must(etcd.endpoints[0], "an etcd endpoint"));
    await etcd.put(key, configWith(0));
  });
  afterEach(async () => {
    await proxy?.close();
    await etcd?.close();
  });

  it("52. SIGSTOP: degraded within 15 s, no call waits more than 3 s, converged <= 1.5 s after SIGCONT", {
    timeout: 60_000,
  }, async () => {
    const managers = await startManagers(2, { endpoints: etcd.endpoints, key, callTimeoutMs: 3000 });
    try {
      await etcd.pause();
      const stopped = now();
      // No call is made meanwhile: the stall is found by the gRPC keepalive alone (10 s + 3 s).
      await waitFor(() => managers.every((m) => m.status.watch?.degraded === true), {
        timeout: 15_000,
        interval: 50,
        message: `degraded: ${managers.map(describeManager).join(" | ")}`,
      });
      expect(now() - stopped).toBeLessThan(15_000);
      const called = now();
      const reload = must(managers[0], "the first manager")
        .reloadConfig()
        .then(
          () => "resolved",
          (error: { code?: string }) => error.code,
        );
      expect(await reload).toBe("UNAVAILABLE");
      expect(now() - called).toBeLessThan(3000 + 500);
      expect(managers.map(counterOf)).toEqual([0, 0]);
      await etcd.resume();
      const healed = now();
      await etcd.put(key, configWith(1));
      await expectConverged(managers, etcd, key);
      expect(now() - healed).toBeLessThan(1500);
      await waitFor(() => managers.every((m) => m.status.watch?.degraded === false), { message: "not degraded" });
    } finally {
      await closeAll(managers);
    }
  });

  it.each(["reset", "blackhole"] as const)(
    "52. a %s partition of one process: writes go on, it catches up on heal",
    async (mode) => {
      const direct = must((await startManagers(1, { endpoints: etcd.endpoints, key }))[0], "the direct manager");
      const cut = must((await startManagers(1, { endpoints: [proxy.endpoint], key }))[0], "the cut-off manager");
      const managers = [direct, cut];
      try {
        proxy.set(mode);
        for (let i = 1; i <= 5; i++) await etcd.put(key, configWith(i));
        await expectConverged([direct], etcd, key);
        expect(counterOf(cut)).toBe(0);
        if (mode === "reset")
          await waitFor(() => cut.status.watch?.degraded === true, { message: "cut-off process degraded" });
        proxy.set("pass");
        await expectConverged(managers, etcd, key);
        expect(managers.map(counterOf)).toEqual([5, 5]);
      } finally {
        await closeAll(managers);
      }
    },
  );

  it("53. compaction while a process is cut off: it converges by a full read, no crash", async () => {
    const cut = must((await startManagers(1, { endpoints: [proxy.endpoint], key }))[0], "the cut-off manager");
    try {
      proxy.set("reset");
      await waitFor(() => cut.status.watch?.connected === false, { message: "cut off" });
      for (let i = 1; i <= 4; i++) await etcd.put(key, configWith(i));
      await etcd.compact();
      proxy.set("pass");
      await expectConverged([cut], etcd, key);
      expect(counterOf(cut)).toBe(4);
      await waitFor(() => cut.status.watch?.degraded === false, {
        message: `healthy again: ${describeManager(cut)}`,
      });
    } finally {
      await cut.close();
    }
  });

  it("54. restore to a fresh cluster (new cluster id, lower revision): detected on reconnect, the new value applied <= 1.5 s", async () => {
    for (let i = 1; i <= 20; i++) await etcd.put(key, configWith(i));
    const managers = await startManagers(2, { endpoints: etcd.endpoints, key });
    try {
      const before = await etcd.status();
      await etcd.wipe();
      const healthy = now();
      const revision = await etcd.put(key, configWith(99));
      expect(Number(revision)).toBeLessThan(Number(before.revision));
      expect((await etcd.status()).clusterId).not.toBe(before.clusterId);
      await expectConverged(managers, etcd, key);
      expect(now() - healthy).toBeLessThan(1500);
      expect(managers.map(counterOf)).toEqual([99, 99]);
    } finally {
      await closeAll(managers);
    }
  });
});
