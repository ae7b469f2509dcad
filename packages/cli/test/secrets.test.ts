import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY, runCliText, validConfig } from "./helpers.js";

// RELIABILITY.md scenario 33: the secret never reaches the CLI's output, text or --json, whatever fails.
let dir: string;

beforeAll(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "aiq-cli-secrets-")));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const CASES: Record<string, string> = {
  "yaml-syntax-on-the-secret-line.yml": validConfig().replace(`api_key: ${CANARY}`, `api_key: "${CANARY}`),
  "yaml-mapping-error-on-the-secret-line.yml": validConfig().replace(`api_key: ${CANARY}`, `api_key: ${CANARY}: x`),
  "json-syntax-next-to-the-secret.json": `{"llms": {"main_llm": {"_type": "nim", "api_key": "${CANARY}" "temperature": 1}}}`,
  "schema-failure-beside-the-secret.yml": validConfig(-1),
  "secret-of-the-wrong-type.yml": validConfig().replace(`api_key: ${CANARY}`, `api_key: [${CANARY}]`),
  "valid.yml": validConfig(),
};

describe("secrets never reach the CLI's output", () => {
  for (const [name, content] of Object.entries(CASES)) {
    it(name, async () => {
      const file = path.join(dir, name);
      await fs.writeFile(file, content);
      for (const argv of [
        ["-c", file, "reload"],
        ["-c", file, "reload", "--json"],
        ["-c", file, "-v", "reload", "--validate-only"],
        ["-c", file, "reload", "--json", "-o", `llms.fast_llm.api_key=${CANARY}`, "-o", "llms.fast_llm.temperature=-2"],
      ]) {
        const { stdout, stderr } = await runCliText(argv);
        expect(stdout + stderr, argv.join(" ")).not.toContain(CANARY);
      }
      const session = await runCliText(["-c", file, "interactive"], { input: "r\nv\ns\ni\nb 1\n" });
      expect(session.stdout + session.stderr).not.toContain(CANARY);
    });
  }
});
