import * as fs from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCliText, validConfig } from "./helpers.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

async function printedSchema(argv: string[] = ["schema"]): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await runCliText(argv);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function exampleFiles(): Promise<string[]> {
  const names = await fs.readdir(EXAMPLES).catch(() => [] as string[]);
  return names.filter((name) => /\.ya?ml$/.test(name)).map((name) => path.join(EXAMPLES, name));
}

describe("aiq-config schema", () => {
  it("prints a JSON Schema (draft-07) of the config, with or without --json", async () => {
    const schema = await printedSchema();
    expect(schema.$schema).toMatch(/draft-07/);
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties as object)).toEqual(expect.arrayContaining(["llms", "functions", "workflow"]));
    expect(await printedSchema(["schema", "--json"])).toEqual(schema);
  });

  it("accepts a valid config and rejects an unknown top-level key (ajv)", async () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(await printedSchema());
    expect(validate(parse(validConfig())), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...parse(validConfig()), llmz: {} })).toBe(false);
  });

  it("accepts every examples/*.yml (ajv)", async () => {
    const files = await exampleFiles();
    if (files.length === 0) console.warn(`no examples/*.yml in ${EXAMPLES} yet; only the test config was checked`);
    const validate = new Ajv({ strict: false, allErrors: true }).compile(await printedSchema());
    for (const file of files) {
      const document = parse(await fs.readFile(file, "utf8"));
      expect(validate(document), `${file}: ${JSON.stringify(validate.errors, null, 2)}`).toBe(true);
    }
  });
});
