import { startEtcd } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { skipEtcd } from "./etcd-available.js";
import { configWith } from "./fleet.js";
import { builtForServices, type ServiceProcess, servicesOn, startServices } from "./services.js";

const now = (): number => performance.timeOrigin + performance.now();
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipEtcd || !builtForServices)("51. etcd killed mid-burst, with 3 service processes", () => {
  it("every process applies the final revision <= 1.5 s after etcd is healthy again; revisions never go back; degraded, then not", async () => {
    await using etcd = await startEtcd();
    const key = "fleet/agent.yml";
    await etcd.put(key, configWith(0));
    const services: ServiceProcess[] = await startServices(3, {
      endpoints: etcd.endpoints,
      key,
      options: { callTimeoutMs: 1000, startupTimeoutMs: 20_000 },
    });
    try {
      // 50 of 100 puts, then the crash: the other 50 never reach etcd.
      for (let i = 1; i <= 50; i++) await etcd.put(key, configWith(i));
      await etcd.kill("SIGKILL");
      // The scenario restarts etcd 2 s after the crash (a fixed outage, not a wait for an event).
      await pause(2000);
      await etcd.restart();
      const healthy = now();
      const final = await etcd.put(key, configWith(101));
      const applied = await servicesOn(services, final);
      expect(applied - healthy).toBeLessThan(1500);
      expect((await etcd.get(key))?.modRevision).toBe(final);
      for (const service of services) {
        const revisions = service.history
          .map((h) => h.status.sourceRevision)
          .filter((r): r is string => r !== undefined)
          .map(Number);
        expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
        const degraded = service.history.findIndex((h) => h.status.watch?.degraded === true);
        expect(degraded).toBeGreaterThanOrEqual(0);
        expect(service.history.slice(degraded).some((h) => h.status.watch?.degraded === false)).toBe(true);
        expect(service.unhandled).toEqual([]);
        expect(service.exitCode).toBeUndefined();
      }
    } finally {
      await Promise.all(services.map((s) => s.stop()));
    }
  });
});
