import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigManager } from "@aiq/config-core";
import { createEventManager } from "@aiq/config-events";
import { type EtcdServer, startEtcd, waitFor } from "@aiq/config-testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { createEtcdConfigManager, getEtcdValue } from "../src/index.js";
import { skipEtcd } from "./etcd-available.js";
import { configWith, counterOf, describeManager, expectConverged, recordingLogger } from "./fleet.js";

describe.skipIf(skipEtcd)("57. starting while etcd is down", () => {
  let etcd: EtcdServer;
  let dir: string;
  const key = "fleet/agent.yml";
  beforeAll(async () => {
    etcd = await startEtcd();
    // Loads the etcd client once, as a process that already talked to etcd has: the timings below
    // are etcd's, not those of loading gRPC on a busy machine (which is not counted either).
    await getEtcdValue({ endpoints: etcd.endpoints, key });
  });
  afterAll(() => etcd?.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "aiq-etcd-cache-"));
    if (!must(etcd.members[0], "the etcd member").running) await etcd.restart();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("with no cache: UNAVAILABLE within startupTimeoutMs + 1 s, naming endpoints and key", async () => {
    await etcd.kill("SIGKILL");
    const started = Date.now();
    const error = await createEtcdConfigManager({
      endpoints: etcd.endpoints,
      key,
      startupTimeoutMs: 1000,
      events: createEventManager(),
    }).catch((e: unknown) => e);
    // It retries until startupTimeoutMs, never giving up earlier, and not much later.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toMatchObject({ name: "ConfigReloadError", code: "UNAVAILABLE" });
    expect((error as Error).message).toContain(`etcd at ${etcd.endpoints[0]} cannot be reached for key ${key}`);
    expect((error as Error).message).toContain("within 1000 ms (startupTimeoutMs)");
  });

  it("with a cache file: starts from the cached revision, degraded, and converges when etcd comes", async () => {
    const cacheFile = join(dir, "agent.cache.json");
    const stored = `${configWith(1)}    model_name: \${AIQ_TEST_MODEL:-gpt-4o}\n`;
    const cachedRevision = await etcd.put(key, stored);
    const first = await createEtcdConfigManager({
      endpoints: etcd.endpoints,
      key,
      cacheFile,
      events: createEventManager(),
    });
    await waitFor(
      async () => (await readFile(cacheFile, "utf8").catch(() => "")).includes(`"revision":"${cachedRevision}"`),
      { message: "cache written" },
    );
    await first.close();
    expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);
    // The raw text: placeholders unresolved, so no process's environment lands in the file.
    const placeholder = ["$", "{AIQ_TEST_MODEL:-gpt-4o}"].join("");
    expect(await readFile(cacheFile, "utf8")).toContain(placeholder);

    await etcd.kill("SIGKILL");
    const logger = recordingLogger();
    const manager = (await createEtcdConfigManager({
      endpoints: etcd.endpoints,
      key,
      cacheFile,
      startupTimeoutMs: 500,
      callTimeoutMs: 500,
      logger,
      events: createEventManager(),
    })) as ConfigManager;
    try {
      expect(manager.status.sourceRevision).toBe(cachedRevision);
      expect(counterOf(manager)).toBe(1);
      expect(manager.status.watch).toMatchObject({ mode: "push", connected: false, degraded: true });
      expect(manager.status.watch?.error).toContain(
        `serving revision ${cachedRevision} from the cache file ${cacheFile}`,
      );
      expect(logger.warnings.join("\n")).toContain("etcd unreachable at start");
      await etcd.restart();
      await etcd.put(key, configWith(2));
      await expectConverged([manager], etcd, key);
      expect(counterOf(manager)).toBe(2);
      await waitFor(() => manager.status.watch?.degraded === false, {
        message: `not degraded: ${describeManager(manager)}`,
      });
    } finally {
      await manager.close();
    }
  });

  it.each([
    ["corrupt", "{ not json", "is corrupt (not JSON); ignored"],
    [
      "foreign",
      JSON.stringify({
        format: "aiq-config-etcd-cache/1",
        key: "other/key.yml",
        clusterId: "1",
        revision: "5",
        value: "llms: {}\n",
      }),
      "holds key other/key.yml, not fleet/agent.yml; ignored",
    ],
  ])("a %s cache file is ignored with a warning (UNAVAILABLE as without one)", async (_kind, content, warning) => {
    const cacheFile = join(dir, "agent.cache.json");
    await writeFile(cacheFile, content);
    await etcd.kill("SIGKILL");
    const logger = recordingLogger();
    const error = await createEtcdConfigManager({
      endpoints: etcd.endpoints,
      key,
      cacheFile,
      startupTimeoutMs: 300,
      logger,
      events: createEventManager(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNAVAILABLE" });
    expect(logger.warnings.join("\n")).toContain(warning);
  });
});
