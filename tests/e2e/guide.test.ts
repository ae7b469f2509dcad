// The code examples of the AIQ Toolkit "Configuration Hot-Reload" guide, translated to this API:
// quick start, advanced management, overrides, snapshots and rollback, error handling, and multiple
// environments. Each runs against real files in a temp dir with the default AIQ schema.
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { ConfigReloadError, ConfigValidationError, formatIssue, silentLogger } from "@aiq/config-core";
import { createConfigManager, reloadConfig } from "@aiq/config-loader";
import { type ConfigFixture, createConfigFixture, recordEvents } from "@aiq/config-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { must } from "../support/must.js";

const guideConfig = (temperature = 0.7, model = "meta/llama-3.1-70b-instruct"): string => `general:
  use_uvloop: true

llms:
  main_llm:
    _type: nim
    model_name: ${model}
    temperature: ${temperature}
    max_tokens: 1024
  fallback_llm:
    _type: nim
    model_name: meta/llama-3.1-8b-instruct
    temperature: 0.0

functions:
  wikipedia_search:
    _type: wiki_search
    max_results: 2
  current_datetime:
    _type: current_datetime

workflow:
  _type: react_agent
  tool_names: [wikipedia_search, current_datetime]
  llm_name: main_llm
  verbose: true
  max_iterations: 5
`;

let fx: ConfigFixture;
beforeEach(async () => {
  fx = await createConfigFixture({ files: { "config.yml": guideConfig() } });
});
afterEach(async () => {
  await fx.close();
});

const quiet = { logger: silentLogger, events: createEventManager() };

describe("the guide, in TypeScript", () => {
  it("quick start: create a manager, read the config, reload it after an edit", async () => {
    await using manager = await createConfigManager(fx.path("config.yml"), quiet);
    expect(manager.currentConfig.llms?.main_llm?.temperature).toBe(0.7);

    await fx.save("config.yml", guideConfig(0.2));
    const config = await manager.reloadConfig();
    // The upstream reload returned a path; ours returns the new config.
    expect(config.llms?.main_llm?.temperature).toBe(0.2);
    expect(manager.reloadCount).toBe(1);
  });

  it("advanced management: validate only, status, listeners on a section", async () => {
    await using manager = await createConfigManager(fx.path("config.yml"), quiet);
    const llmChanges: string[][] = [];
    manager.subscribe("llms", (_config, change) => {
      llmChanges.push([...change.changedPaths]);
    });

    await fx.save("config.yml", guideConfig(0.3));
    const candidate = await manager.reloadConfig({ validateOnly: true });
    expect(candidate.llms?.main_llm?.temperature).toBe(0.3);
    expect(manager.currentConfig.llms?.main_llm?.temperature).toBe(0.7);

    await manager.reloadConfig();
    expect(llmChanges).toEqual([["llms.main_llm.temperature"]]);
    expect(manager.status).toMatchObject({
      version: 2,
      reloadCount: 1,
      missing: false,
      sourceId: fx.path("config.yml"),
    });
  });

  it("overrides: dot-notation values that survive every reload", async () => {
    await using manager = await createConfigManager(fx.path("config.yml"), {
      ...quiet,
      overrides: { "llms.main_llm.temperature": "0.9", "workflow.max_iterations": "10" },
    });
    expect(manager.currentConfig.llms?.main_llm?.temperature).toBe(0.9);
    expect(manager.currentConfig.workflow?.max_iterations).toBe(10);

    await fx.save("config.yml", guideConfig(0.1, "meta/llama-3.3-70b-instruct"));
    await manager.reloadConfig();
    expect(manager.currentConfig.llms?.main_llm?.model_name).toBe("meta/llama-3.3-70b-instruct");
    expect(manager.currentConfig.llms?.main_llm?.temperature).toBe(0.9);

    await manager.setOverrides({ "llms.main_llm.temperature": 0.5 });
    expect(manager.configOverrides).toEqual({ "llms.main_llm.temperature": "0.5" });
    expect(manager.currentConfig.llms?.main_llm?.temperature).toBe(0.5);
    expect(manager.currentConfig.workflow?.max_iterations).toBe(5);
  });

  it("snapshots and rollback: list, roll back one step, clear", async () => {
    await using manager = await createConfigManager(fx.path("config.yml"), quiet);
    await fx.save("config.yml", guideConfig(0.2));
    await manager.reloadConfig();
    await fx.save("config.yml", guideConfig(0.4));
    await manager.reloadConfig();

    const snapshots = manager.getSnapshots();
    expect(snapshots.map((s) => s.config.llms?.main_llm?.temperature)).toEqual([0.4, 0.2, 0.7]);
    expect(snapshots.map((s) => s.reason)).toEqual(["reload", "reload", "initial"]);

    // rollback(1) after two reloads lands on the first reload's config (upstream skipped it).
    await manager.rollbackConfig(1);
    expect(manager.currentConfig.llms?.main_llm?.temperature).toBe(0.2);
    expect(manager.reloadCount).toBe(3);

    manager.clearSnapshots();
    expect(manager.getSnapshots()).toHaveLength(1);
    await expect(manager.rollbackConfig(1)).rejects.toBeInstanceOf(ConfigReloadError);
  });

  it("error handling: an invalid save is refused with every issue and the last good config stays", async () => {
    await using manager = await createConfigManager(fx.path("config.yml"), quiet);
    const events = recordEvents(manager.events);
    await fx.save("config.yml", guideConfig(-1).replace("max_iterations: 5", "max_iterations: 0"));
    const error = await manager.reloadConfig().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigValidationError);
    const issues = (error as ConfigValidationError).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(["llms.main_llm.temperature", "workflow.max_iterations"]);
    const temperature = issues.find((i) => i.path === "llms.main_llm.temperature");
    expect(temperature).toMatchObject({ file: fx.path("config.yml"), line: 8 });
    expect(formatIssue(must(temperature, "the temperature issue"))).toMatch(
      /config\.yml:8:\d+ llms\.main_llm\.temperature: /,
    );
    // A failed reload leaves no snapshot behind (upstream did).
    expect(manager.getSnapshots()).toHaveLength(1);
    expect(manager.currentConfig.llms?.main_llm?.temperature).toBe(0.7);
    expect(events.types()).toEqual([ConfigEventType.CONFIG_RELOAD_FAILED]);

    await fx.remove("config.yml");
    const missing = (await manager.reloadConfig().catch((e: unknown) => e)) as ConfigReloadError;
    expect(missing).toBeInstanceOf(ConfigReloadError);
    expect(missing.code).toBe("ENOENT");
    expect(manager.status.missing).toBe(true);
  });

  it("multiple environments: one base file, one file per environment, each validated on its own", async () => {
    await fx.save("base.yml", guideConfig());
    await fx.save("dev.yml", "base: base.yml\nllms:\n  main_llm:\n    temperature: 0.9\n");
    await fx.save("prod.yml", "base: base.yml\nllms:\n  main_llm:\n    temperature: 0.1\n    max_tokens: 4096\n");
    const dev = await reloadConfig(fx.path("dev.yml"));
    const prod = await reloadConfig(fx.path("prod.yml"), { overrides: { "workflow.verbose": "false" } });
    expect(dev.llms?.main_llm).toMatchObject({
      temperature: 0.9,
      max_tokens: 1024,
      model_name: "meta/llama-3.1-70b-instruct",
    });
    expect(prod.llms?.main_llm).toMatchObject({ temperature: 0.1, max_tokens: 4096 });
    expect(prod.workflow?.verbose).toBe(false);
    expect(dev.workflow?.verbose).toBe(true);
  });
});
