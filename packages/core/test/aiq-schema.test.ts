import { readdirSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { aiqConfigSchema } from "../src/index.js";

const fixtures = fileURLToPath(new URL("./fixtures/nat-examples/", import.meta.url));
const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

// Files under the toolkit's `examples/**/configs/` that the toolkit cannot load as a workflow config
// either, kept as fixtures so the test shows the schema rejects each for that reason: broken or stale
// upstream files, and red-teaming runner configs (another format: its `base_workflow` names the
// workflow config). Git symbolic links, stored as their target path, are found by `symlinkTarget`.
const NOT_WORKFLOW_CONFIGS: Record<string, { reason: string; yamlError?: true; paths?: string[] }> = {
  "examples__basic__frameworks__multi_frameworks__src__aiq_multi_frameworks__configs__config.yml": {
    reason: "not valid YAML: a `key : value` pair is indented as a continuation of `llm : nim_llm`",
    yamlError: true,
  },
  "examples__evaluation_and_profiling__swe_bench__src__nat_swe_bench__configs__config_iterative.yml": {
    reason: "`llms:` twice at the top level; YAML forbids duplicate keys (PyYAML silently keeps the last)",
    yamlError: true,
  },
  "examples__notebooks__retail_sales_agent__src__nat_retail_sales_agent__configs__config_tracing.yml": {
    reason: "not valid YAML: `path:./tmp/...` has no space after the colon, so it is not a key",
    yamlError: true,
  },
  "examples__configs__openai_ssl_disabled_example.yml": {
    reason:
      "not a toolkit config: top-level `workflow_name`, `framework`, `llm`, `embedder` (the toolkit forbids unknown keys)",
    paths: ["workflow_name", "framework", "llm", "embedder"],
  },
  "examples__A2A__calculator_a2a__configs__config_protected.yml": {
    // Its `function_groups` list passes: valibot's record schema takes a list (indexes become names).
    reason: "a draft in a made-up format: a top-level `front_ends` list, `function_groups` as a list",
    paths: ["front_ends"],
  },
  "examples__simple_calculator__src__aiq_simple_calculator__configs__config-mcp-date-stdio.yml": {
    reason:
      "an early MCP draft: `client_functions` is no toolkit section, and its workflow names tools nothing defines",
    paths: ["client_functions"],
  },
  ...Object.fromEntries(
    ["red-teaming", "red-teaming-with-defenses", "red-teaming-with-guardrails"].map((name) => [
      `examples__safety_and_security__retail_agent__src__nat_retail_agent__configs__${name}.yml`,
      {
        reason: "a red-teaming runner config (`nat red-team`), not a workflow config",
        paths: ["base_workflow", "evaluator_defaults", "scenarios"],
      },
    ]),
  ),
};

function fixtureFiles(): string[] {
  return readdirSync(fixtures)
    .filter((name) => name.endsWith(".yml"))
    .sort();
}

// The fixture a git symbolic link points to, if `name` is one: git stores a link as one line, its
// target path, which YAML reads as a string. The link's own path is `name` with `__` as `/`.
function symlinkTarget(name: string): string | undefined {
  const text = readFileSync(fixtures + name, "utf8");
  if (text.includes("\n") || !/\.ya?ml$/.test(text)) return undefined;
  const linkDir = posix.dirname(name.replaceAll("__", "/"));
  // An absolute target (a developer's checkout) is read from its `examples/` folder on.
  const target = posix.isAbsolute(text)
    ? text.slice(text.indexOf("/examples/") + 1)
    : posix.normalize(posix.join(linkDir, text));
  return target.replaceAll("/", "__");
}

// What the loader hands the schema, minus env interpolation: `base:` is resolved and stripped first.
function load(file: string): unknown {
  const data: unknown = YAML.parse(readFileSync(file, "utf8"));
  if (typeof data === "object" && data !== null && !Array.isArray(data)) delete (data as Record<string, unknown>).base;
  return data;
}

function issuesOf(data: unknown): { path: string; message: string }[] {
  const result = v.safeParse(aiqConfigSchema, data);
  return result.success
    ? []
    : result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? "", message: issue.message }));
}

describe("aiqConfigSchema on the NeMo Agent Toolkit's example configs", () => {
  const files = fixtureFiles();
  const symlinks = files.filter((name) => symlinkTarget(name) !== undefined);
  const valid = files.filter((name) => !(name in NOT_WORKFLOW_CONFIGS) && !symlinks.includes(name));

  it("has the fixtures", () => {
    expect(files.length).toBe(313);
    expect(valid.length).toBeGreaterThan(290);
  });

  it.each(valid)("accepts %s", (name) => {
    expect(issuesOf(load(fixtures + name))).toEqual([]);
  });

  it.each(Object.entries(NOT_WORKFLOW_CONFIGS))("rejects %s, which the toolkit cannot load either", (name, known) => {
    if (known.yamlError) {
      expect(() => load(fixtures + name)).toThrow();
      return;
    }
    const paths = issuesOf(load(fixtures + name)).map((issue) => issue.path);
    expect(paths.sort()).toEqual([...(known.paths ?? [])].sort());
  });

  it.each(symlinks)("rejects the symbolic link %s at the root; its target is accepted", (name) => {
    expect(issuesOf(load(fixtures + name))).toEqual([
      { path: "", message: "the config must be a mapping of sections" },
    ]);
    expect(valid).toContain(symlinkTarget(name));
  });
});

