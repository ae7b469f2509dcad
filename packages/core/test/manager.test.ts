import { ConfigEventType } from "@aiq/config-events";
import { waitFor } from "@aiq/config-testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  ConfigReloadError,
  ConfigValidationError,
  isConfigError,
  isConfigReloadError,
  isConfigValidationError,
  type Logger,
} from "../src/index.js";
import * as v from "valibot";
import { baseConfig, type Setup, setup } from "./helpers.js";

const looseSchema = v.object({ llms: v.record(v.string(), v.looseObject({ temperature: v.number() })) });

let current: Setup | undefined;
async function start(...args: Parameters<typeof setup>): Promise<Setup> {
  current = await setup(...args);
  return current;
}
afterEach(async () => {
  await current?.manager.close();
  current = undefined;
});

describe("create", () => {
  it("loads version 1 with one initial snapshot and no reloads", async () => {
    const { manager } = await start();
    expect(manager.currentConfig).toEqual(baseConfig());
    expect(manager.reloadCount).toBe(0);
    expect(manager.status.version).toBe(1);
    const snapshots = manager.getSnapshots();
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]?.reason).toBe("initial");
    expect(snapshots[0]?.version).toBe(1);
  });

  it("throws the validation error of an invalid first config", async () => {
    await expect(start({}, { name: 1, llms: {} })).rejects.toBeInstanceOf(ConfigValidationError);
  });

  it("freezes the config deeply", async () => {
    const { manager } = await start();
    expect(Object.isFrozen(manager.currentConfig)).toBe(true);
    expect(() => {
      (manager.currentConfig.llms.main_llm as { temperature?: number }).temperature = 9;
    }).toThrow(TypeError);
  });
});

