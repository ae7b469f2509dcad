import { startEtcd } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { skipEtcd } from "./etcd-available.js";
import { closeAll, configWith, counterOf, expectConverged, startManagers } from "./fleet.js";

describe.skipIf(skipEtcd)("59. a 3-member cluster loses its leader", () => {
  it("the processes keep serving, follow the new leader and converge on the next put, no revision lost", async () => {
    await using etcd = await startEtcd({ members: 3 });
    const key = "fleet/agent.yml";
    await etcd.put(key, configWith(0));
    const managers = await startManagers(3, { endpoints: etcd.endpoints, key });
    try {
      for (let i = 1; i <= 10; i++) await etcd.put(key, configWith(i));
      await expectConverged(managers, etcd, key);
      const leader = await etcd.leader();
      await leader.kill("SIGKILL");
      // Serving: the last good config stays current while the cluster elects a new leader.
      expect(managers.map(counterOf)).toEqual([10, 10, 10]);
      expect((await etcd.leader()).name).not.toBe(leader.name);
      for (let i = 11; i <= 20; i++) await etcd.put(key, configWith(i));
      const final = await expectConverged(managers, etcd, key);
      expect(managers.map(counterOf)).toEqual([20, 20, 20]);
      await leader.restart();
      expect((await etcd.get(key))?.modRevision).toBe(final);
    } finally {
      await closeAll(managers);
    }
  });
});
