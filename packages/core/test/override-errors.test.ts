// Every error an override causes names the override, and applyOverrides, resolveConfig and the
// manager say the same thing: override issues are placed before they are thrown, never caught and
// built again.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { aiqConfigSchema, applyOverrides, formatIssue, resolveConfig, type SourceDocument } from "../src/index.js";
import { rejectedValidationError, thrownValidationError } from "../../../tests/support/validation-error.js";
import { setup, testSchema } from "./helpers.js";

const doc = (data: unknown): SourceDocument => ({ data, checksum: "test" });
const aiqDocument = {
  llms: { main_llm: { _type: "nim", model_name: "m", temperature: 0.7 } },
  workflow: { _type: "react_agent", llm_name: "main_llm" },
};
const TYPO = 'override "lmms.main_llm.temperature": lmms: unknown top-level section "lmms"; did you mean "llms"?';

describe("an error caused by an override names the override", () => {
  it("a typo'd top-level key: resolveConfig and the manager print the override before the issue", async () => {
    await expect(resolveConfig(doc(aiqDocument))).resolves.toBeDefined();
    const overrides = { "lmms.main_llm.temperature": "0.9" };
    const resolved = await rejectedValidationError(
      resolveConfig(doc(aiqDocument), { overrides, sourceId: "config.yml" }),
    );
    expect(resolved.issues).toEqual([
      {
        path: "lmms",
        override: "lmms.main_llm.temperature",
        message: 'unknown top-level section "lmms"; did you mean "llms"?',
      },
    ]);
    expect(resolved.message).toBe(`Invalid config (1 issue):\n  ${TYPO}`);

    const { manager } = await setup({ schema: aiqConfigSchema as never }, aiqDocument);
    const managed = await rejectedValidationError(manager.setOverrides(overrides));
    expect(managed.message).toBe(resolved.message);
    expect(manager.status.lastError?.issues).toEqual(resolved.issues);
  });

  it("a value an override wrote, or a mapping it created, is the override's issue; the file's own stay the file's", async () => {
    const locate = (path: readonly (string | number)[]) => ({ file: "config.yml", line: path.length + 1, column: 3 });
    const data = { name: 7, llms: { fallback: { model: "f" } } };
    const error = await rejectedValidationError(
      resolveConfig(
        { ...doc(data), locate },
        {
          schema: testSchema,
          overrides: { "llms.fallback.temperature": -1, "llms.main.temperature": 0.5 },
          sourceId: "config.yml",
        },
      ),
    );
    expect(error.issues?.map(formatIssue).sort()).toEqual([
      "config.yml:2:3 name: Invalid type: Expected string but received 7",
      'override "llms.fallback.temperature": llms.fallback.temperature: Invalid value: Expected >=0 but received -1',
      'override "llms.main.temperature": llms.main.model: Invalid key: Expected "model" but received undefined',
    ]);
  });

  it("formatIssue puts the override where a position would be", () => {
    expect(formatIssue({ path: "lmms", message: "unknown", override: "lmms.x" })).toBe(
      'override "lmms.x": lmms: unknown',
    );
  });
});

describe("applyOverrides, resolveConfig and the manager say the same thing", () => {
  const schema = v.object({ name: v.string(), llms: v.record(v.string(), v.object({ model: v.string() })) });
  const data = { name: "n", llms: { main: { model: "m" } } };

  it.each([
    ["a path through a scalar", { "name.first": "x" }, "INVALID_OVERRIDE"],
    ["a malformed path", { "llms..model": "x" }, "INVALID_PATH"],
    ["two overrides of one key", { "llms.main.model": "a", 'llms.main."model"': "b" }, "INVALID_OVERRIDE"],
  ])("%s", async (_name, overrides, code) => {
    const direct = thrownValidationError(() => applyOverrides(data, overrides, { schema }));
    expect(direct.message).toMatch(/^Invalid overrides \(1 issue\):\n {2}\S.* override "/);
    expect(direct.code).toBe(code);
    const resolved = await rejectedValidationError(resolveConfig(doc(data), { schema, overrides }));
    expect([resolved.code, resolved.message]).toEqual([code, direct.message]);
    const { manager } = await setup({ schema: schema as unknown as typeof testSchema }, data);
    const managed = await rejectedValidationError(manager.setOverrides(overrides));
    expect([managed.code, managed.message]).toEqual([code, direct.message]);
  });

  it("an override the schema does not keep is an override error, in resolveConfig and the manager alike", async () => {
    const overrides = { "llms.main.modle": "x" };
    const resolved = await rejectedValidationError(resolveConfig(doc(data), { schema, overrides }));
    expect(resolved.code).toBe("INVALID_OVERRIDE");
    expect(resolved.message).toBe(
      'Invalid overrides (1 issue):\n  llms.main.modle: override "llms.main.modle" sets a key the schema does not keep (misspelled?)',
    );
    const { manager } = await setup({ schema: schema as unknown as typeof testSchema }, data);
    expect((await rejectedValidationError(manager.setOverrides(overrides))).message).toBe(resolved.message);
  });
});
