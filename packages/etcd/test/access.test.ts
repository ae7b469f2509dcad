import type { ConfigManager } from "@aiq/config-core";
import { createEventManager } from "@aiq/config-events";
import { recordEvents, startEtcd } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { createEtcdConfigManager, putEtcdValue } from "../src/index.js";
import { skipEtcd } from "./etcd-available.js";
import { counterOf, expectConverged, expectRefused } from "./fleet.js";

const SECRET = "sk-live-4f9a1c7e";
const PASSWORD = "svc-Pa55-word";

describe.skipIf(skipEtcd)("60. access: etcd auth on", () => {
  it("a read-only service user watches but cannot put; a wrong password names the user only; secrets stay out of status and events", async () => {
    await using etcd = await startEtcd();
    const key = "fleet/agent.yml";
    const value = (n: number): string =>
      `llms:\n  main:\n    _type: openai\n    api_key: ${SECRET}\n    temperature: ${n}\n`;
    await etcd.put(key, value(1));
    await etcd.enableAuth({ rootPassword: "root-pw", users: [{ name: "svc", password: PASSWORD, access: "read" }] });

    const events = createEventManager();
    const recorder = recordEvents(events);
    const manager = (await createEtcdConfigManager({
      endpoints: etcd.endpoints,
      key,
      auth: { username: "svc", password: PASSWORD },
      events,
    })) as ConfigManager;
    try {
      await etcd.put(key, value(2));
      await expectConverged([manager], etcd, key);
      expect(counterOf(manager)).toBe(2);
      const denied = putEtcdValue({
        endpoints: etcd.endpoints,
        key,
        value: value(3),
        auth: { username: "svc", password: PASSWORD },
      });
      await expect(denied).rejects.toMatchObject({ code: "EACCES", message: expect.stringContaining('user "svc"') });

      // An invalid value next to the secret: refused, and reported without it.
      const bad = await etcd.put(key, value(2).replace("temperature: 2", "temperature: -1"));
      await expectRefused([manager], bad);
      const seen = JSON.stringify([
        manager.status,
        recorder.events,
        manager.getSnapshots().map((s) => ({ ...s, config: undefined })),
      ]);
      expect(seen).not.toContain(SECRET);
      expect(seen).not.toContain(PASSWORD);

      const wrong = await createEtcdConfigManager({
        endpoints: etcd.endpoints,
        key,
        auth: { username: "svc", password: "wrong-pw-7" },
        events: createEventManager(),
      }).catch((e: unknown) => e);
      expect(wrong).toMatchObject({
        code: "EACCES",
        message: expect.stringContaining('refused the login of user "svc"'),
      });
      expect(`${(wrong as Error).message} ${(wrong as Error).stack}`).not.toContain("wrong-pw-7");
    } finally {
      await manager.close();
    }
  });
});
