import { ConfigManager } from "@aiq/config-core";
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { type EtcdServer, MemorySource, recordEvents, startEtcd, waitFor } from "@aiq/config-testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { etcdSource, watchEtcd } from "../src/index.js";
import { skipEtcd } from "./etcd-available.js";
import { closeAll, configWith, counterOf, expectConverged, expectRefused, startManagers } from "./fleet.js";

describe.skipIf(skipEtcd)("etcdSource + watchEtcd against a real etcd", () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(() => etcd?.close());

  it("a put reaches every manager: revision in status, snapshot and reload event", async () => {
    const key = "basics/agent.yml";
    const first = await etcd.put(key, configWith(1));
    const managers = await startManagers(3, { endpoints: etcd.endpoints, key });
    try {
      expect(managers.map((m) => m.status.sourceRevision)).toEqual([first, first, first]);
      const manager = must(managers[0], "the first manager");
      expect(manager.getSnapshots()[0]?.revision).toBe(first);
      expect(manager.status.sourceId).toBe(`etcd:${key}`);
      const events = recordEvents(manager.events, ConfigEventType.CONFIG_RELOADED);
      const second = await etcd.put(key, configWith(2));
      await expectConverged(managers, etcd, key);
      expect(managers.map(counterOf)).toEqual([2, 2, 2]);
      expect(manager.getSnapshots()[0]?.revision).toBe(second);
      expect((await events.next()).revision).toBe(second);
      expect(manager.status.watch).toEqual({ mode: "push", connected: true, degraded: false });
    } finally {
      await closeAll(managers);
    }
  });

  it("55. a bad value (syntax, schema, over maxBytes) is refused by every manager, named etcd:<key>@<rev>:line:column; the next valid put applies", async () => {
    const key = "basics/bad.yml";
    await etcd.put(key, configWith(1));
    const managers = await startManagers(3, { endpoints: etcd.endpoints, key, maxBytes: 2000 });
    try {
      const syntax = await etcd.put(key, "llms:\n  main: [unclosed\n");
      const printed = await expectRefused(managers, syntax);
      for (const line of printed) expect(line).toMatch(new RegExp(`^etcd:${key}@${syntax}:\\d+:\\d+ `));
      const invalid = await etcd.put(key, "llms:\n  main:\n    _type: openai\n    max_tokens: -3\n");
      for (const line of await expectRefused(managers, invalid)) {
        expect(line).toBe(`etcd:${key}@${invalid}:4:17 llms.main.max_tokens: max_tokens must be a positive integer`);
      }
      // The code frame comes from the revision's own text, as for a file.
      for (const manager of managers)
        expect(manager.status.lastError?.issues?.[0]?.frame).toContain(
          "> 4 |     max_tokens: -3\n    |                 ^",
        );
      const big = await etcd.put(key, `${configWith(7)}# ${"x".repeat(3000)}\n`);
      const tooLarge = await expectRefused(managers, big);
      expect(tooLarge[0]).toContain("over the 2000-byte limit (maxBytes)");
      expect(managers.map((m) => m.status.lastError?.code)).toEqual(["TOO_LARGE", "TOO_LARGE", "TOO_LARGE"]);
      expect(managers.map(counterOf)).toEqual([1, 1, 1]);
      await etcd.put(key, configWith(3));
      await expectConverged(managers, etcd, key);
      expect(managers.map(counterOf)).toEqual([3, 3, 3]);
      expect(managers.map((m) => m.status.lastError)).toEqual([undefined, undefined, undefined]);
    } finally {
      await closeAll(managers);
    }
  });

  it("56. a deleted key: last good kept, status.missing; a put brings it back and clears it", async () => {
    const key = "basics/deleted.yml";
    await etcd.put(key, configWith(1));
    const managers = await startManagers(2, { endpoints: etcd.endpoints, key });
    try {
      await etcd.delete(key);
      await waitFor(() => managers.every((m) => m.status.missing), { message: "missing" });
      expect(managers.map((m) => m.status.lastError?.code)).toEqual(["ENOENT", "ENOENT"]);
      expect(managers.map(counterOf)).toEqual([1, 1]);
      await etcd.put(key, configWith(2));
      await expectConverged(managers, etcd, key);
      expect(managers.map((m) => [m.status.missing, counterOf(m)])).toEqual([
        [false, 2],
        [false, 2],
      ]);
    } finally {
      await closeAll(managers);
    }
  });

  it("a JSON key is parsed as JSON; base: is refused; the same value put again changes nothing but the revision", async () => {
    const key = "basics/agent.json";
    await etcd.put(key, JSON.stringify({ llms: { main: { _type: "openai", temperature: 5 } } }));
    const manager = await ConfigManager.create({
      source: etcdSource({ endpoints: etcd.endpoints, key }),
      events: createEventManager(),
    });
    const watching = watchEtcd(manager);
    try {
      await watching.ready();
      expect(counterOf(manager)).toBe(5);
      const base = await etcd.put(key, JSON.stringify({ base: "other.yml", llms: {} }));
      const [printed] = await expectRefused([manager], base);
      expect(printed).toBe(
        `etcd:${key}@${base}:1:9 base: base: is not supported in etcd: store the whole config in the key (merge the base file into it)`,
      );
      await etcd.put(key, JSON.stringify({ llms: { main: { _type: "openai", temperature: 5 } } }));
      await expectConverged([manager], etcd, key);
      expect(manager.status.version).toBe(1);
    } finally {
      await manager.close();
    }
  });

  it("watchEtcd refuses a manager whose source is not etcd", async () => {
    const manager = await ConfigManager.create({
      source: new MemorySource({ llms: {} }),
      events: createEventManager(),
    });
    try {
      expect(() => watchEtcd(manager)).toThrow(/is not an etcdSource\(\)/);
    } finally {
      await manager.close();
    }
  });
});