describe("reloadConfig", () => {
  it("returns the new config (not a path), counts the reload and pushes a snapshot", async () => {
    const { manager, source } = await start();
    source.set(baseConfig("two", 0.7));
    const result = await manager.reloadConfig();
    expect(result).toBe(manager.currentConfig);
    expect(result.name).toBe("two");
    expect(manager.reloadCount).toBe(1);
    expect(manager.status.version).toBe(2);
    expect(manager.getSnapshots().map((s) => [s.version, s.reason])).toEqual([
      [2, "reload"],
      [1, "initial"],
    ]);
  });

  it("emits CONFIG_RELOADED with the changed dotted paths", async () => {
    const { manager, source, events } = await start();
    source.set(baseConfig("one", 0.9));
    await manager.reloadConfig();
    const reloaded = events.events.filter((e) => e.type === ConfigEventType.CONFIG_RELOADED);
    expect(reloaded).toHaveLength(1);
    expect(reloaded[0]).toMatchObject({
      version: 2,
      reloadCount: 1,
      sourceId: "memory:test",
      changedPaths: ["llms.main_llm.temperature"],
    });
  });

  it("drops the oldest snapshot past maxSnapshots", async () => {
    const { manager, source } = await start({ maxSnapshots: 3 });
    for (let i = 1; i <= 5; i++) {
      source.set(baseConfig(`v${i}`));
      await manager.reloadConfig();
    }
    expect(manager.getSnapshots().map((s) => s.config.name)).toEqual(["v5", "v4", "v3"]);
  });

  it("calls path subscribers only when their subtree changed", async () => {
    const { manager, source } = await start();
    const llmCalls: string[][] = [];
    const toolCalls: number[] = [];
    const all: number[] = [];
    manager.subscribe("llms.main_llm", (_config, change) => {
      llmCalls.push([...change.changedPaths]);
    });
    manager.subscribe("tools", (_c, change) => {
      toolCalls.push(change.version);
    });
    manager.subscribe((_c, change) => {
      all.push(change.version);
    });
    source.set(baseConfig("one", 0.8));
    await manager.reloadConfig();
    expect(llmCalls).toEqual([["llms.main_llm.temperature"]]);
    expect(toolCalls).toEqual([]);
    expect(all).toEqual([2]);
  });

  it("counts a reload that changes nothing but pushes no snapshot and calls no subscriber", async () => {
    const { manager, source } = await start();
    const calls: number[] = [];
    manager.subscribe((_c, change) => {
      calls.push(change.version);
    });
    source.set(baseConfig());
    const before = manager.currentConfig;
    await manager.reloadConfig();
    expect(manager.reloadCount).toBe(1);
    expect(manager.getSnapshots()).toHaveLength(1);
    expect(manager.status.version).toBe(1);
    expect(manager.currentConfig).toBe(before);
    expect(calls).toEqual([]);
  });

  it("with validateOnly returns the candidate and changes nothing", async () => {
    const { manager, source, events } = await start();
    const calls: number[] = [];
    manager.subscribe(() => {
      calls.push(1);
    });
    source.set(baseConfig("candidate"));
    const candidate = await manager.reloadConfig({ validateOnly: true });
    expect(candidate.name).toBe("candidate");
    expect(manager.currentConfig.name).toBe("one");
    expect(manager.reloadCount).toBe(0);
    expect(manager.getSnapshots()).toHaveLength(1);
    expect(calls).toEqual([]);
    expect(events.events).toEqual([]);
  });

  it("keeps everything as it was when the new config is invalid, listing every issue with its dotted path", async () => {
    const { manager, source, events } = await start();
    const before = manager.currentConfig;
    source.set({ name: 3, llms: { main_llm: { model: "m", temperature: -1 } } });
    const error = await manager.reloadConfig().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error).toBeInstanceOf(ConfigReloadError);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigValidationError).issues.map((i) => i.path).sort();
    expect(issues).toEqual(["llms.main_llm.temperature", "name"]);
    expect(manager.currentConfig).toBe(before);
    expect(manager.reloadCount).toBe(0);
    expect(manager.status.version).toBe(1);
    expect(manager.getSnapshots()).toHaveLength(1);
    expect(manager.status.lastError?.issues?.map((i) => i.path).sort()).toEqual(["llms.main_llm.temperature", "name"]);
    expect(events.types()).toEqual([ConfigEventType.CONFIG_RELOAD_FAILED]);
  });

  it("reports a missing source as ConfigReloadError ENOENT and sets status.missing until the next success", async () => {
    const { manager, source } = await start();
    source.fail(new ConfigReloadError("ENOENT", "Config file not found: /x/config.yml"));
    const error = await manager.reloadConfig().catch((e: unknown) => e);
    expect(isConfigReloadError(error)).toBe(true);
    expect((error as ConfigReloadError).code).toBe("ENOENT");
    expect(manager.status.missing).toBe(true);
    expect(manager.currentConfig.name).toBe("one");
    source.set(baseConfig("back"));
    await manager.reloadConfig();
    expect(manager.status.missing).toBe(false);
    expect(manager.status.lastError).toBeUndefined();
    expect(manager.status.lastSuccessAt).toBeInstanceOf(Date);
  });

  it("wraps an unexpected read failure in ConfigReloadError READ_FAILED with the cause", async () => {
    const { manager, source } = await start();
    const boom = new TypeError("socket hang up");
    source.fail(boom);
    const error = (await manager.reloadConfig().catch((e: unknown) => e)) as ConfigReloadError;
    expect(error).toBeInstanceOf(ConfigReloadError);
    expect(error.code).toBe("READ_FAILED");
    expect(error.cause).toBe(boom);
  });
});

describe("error guards", () => {
  it("recognise errors from another copy of the package by brand and name", async () => {
    const { manager, source } = await start();
    source.set({ name: 1, llms: {} });
    const error = await manager.reloadConfig().catch((e: unknown) => e);
    expect(isConfigError(error)).toBe(true);
    expect(isConfigValidationError(error)).toBe(true);
    // A structurally identical error from a duplicated package copy has the same global brand.
    const foreign = Object.assign(new Error("x"), { name: "ConfigValidationError", issues: [] });
    Object.defineProperty(foreign, Symbol.for("@aiq/config-error"), { value: true });
    expect(isConfigValidationError(foreign)).toBe(true);
    expect(isConfigError(new Error("plain"))).toBe(false);
  });
});

