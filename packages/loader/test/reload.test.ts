// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` placeholders in plain strings are the input under test.
import { mkdir, rm } from "node:fs/promises";
import { createEventManager } from "@aiq/config-events";
import {
  ConfigReloadError,
  ConfigValidationError,
  type Logger,
  silentLogger,
  type StandardSchemaV1,
} from "@aiq/config-core";
import { describe, expect, it } from "vitest";
import { createConfigManager, reloadConfig } from "../src/index.js";
import { caught, everythingShown, useTempDir } from "./helpers.js";

// These tests run core's pipeline (resolveConfig) and ConfigManager over real files.

const tmp = useTempDir();

interface AppConfig {
  name: string;
  llms: Record<string, { model: string; temperature: number; api_key?: string }>;
}

/** A small hand-written Standard Schema: the loader has no schema library of its own. */
const appSchema: StandardSchemaV1<unknown, AppConfig> = {
  "~standard": {
    version: 1,
    vendor: "test",
    validate(value) {
      const issues: StandardSchemaV1.Issue[] = [];
      const data = value as Partial<AppConfig> | null;
      if (typeof data?.name !== "string") issues.push({ message: "expected a string", path: ["name"] });
      for (const [id, llm] of Object.entries(data?.llms ?? {})) {
        if (typeof llm?.model !== "string") issues.push({ message: "expected a string", path: ["llms", id, "model"] });
        if (typeof llm?.temperature !== "number" || llm.temperature < 0) {
          issues.push({ message: "expected a number >= 0", path: ["llms", id, "temperature"] });
        }
      }
      return issues.length > 0 ? { issues } : { value: data as AppConfig };
    },
  },
};

const valid = "name: demo\nllms:\n  main:\n    model: m\n    temperature: 0.5\n";

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (message: string): void => {
    lines.push(message);
  };
  return { lines, debug: log, info: log, warn: log, error: log };
}

describe("reloadConfig", () => {
  it("loads, validates and deep-freezes one file", async () => {
    const path = await tmp.write("config.yml", valid);
    const config = await reloadConfig(path, { schema: appSchema, logger: silentLogger });
    expect(config).toEqual({ name: "demo", llms: { main: { model: "m", temperature: 0.5 } } });
    expect(Object.isFrozen(config.llms.main)).toBe(true);
  });

  it("applies overrides, and validateOnly changes nothing either way", async () => {
    const path = await tmp.write("config.yml", valid);
    const overrides = { "llms.main.temperature": "0.9" };
    const config = await reloadConfig(path, { schema: appSchema, overrides, validateOnly: true, logger: silentLogger });
    expect(config.llms.main?.temperature).toBe(0.9);
  });

  it("reports schema issues with the line, column and file where each value was written, base files included", async () => {
    await tmp.write("base.yml", "name: demo\nllms:\n  main:\n    model: m\n    temperature: -1\n");
    const path = await tmp.write("config.yml", "base: base.yml\nllms:\n  other:\n    model: 3\n    temperature: 1\n");
    const error = await caught(() => reloadConfig(path, { schema: appSchema, logger: silentLogger }));
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "llms.main.temperature", file: tmp.path("base.yml"), line: 5, column: 18 }),
        expect.objectContaining({ path: "llms.other.model", file: path, line: 4, column: 12 }),
      ]),
    );
  });

  it("throws ConfigReloadError ENOENT for a missing file", async () => {
    const error = await caught(() =>
      reloadConfig(tmp.path("missing.yml"), { schema: appSchema, logger: silentLogger }),
    );
    expect(error).toBeInstanceOf(ConfigReloadError);
    expect(error).toMatchObject({ code: "ENOENT" });
  });

  it("throws the parse error for a broken file, never the secret on its line", async () => {
    const path = await tmp.write("config.yml", 'name: demo\nllms:\n  main:\n    api_key: "sk-CANARY-123\n');
    const error = await caught(() => reloadConfig(path, { schema: appSchema, logger: silentLogger }));
    expect(error).toMatchObject({ code: "SYNTAX" });
    expect(everythingShown(error)).not.toContain("CANARY");
  });

  it("logs unset variables as warnings", async () => {
    const path = await tmp.write(
      "config.yml",
      "name: ${APP_NAME:-demo}\nllms:\n  main:\n    model: ${MODEL}\n    temperature: 0\n",
    );
    const logger = recordingLogger();
    const config = await reloadConfig(path, { schema: appSchema, env: {}, logger });
    expect(config.llms.main?.model).toBe("");
    expect(logger.lines.some((line) => line.includes("MODEL is not set"))).toBe(true);
  });
});

