import { normalizeArgv, summarizeConfig } from "@aiq/config-cli";
import { describe, expect, it } from "vitest";

const COMMANDS = new Set(["reload", "interactive", "watch", "schema"]);

describe("normalizeArgv", () => {
  it("moves -c/--config/-o/-v/--json written before the subcommand after it", () => {
    expect(normalizeArgv(["-c", "a.yml", "-v", "reload", "--validate-only"], COMMANDS)).toEqual([
      "reload",
      "-c",
      "a.yml",
      "-v",
      "--validate-only",
    ]);
    expect(normalizeArgv(["--config=a.yml", "--json", "-o", "x=1", "watch"], COMMANDS)).toEqual([
      "watch",
      "--config=a.yml",
      "--json",
      "-o",
      "x=1",
    ]);
  });

  it("leaves everything else alone", () => {
    expect(normalizeArgv(["reload", "-c", "a.yml"], COMMANDS)).toEqual(["reload", "-c", "a.yml"]);
    expect(normalizeArgv(["-c", "a.yml"], COMMANDS)).toEqual(["-c", "a.yml"]);
    expect(normalizeArgv(["-c", "a.yml", "relaod"], COMMANDS)).toEqual(["-c", "a.yml", "relaod"]);
    expect(normalizeArgv(["--help"], COMMANDS)).toEqual(["--help"]);
    expect(normalizeArgv(["-c"], COMMANDS)).toEqual(["-c"]);
  });
});

describe("summarizeConfig", () => {
  it("counts LLMs, tools + functions, and workflows (+1 for a toolkit `workflow`)", () => {
    expect(
      summarizeConfig({
        llms: { a: {}, b: {} },
        tools: { t: {} },
        functions: { f: {}, g: {} },
        workflow: { _type: "react_agent" },
      }),
    ).toEqual({
      llms: 2,
      tools: 3,
      workflows: 1,
    });
    expect(summarizeConfig({ workflows: { w1: {}, w2: {} } })).toEqual({ llms: 0, tools: 0, workflows: 2 });
    expect(summarizeConfig({})).toEqual({ llms: 0, tools: 0, workflows: 0 });
  });
});