describe("rollbackConfig", () => {
  it("after two reloads, rollback(1) lands on the first reload's config", async () => {
    const { manager, source, events } = await start();
    source.set(baseConfig("first"));
    await manager.reloadConfig();
    source.set(baseConfig("second"));
    await manager.reloadConfig();
    const restored = await manager.rollbackConfig(1);
    expect(restored.name).toBe("first");
    expect(manager.currentConfig.name).toBe("first");
    expect(manager.reloadCount).toBe(3);
    expect(manager.status.version).toBe(4);
    expect(manager.getSnapshots().map((s) => [s.config.name, s.reason])).toEqual([
      ["first", "rollback"],
      ["one", "initial"],
    ]);
    expect(events.types().at(-1)).toBe(ConfigEventType.CONFIG_ROLLED_BACK);
  });

  it("defaults to one step and goes further back with steps", async () => {
    const { manager, source } = await start();
    for (const name of ["a", "b", "c"]) {
      source.set(baseConfig(name));
      await manager.reloadConfig();
    }
    await manager.rollbackConfig(2);
    expect(manager.currentConfig.name).toBe("a");
    await manager.rollbackConfig();
    expect(manager.currentConfig.name).toBe("one");
  });

  it("refuses steps outside 1..snapshots-1, saying how many are possible, and changes nothing", async () => {
    const { manager, source } = await start();
    source.set(baseConfig("b"));
    await manager.reloadConfig();
    for (const steps of [0, 2, -1, 1.5]) {
      const error = (await manager.rollbackConfig(steps).catch((e: unknown) => e)) as ConfigReloadError;
      expect(error).toBeInstanceOf(ConfigReloadError);
      expect(error.code).toBe("ROLLBACK_RANGE");
      expect(error.message).toContain("1 to 1 step possible");
    }
    expect(manager.currentConfig.name).toBe("b");
    expect(manager.getSnapshots()).toHaveLength(2);
  });

  it("re-resolves the old document with the overrides active now", async () => {
    const { manager, source } = await start();
    source.set(baseConfig("b"));
    await manager.reloadConfig();
    await manager.setOverrides({ "llms.main_llm.temperature": "0.9" });
    await manager.rollbackConfig(2);
    expect(manager.currentConfig.name).toBe("one");
    expect(manager.currentConfig.llms.main_llm?.temperature).toBe(0.9);
  });
});

describe("setOverrides", () => {
  it("really changes currentConfig, typed by the schema, as a new version with an overrides snapshot", async () => {
    const { manager } = await start();
    const config = await manager.setOverrides({ "llms.main_llm.temperature": "0.9" });
    expect(config.llms.main_llm?.temperature).toBe(0.9);
    expect(manager.currentConfig.llms.main_llm?.temperature).toBe(0.9);
    expect(manager.configOverrides).toEqual({ "llms.main_llm.temperature": "0.9" });
    expect(manager.getSnapshots()[0]).toMatchObject({
      reason: "overrides",
      version: 2,
      overrides: { "llms.main_llm.temperature": "0.9" },
    });
  });

  it("re-applies overrides after every reload", async () => {
    const { manager, source } = await start({ overrides: { "llms.main_llm.temperature": 0.2 } });
    expect(manager.currentConfig.llms.main_llm?.temperature).toBe(0.2);
    source.set(baseConfig("two", 0.7));
    await manager.reloadConfig();
    expect(manager.currentConfig.name).toBe("two");
    expect(manager.currentConfig.llms.main_llm?.temperature).toBe(0.2);
  });

  it("replaces the whole set", async () => {
    const { manager } = await start({ overrides: { name: "from-option" } });
    await manager.setOverrides({ "llms.fallback.temperature": 1 });
    expect(manager.currentConfig.name).toBe("one");
    expect(manager.configOverrides).toEqual({ "llms.fallback.temperature": "1" });
  });

  it("keeps the previous overrides when the new set is invalid", async () => {
    const { manager } = await start({ overrides: { name: "kept" } });
    await expect(manager.setOverrides({ "llms.main_llm.temperature": -3 })).rejects.toBeInstanceOf(
      ConfigValidationError,
    );
    await expect(manager.setOverrides({ "llms.main_llm.temprature": 1 })).rejects.toBeInstanceOf(ConfigValidationError);
    expect(manager.configOverrides).toEqual({ name: "kept" });
    expect(manager.currentConfig.name).toBe("kept");
    expect(manager.status.version).toBe(1);
  });
});