describe("createConfigManager", () => {
  it("creates a manager over the file and reloads what is saved to it or to its base", async () => {
    await tmp.write("base.yml", valid);
    const path = await tmp.write("config.yml", "base: base.yml\nname: first\n");
    await using manager = await createConfigManager(path, {
      schema: appSchema,
      events: createEventManager(),
      logger: silentLogger,
    });
    expect(manager.currentConfig.name).toBe("first");
    expect(manager.status.sourceId).toBe(path);
    await tmp.write("base.yml", valid.replace("0.5", "0.7"));
    const next = await manager.reloadConfig();
    expect(next.llms.main?.temperature).toBe(0.7);
    expect(manager.reloadCount).toBe(1);
  });

  it("keeps the last good config when a save is invalid", async () => {
    const path = await tmp.write("config.yml", valid);
    await using manager = await createConfigManager(path, {
      schema: appSchema,
      events: createEventManager(),
      logger: silentLogger,
    });
    await tmp.write("config.yml", "name: demo\nname: again\n");
    await expect(manager.reloadConfig()).rejects.toMatchObject({ code: "DUPLICATE_KEY" });
    expect(manager.currentConfig.name).toBe("demo");
  });

  const refused: [string, string | Uint8Array, string][] = [
    ["an oversized file", `name: ${"x".repeat(200)}\n`, "TOO_LARGE"],
    ["invalid UTF-8", new Uint8Array([0x6e, 0x3a, 0x20, 0xc3, 0x28, 0x0a]), "ENCODING"],
    [
      "a billion laughs",
      `a: &a [1,1,1,1,1,1,1,1,1]\n${"bcdefghi"
        .split("")
        .map((n, i) => `${n}: &${n} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`)
        .join("\n")}\n`,
      "RESOURCE_LIMIT",
    ],
    ["deep nesting", `${"[".repeat(5000)}1${"]".repeat(5000)}`, "RESOURCE_LIMIT"],
    ["a custom tag", "name: !!js/function 'function(){}'\n", "UNSUPPORTED_TAG"],
  ];
  it.each(refused)("retains the last good config when the file becomes %s", async (_name, content, code) => {
    const path = await tmp.write("config.yml", valid);
    await using manager = await createConfigManager(path, {
      schema: appSchema,
      ...(code === "TOO_LARGE" ? { maxBytes: 150 } : {}),
      events: createEventManager(),
      logger: silentLogger,
    });
    await tmp.write("config.yml", content);
    await expect(manager.reloadConfig()).rejects.toMatchObject({ code });
    expect(manager.currentConfig).toEqual({ name: "demo", llms: { main: { model: "m", temperature: 0.5 } } });
    expect(manager.status).toMatchObject({ version: 1, reloadCount: 0, lastError: { code } });
  });

  it("retains the last good config when the file is replaced by a directory or removed", async () => {
    const path = await tmp.write("config.yml", valid);
    await using manager = await createConfigManager(path, {
      schema: appSchema,
      events: createEventManager(),
      logger: silentLogger,
    });
    await rm(path);
    await expect(manager.reloadConfig()).rejects.toMatchObject({ code: "ENOENT" });
    expect(manager.status.missing).toBe(true);
    await mkdir(path);
    await expect(manager.reloadConfig()).rejects.toMatchObject({ code: "EISDIR" });
    expect(manager.currentConfig.name).toBe("demo");
  });

  it("passes file limits to the source", async () => {
    const path = await tmp.write("config.yml", valid);
    await expect(
      createConfigManager(path, { schema: appSchema, maxBytes: 10, logger: silentLogger }),
    ).rejects.toMatchObject({ code: "TOO_LARGE" });
  });
});

describe("reloadConfig with a custom schema: the syntax messages and code frames, none of the AIQ checks", () => {
  it("reports a syntax error at the bracket that opened it, with its path and a masked frame", async () => {
    const file = await tmp.write(
      "app.yml",
      "name: app\nllms:\n  main:\n    model: [m1, m2\n    api_key: sk-CANARY-42\n",
    );
    const error = await caught(() => reloadConfig(file, { schema: appSchema, logger: silentLogger }));
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).issues).toEqual([
      expect.objectContaining({
        path: "llms.main.model",
        line: 4,
        column: 12,
        frame: expect.stringContaining("  5 |     api_key: ***"),
      }),
    ]);
    expect(everythingShown(error)).not.toContain("CANARY");
  });

  it("frames the schema's own issues from the file's text; names that point nowhere are the schema's business", async () => {
    const file = await tmp.write(
      "app.yml",
      "name: app\nllms:\n  main:\n    model: m\n    temperature: -1\n    api_key: sk-CANARY-42\n    llm_name: nowhere\n",
    );
    const error = await caught(() => reloadConfig(file, { schema: appSchema, logger: silentLogger }));
    expect((error as ConfigValidationError).issues).toEqual([
      expect.objectContaining({
        path: "llms.main.temperature",
        line: 5,
        frame: expect.stringMatching(/^> 5 \| {5}temperature: -1\n {4}\| {18}\^\n {2}6 \| {5}api_key: \*\*\*$/m),
      }),
    ]);
    expect(everythingShown(error)).not.toContain("CANARY");
  });
});
