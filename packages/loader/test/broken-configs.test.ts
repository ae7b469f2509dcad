import { type ConfigIssue, type ConfigValidationError, formatIssue, silentLogger } from "@aiq/config-core";
import { describe, expect, it } from "vitest";
import { reloadConfig } from "../src/index.js";
import { rejectedValidationError } from "../../../tests/support/validation-error.js";
import { BROKEN_CONFIGS, CANARY } from "./broken-configs.js";
import { useTempDir } from "./helpers.js";

const failure = (path: string, strictKeys: boolean): Promise<ConfigValidationError> =>
  rejectedValidationError(reloadConfig(path, { env: {}, strictKeys, logger: silentLogger }));

function printed(error: ConfigValidationError): string {
  return [
    error.message,
    ...error.issues.map((issue) => `${formatIssue(issue)}\n${issue.frame ?? ""}`),
    JSON.stringify(error.issues),
  ].join("\n");
}

describe("broken configs written from real mistakes: the message a person fixes in one look", () => {
  const tmp = useTempDir();

  it("has at least 40 of them", () => {
    expect(BROKEN_CONFIGS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(BROKEN_CONFIGS.map((c) => [c.name, c] as const))("%s", async (_name, broken) => {
    const text = broken.lines.join("\n");
    // The canary sits on the line of the mistake.
    expect(broken.lines[broken.line - 1]).toContain(CANARY);
    const path = await tmp.write(broken.file ?? "config.yml", `${text}\n`);
    const error = await failure(path, broken.strictKeys ?? false);
    const issue = error.issues.find((found: ConfigIssue) => found.line === broken.line);
    expect(issue, `no issue on line ${broken.line}:\n${printed(error)}`).toBeDefined();
    expect(issue?.path).toBe(broken.path);
    expect(issue?.message).toMatch(broken.message);
    // The frame points at the line of the mistake.
    expect(issue?.frame).toMatch(new RegExp(`^> +${broken.line} \\|`, "m"));
    expect(printed(error)).not.toContain(CANARY);
  });
});