describe("one operation at a time", () => {
  it("runs reload, rollback and setOverrides in call order while reads never wait", async () => {
    const { manager, source } = await start();
    const release = source.hang();
    source.set(baseConfig("slow"));
    const order: string[] = [];
    const reload = manager.reloadConfig().then(() => order.push("reload"));
    const overrides = manager.setOverrides({ name: "over" }).then(() => order.push("overrides"));
    const rollback = manager.rollbackConfig(1).then(() => order.push("rollback"));
    // The read is held: the current config is still readable and whole.
    expect(manager.currentConfig.name).toBe("one");
    release();
    await Promise.all([reload, overrides, rollback]);
    expect(order).toEqual(["reload", "overrides", "rollback"]);
    expect(manager.currentConfig.name).toBe("over");
    const versions = manager.getSnapshots().map((s) => s.version);
    expect(versions).toEqual([...versions].sort((a, b) => b - a));
  });
});

describe("listeners", () => {
  it("isolate sync and async failures as LISTENER_FAILED events; the reload stands", async () => {
    const { manager, source, events } = await start();
    const seen: string[] = [];
    manager.subscribe(() => {
      throw new Error("sync boom");
    });
    manager.subscribe(async () => {
      throw new Error("async boom");
    });
    manager.subscribe((config) => {
      seen.push(config.name);
    });
    source.set(baseConfig("two"));
    await manager.reloadConfig();
    const failed = () => events.events.filter((e) => e.type === ConfigEventType.LISTENER_FAILED);
    await waitFor(() => failed().length === 2, { timeout: 2000, message: "two LISTENER_FAILED events" });
    expect(manager.currentConfig.name).toBe("two");
    expect(seen).toEqual(["two"]);
    const failures = failed();
    expect(failures.map((f) => ("listenerId" in f ? f.listenerId : 0)).sort()).toEqual([1, 2]);
  });

  it("a listener removing itself and another during a notification: no crash, no later calls", async () => {
    const { manager, source } = await start();
    const calls: string[] = [];
    let offB: () => void = () => {};
    const offA = manager.subscribe(() => {
      calls.push("a");
      offA();
      offB();
    });
    offB = manager.subscribe(() => {
      calls.push("b");
    });
    source.set(baseConfig("two"));
    await manager.reloadConfig();
    offA();
    source.set(baseConfig("three"));
    await manager.reloadConfig();
    expect(calls).toEqual(["a"]);
    expect(manager.listenerCount).toBe(0);
  });
});

describe("structural sharing", () => {
  it("snapshots share unchanged subtrees", async () => {
    const { manager, source } = await start();
    source.set(baseConfig("one", 0.9));
    await manager.reloadConfig();
    const [now, before] = manager.getSnapshots();
    expect(now?.config.tools).toBe(before?.config.tools);
    expect(now?.config.llms.fallback).toBe(before?.config.llms.fallback);
    expect(now?.config.llms.main_llm).not.toBe(before?.config.llms.main_llm);
  });
});

