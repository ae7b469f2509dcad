import { createConfigManager } from "@aiq/config-loader";
import { createConfigFixture } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";

const config = "llms:\n  main_llm:\n    _type: nim\n    temperature: 0\n    max_tokens: 10\n";

describe("createConfigManager under aiq-config run", () => {
  it("applies AIQ_CONFIG_OVERRIDES to the runner's file only, below explicit overrides", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": config, "other.yml": config } });
    const env = {
      AIQ_CONFIG_FILE: fixture.path("config.yml"),
      AIQ_CONFIG_OVERRIDES: JSON.stringify({ "llms.main_llm.temperature": "0.5", "llms.main_llm.max_tokens": "20" }),
    };
    await using runnerFile = await createConfigManager(fixture.path("config.yml"), {
      env,
      overrides: { "llms.main_llm.max_tokens": 30 },
    });
    expect(runnerFile.currentConfig.llms?.main_llm).toMatchObject({ temperature: 0.5, max_tokens: 30 });
    await using other = await createConfigManager(fixture.path("other.yml"), { env });
    expect(other.currentConfig.llms?.main_llm).toMatchObject({ temperature: 0, max_tokens: 10 });
  });

  it("refuses an AIQ_CONFIG_OVERRIDES that is not a JSON object", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": config } });
    const env = { AIQ_CONFIG_FILE: fixture.path("config.yml"), AIQ_CONFIG_OVERRIDES: "temperature=1" };
    await expect(createConfigManager(fixture.path("config.yml"), { env })).rejects.toMatchObject({
      code: "INVALID_OVERRIDE",
    });
  });
});
