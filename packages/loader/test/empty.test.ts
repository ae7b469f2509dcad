import { ConfigReloadError, isConfigValidationError, silentLogger, type StandardSchemaV1 } from "@aiq/config-core";
import { createEventManager } from "@aiq/config-events";
import { describe, expect, it } from "vitest";
import { createConfigManager, fileSource, parseConfig, reloadConfig } from "../src/index.js";
import { caught, useTempDir } from "./helpers.js";

// Issue 17: an empty document is never a candidate, whatever the schema. A schema that accepts
// anything would take YAML's `null` for an empty file; the loader refuses it first, with code EMPTY.

const tmp = useTempDir();

let validations = 0;
/** Accepts any value, and counts how often it is asked: it must never see an empty document. */
const passThrough: StandardSchemaV1<unknown, unknown> = {
  "~standard": {
    version: 1,
    vendor: "pass-through",
    validate: (value) => {
      validations++;
      return { value };
    },
  },
};

const EMPTY_YAML: [string, string][] = [
  ["0 bytes", ""],
  ["a byte order mark only", "\uFEFF"],
  ["blank lines and spaces", "\n  \n\t\n"],
  ["CRLF blank lines", "\r\n\r\n"],
  ["comments only", "# the config\n  # is coming\n"],
  ["a document marker and a comment", "%YAML 1.2\n--- # start\n...\n"],
];
const DOCUMENTS: [string, string, unknown][] = [
  ["an explicit null", "null\n", null],
  ["a tilde", "~\n", null],
  ["a scalar after the marker", "--- 3\n", 3],
  ["a key after comments", "# c\n\nname: x\n", { name: "x" }],
  ["a mapping without a final newline", "name: x", { name: "x" }],
];

async function expectEmpty(run: () => Promise<unknown>, file: string): Promise<void> {
  const before = validations;
  const error = await caught(run);
  expect(error).toBeInstanceOf(ConfigReloadError);
  expect(isConfigValidationError(error)).toBe(false);
  expect(error).toMatchObject({ code: "EMPTY", sourceId: file });
  expect((error as Error).message).toMatch(new RegExp(`^Config file ${file} is empty`));
  expect(validations).toBe(before); // refused before the schema runs
}

describe("an empty document is refused with EMPTY, whatever the schema", () => {
  it.each(EMPTY_YAML)("reloadConfig: %s", async (_name, text) => {
    const file = await tmp.write("config.yml", text);
    await expectEmpty(() => reloadConfig(file, { schema: passThrough, logger: silentLogger }), file);
  });

  it.each([
    ["0 bytes", ""],
    ["whitespace", " \n\t\r\n"],
  ])("a JSON file of %s", async (_name, text) => {
    const file = await tmp.write("config.json", text);
    await expectEmpty(() => reloadConfig(file, { schema: passThrough, logger: silentLogger }), file);
    await expectEmpty(() => fileSource(file).read(), file);
  });

  it("createConfigManager fails to start on an empty file", async () => {
    const file = await tmp.write("config.yml", "# nothing yet\n");
    await expectEmpty(
      () => createConfigManager(file, { schema: passThrough, events: createEventManager(), logger: silentLogger }),
      file,
    );
  });

  it("a manager keeps the last good config when its file becomes empty, and takes the next content", async () => {
    const file = await tmp.write("config.yml", "counter: 1\n");
    await using manager = await createConfigManager(file, {
      schema: passThrough,
      events: createEventManager(),
      logger: silentLogger,
    });
    const published: unknown[] = [];
    manager.subscribe((config) => {
      published.push(config);
    });
    await tmp.write("config.yml", "");
    await expectEmpty(() => manager.reloadConfig(), file);
    expect(manager.currentConfig).toEqual({ counter: 1 });
    expect(manager.status).toMatchObject({ version: 1, missing: false, lastError: { code: "EMPTY" } });
    await tmp.write("config.yml", "counter: 2\n");
    await manager.reloadConfig();
    expect(manager.status).toMatchObject({ version: 2 });
    expect(manager.status.lastError).toBeUndefined();
    expect(published).toEqual([{ counter: 2 }]);
  });

  it("an empty base file is refused too, naming the base", async () => {
    const base = await tmp.write("base.yml", "\n");
    const file = await tmp.write("config.yml", "base: base.yml\nname: x\n");
    await expectEmpty(() => reloadConfig(file, { schema: passThrough, logger: silentLogger }), base);
  });

  it("parseConfig refuses empty text, naming the file", () => {
    expect(() => parseConfig("  # c\n", { filename: "agent.yml" })).toThrow(
      expect.objectContaining({
        code: "EMPTY",
        message: "Config file agent.yml is empty (only whitespace and comments)",
      }),
    );
    expect(() => parseConfig("", { filename: "agent.json" })).toThrow(
      expect.objectContaining({ code: "EMPTY", message: "Config file agent.json is empty" }),
    );
  });

  it.each(DOCUMENTS)("%s is a document, not an empty one: the schema decides", async (_name, text, data) => {
    const file = await tmp.write("config.yml", text);
    expect(await reloadConfig(file, { schema: passThrough, logger: silentLogger })).toEqual(data);
  });
});