describe("close", () => {
  it("is idempotent, rejects later operations and supports await using", async () => {
    const { manager } = await start();
    await manager.close();
    await manager.close();
    expect(manager.status.closed).toBe(true);
    await expect(manager.reloadConfig()).rejects.toMatchObject({ code: "CLOSED" });
    {
      const { manager: scoped } = await setup();
      await using disposable = scoped;
      expect(disposable.status.closed).toBe(false);
    }
  });

  it("lets an in-flight reload finish without applying it after close", async () => {
    const { manager, source } = await start();
    const calls: number[] = [];
    manager.subscribe(() => {
      calls.push(1);
    });
    const release = source.hang();
    source.set(baseConfig("late"));
    const reload = manager.reloadConfig().catch((e: unknown) => e);
    const closed = manager.close();
    release();
    await closed;
    expect(await reload).toBeInstanceOf(ConfigError);
    expect(manager.currentConfig.name).toBe("one");
    expect(calls).toEqual([]);
  });
});

describe("logging", () => {
  it("logs each step with its duration at debug level", async () => {
    const lines: string[] = [];
    const logger: Logger = { debug: (m) => lines.push(m), info() {}, warn: (m) => lines.push(m), error() {} };
    const { manager, source } = await start({ logger });
    source.set(baseConfig("two"));
    await manager.reloadConfig();
    expect(
      lines.some((l) => /reload memory:test: read\+parse [\d.]+ ms, overrides\+validate\+freeze [\d.]+ ms/.test(l)),
    ).toBe(true);
  });
});

describe("override typos on loose schemas", () => {
  it("warns when an override creates a key neither the file nor the schema knows", async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
    const { manager } = await start(
      { logger, schema: looseSchema as never },
      { llms: { main_llm: { temperature: 0.5 } } },
    );
    await manager.setOverrides({ "llms.main_llm.temprature": "1", "llms.main_llm.temperature": "0.7" });
    expect(warnings).toEqual([
      'override "llms.main_llm.temprature" creates a key the config file does not have and the schema does not know (misspelled?)',
    ]);
  });
});

describe("store revisions", () => {
  it("carries a source's revision into snapshots, status and reload events", async () => {
    const { manager, source, events } = await start();
    const read = source.read.bind(source);
    let revision = 7;
    source.read = async (signal) => ({ ...(await read(signal)), revision: String(revision) });
    await manager.reloadConfig(); // same content at revision 7: counts, no new version
    expect(manager.status.sourceRevision).toBe("7");
    expect(manager.status.version).toBe(1);
    revision = 9;
    source.set(baseConfig("two"));
    await manager.reloadConfig();
    expect(manager.status.sourceRevision).toBe("9");
    expect(manager.getSnapshots()[0]?.revision).toBe("9");
    const reloaded = events.events.filter((e) => e.type === ConfigEventType.CONFIG_RELOADED);
    expect(reloaded.map((e) => ("revision" in e ? e.revision : undefined))).toEqual(["7", "9"]);
    // A rollback is local: the snapshot's revision comes back, sourceRevision stays the newest read.
    await manager.rollbackConfig(1);
    expect(manager.getSnapshots()[0]?.revision).toBeUndefined();
    expect(manager.status.sourceRevision).toBe("9");
  });

  it("leaves sourceRevision unset for sources without revisions (files)", async () => {
    const { manager } = await start();
    await manager.reloadConfig();
    expect(manager.status.sourceRevision).toBeUndefined();
    expect(manager.getSnapshots()[0]).not.toHaveProperty("revision");
  });
});

describe("logFailures", () => {
  function recordingLogger(): Logger & { warnings: string[] } {
    const warnings: string[] = [];
    return { warnings, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  }

  it("warns about a failed reload by default, and not with logFailures: false; the event and status stay", async () => {
    for (const logFailures of [undefined, false]) {
      const logger = recordingLogger();
      const { manager, source, events } = await start({ logger, logFailures });
      source.set({ name: 1 });
      await expect(manager.reloadConfig()).rejects.toBeInstanceOf(ConfigValidationError);
      expect(logger.warnings.filter((w) => w.includes("failed; keeping version"))).toHaveLength(
        logFailures === false ? 0 : 1,
      );
      expect(events.events.filter((e) => e.type === ConfigEventType.CONFIG_RELOAD_FAILED)).toHaveLength(1);
      expect(manager.status.lastError?.code).toBe("INVALID_CONFIG");
      await manager.close();
    }
  });
});
