import { type ConfigManager, silentLogger } from "@aiq/config-core";
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { type ConfigFixture, createConfigFixture, recordEvents, waitFor } from "@aiq/config-testing";
import { createConfigManager } from "@aiq/config-loader";
import type { FSWatcher } from "chokidar";
import { describe, expect, it, vi } from "vitest";
import { type AutoReloadHandle, autoReload } from "../src/index.js";
import { MODES, TIMEOUT } from "./helpers.js";
import { type TestConfig, configText as text, testSchema } from "./schema.js";

// The real chokidar, every instance recorded: managers in one process share one per directory.
const chokidarInstances = vi.hoisted(() => [] as FSWatcher[]);
vi.mock("chokidar", async (importOriginal) => {
  const actual = await importOriginal<typeof import("chokidar")>();
  class RecordedFSWatcher extends actual.FSWatcher {
    constructor(...args: ConstructorParameters<typeof actual.FSWatcher>) {
      super(...args);
      chokidarInstances.push(this);
    }
  }
  return { ...actual, FSWatcher: RecordedFSWatcher, default: { ...actual.default, FSWatcher: RecordedFSWatcher } };
});

const openInstances = (): FSWatcher[] => chokidarInstances.filter((fsw) => !fsw.closed);
const osWatchHandles = (): number => process.getActiveResourcesInfo().filter((name) => name === "FSEventWrap").length;

interface Tenant {
  name: string;
  manager: ConfigManager<TestConfig>;
  handle: AutoReloadHandle;
  published: number[];
}

/** `names` (dir/file.yml) in one fixture, each with its own manager (on one shared bus) and autoReload. */
async function tenants(fixture: ConfigFixture, names: readonly string[], options: object): Promise<Tenant[]> {
  const bus = createEventManager();
  const all: Tenant[] = [];
  for (const name of names) {
    const manager = await createConfigManager<TestConfig>(fixture.path(name), {
      schema: testSchema,
      events: bus,
      logger: silentLogger,
    });
    const published: number[] = [];
    manager.subscribe((config) => {
      published.push(config.counter);
    });
    all.push({ name, manager, published, handle: autoReload(manager, { ...options, logger: silentLogger }) });
  }
  await Promise.all(all.map((tenant) => tenant.handle.ready()));
  return all;
}

const waitForCounter = (tenant: Tenant, counter: number): Promise<void> =>
  waitFor(() => tenant.manager.currentConfig.counter === counter, {
    timeout: TIMEOUT,
    message: `${tenant.name} at counter ${counter} (current ${tenant.manager.currentConfig.counter})`,
  });

describe.each(MODES)("managers share watching ($mode)", ({ mode, options }) => {
  it("six managers in two directories: one chokidar instance (and, natively, one OS watch handle) per directory", async () => {
    const handlesBefore = osWatchHandles();
    const names = ["a/one.yml", "a/two.yml", "a/three.yml", "b/one.yml", "b/two.yml", "b/three.yml"];
    await using fixture = await createConfigFixture({
      files: Object.fromEntries(names.map((name) => [name, text(1)])),
    });
    const all = await tenants(fixture, names, options);
    expect(openInstances()).toHaveLength(2);
    if (mode === "native") expect(osWatchHandles() - handlesBefore).toBe(2);
    for (const tenant of all) await tenant.manager.close();
    await waitFor(() => openInstances().length === 0, { timeout: TIMEOUT });
    await waitFor(() => osWatchHandles() === handlesBefore, { timeout: TIMEOUT, message: "OS watch handles released" });
  });

  it("one manager's invalid save is its own: its neighbour in the directory reloads as usual", async () => {
    await using fixture = await createConfigFixture({ files: { "conf/a.yml": text(1), "conf/b.yml": text(1) } });
    const [a, b] = (await tenants(fixture, ["conf/a.yml", "conf/b.yml"], options)) as [Tenant, Tenant];
    const bus = a.manager.events;
    const failures = recordEvents(bus);
    await fixture.save("conf/a.yml", "name: broken\ncounter: [\n");
    await failures.next(ConfigEventType.CONFIG_RELOAD_FAILED, { timeout: TIMEOUT });
    await fixture.save("conf/b.yml", text(2));
    await waitForCounter(b, 2);
    expect(a.manager.currentConfig.counter).toBe(1);
    expect(a.manager.status.lastError).toBeDefined();
    expect(b.manager.status.lastError).toBeUndefined();
    expect(a.published).toEqual([]);
    expect(b.published).toEqual([2]);
    expect(
      failures.events
        .filter((e) => e.type === ConfigEventType.CONFIG_RELOAD_FAILED)
        .map((e) => (e as { sourceId?: string }).sourceId),
    ).toEqual([fixture.path("conf/a.yml")]);
    // A fixes its file: both go on.
    await fixture.save("conf/a.yml", text(3));
    await waitForCounter(a, 3);
    failures.stop();
    for (const tenant of [a, b]) await tenant.manager.close();
  });

  it("closing one manager releases only its files: the others, in its directory and elsewhere, keep reloading", async () => {
    await using fixture = await createConfigFixture({
      files: { "x/a.yml": text(1), "x/b.yml": text(1), "y/c.yml": text(1), "y/same.yml": text(1) },
    });
    const [a, b, c] = (await tenants(fixture, ["x/a.yml", "x/b.yml", "y/c.yml"], options)) as [Tenant, Tenant, Tenant];
    // Two managers of one file: closing one leaves the other watching it.
    const [d, e] = (await tenants(fixture, ["y/same.yml", "y/same.yml"], options)) as [Tenant, Tenant];
    const yInstance = openInstances().find((fsw) => Object.keys(fsw.getWatched()).some((dir) => dir.endsWith("/y")));
    expect(openInstances()).toHaveLength(2);
    await a.manager.close();
    await d.manager.close();
    // Its directory is still watched for b, with the same chokidar instance (nothing restarted).
    expect(openInstances()).toHaveLength(2);
    await fixture.save("x/b.yml", text(2));
    await fixture.save("y/same.yml", text(2));
    await fixture.save("x/a.yml", text(2));
    await waitForCounter(b, 2);
    await waitForCounter(e, 2);
    expect(a.manager.currentConfig.counter).toBe(1);
    expect(d.published).toEqual([]);
    // b closes too: x is dropped; y keeps its instance and c and e reload.
    await b.manager.close();
    await waitFor(() => openInstances().length === 1, { timeout: TIMEOUT });
    expect(openInstances()[0]).toBe(yInstance);
    await fixture.save("y/c.yml", text(3));
    await waitForCounter(c, 3);
    expect(c.published).toEqual([3]);
    for (const tenant of [c, e]) await tenant.manager.close();
    await waitFor(() => openInstances().length === 0, { timeout: TIMEOUT });
  });
});