describe("aiqConfigSchema on this repository's examples", () => {
  it.each(["config.yml", "agent.yml"])("accepts examples/%s", (name) => {
    expect(issuesOf(load(examples + name))).toEqual([]);
  });
});

describe("aiqConfigSchema rejections", () => {
  const llms = (settings: Record<string, unknown>): unknown => ({
    llms: { main_llm: { _type: "nim", model_name: "meta/llama-3.1-70b-instruct", ...settings } },
  });

  it("rejects a misspelled top-level section at its key, with a hint", () => {
    expect(issuesOf({ llm: { main_llm: { _type: "nim" } }, workflow: { _type: "react_agent" } })).toEqual([
      { path: "llm", message: 'unknown top-level section "llm"; did you mean "llms"?' },
    ]);
  });

  it("lists the sections when a key is nothing like one", () => {
    const [issue] = issuesOf({ database: {} });
    expect(issue?.path).toBe("database");
    expect(issue?.message).toMatch(/^unknown top-level section "database"; the sections are: general, llms, /);
  });

  it("reports every unknown section, not just the first", () => {
    expect(issuesOf({ llm: {}, tool: {} }).map((issue) => issue.path)).toEqual(["llm", "tool"]);
  });

  it.each([
    ["temperature", -1, "temperature must be a number >= 0"],
    ["temperature", "hot", "temperature must be a number >= 0"],
    ["max_tokens", 0, "max_tokens must be a positive integer"],
    ["max_tokens", 1.5, "max_tokens must be a positive integer"],
    ["max_iterations", 1.5, "max_iterations must be a positive integer"],
    ["max_iterations", -3, "max_iterations must be a positive integer"],
    ["timeout", 0, "timeout must be a positive number (seconds)"],
    ["timeout", "30s", "timeout must be a positive number (seconds)"],
  ])("rejects %s: %j with the full dotted path", (field, value, message) => {
    expect(issuesOf(llms({ [field]: value }))).toEqual([{ path: `llms.main_llm.${field}`, message }]);
  });

  it.each([
    ["workflow", { workflow: { _type: "react_agent", max_iterations: 0 } }, "workflow.max_iterations"],
    [
      "workflows",
      { workflows: { main: { _type: "react_agent", max_iterations: 2.5 } } },
      "workflows.main.max_iterations",
    ],
    ["functions", { functions: { search: { _type: "tavily", timeout: -5 } } }, "functions.search.timeout"],
    ["tools", { tools: { search: { _type: "tavily", timeout: 0 } } }, "tools.search.timeout"],
    ["embedders", { embedders: { e: { _type: "nim", max_tokens: 0 } } }, "embedders.e.max_tokens"],
    [
      "eval.evaluators",
      { eval: { evaluators: { judge: { _type: "ragas", temperature: -0.1 } } } },
      "eval.evaluators.judge.temperature",
    ],
    ["general.front_end", { general: { front_end: { _type: "fastapi", timeout: 0 } } }, "general.front_end.timeout"],
  ])("types the common fields in %s too", (_section, config, path) => {
    expect(issuesOf(config).map((issue) => issue.path)).toEqual([path]);
  });

  it("reports every bad field at once", () => {
    expect(issuesOf(llms({ temperature: -1, max_tokens: 0 })).map((issue) => issue.path)).toEqual([
      "llms.main_llm.temperature",
      "llms.main_llm.max_tokens",
    ]);
  });

  it("rejects a component that is not a mapping, and a non-string _type", () => {
    expect(issuesOf({ llms: { main_llm: "nim" }, workflow: { _type: 3 } })).toEqual([
      { path: "llms.main_llm", message: "a component must be a mapping of its settings" },
      { path: "workflow._type", message: "_type must be a string naming the component type" },
    ]);
  });

  it("rejects a config that is not a mapping", () => {
    expect(issuesOf("llms")).toEqual([{ path: "", message: "the config must be a mapping of sections" }]);
    expect(issuesOf(null)).toEqual([{ path: "", message: "the config must be a mapping of sections" }]);
    expect(issuesOf(["llms"])).toEqual([
      { path: "0", message: "the config must be a mapping of sections, not a list" },
    ]);
  });
});

describe("aiqConfigSchema acceptance", () => {
  it("keeps unknown component fields and accepts the edge values", () => {
    const config = {
      llms: {
        main_llm: { _type: "nim", temperature: 0, max_tokens: 1, top_p: 0.9, seed: 33, extra: { any: ["thing"] } },
      },
      workflow: { _type: "react_agent", max_iterations: 1, timeout: 0.5, tool_names: ["search"] },
      functions: { search: { timeout: null } },
    };
    const result = v.safeParse(aiqConfigSchema, config);
    expect(result.success && result.output).toEqual(config);
  });

  it("accepts an empty config: every section is optional", () => {
    expect(issuesOf({})).toEqual([]);
  });
});
