import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { checkAiqConfig } from "../src/aiq-checks.js";
import { KNOWN_COMPONENT_FIELDS } from "../src/aiq-known-fields.js";
import { checkReferences } from "../src/aiq-references.js";
import { aiqConfigSchema, isConfigValidationError, resolveConfig } from "../src/index.js";

const fixtures = fileURLToPath(new URL("./fixtures/nat-examples/", import.meta.url));

// The toolkit's example configs its own schema accepts (the others are listed in aiq-schema.test.ts).
function loadableExamples(): [string, unknown][] {
  const loaded: [string, unknown][] = [];
  for (const name of readdirSync(fixtures)
    .filter((file) => file.endsWith(".yml"))
    .sort()) {
    let data: unknown;
    try {
      data = YAML.parse(readFileSync(fixtures + name, "utf8"));
    } catch {
      continue;
    }
    if (typeof data === "object" && data !== null && !Array.isArray(data))
      delete (data as Record<string, unknown>).base;
    if (v.safeParse(aiqConfigSchema, data).success) loaded.push([name, data]);
  }
  return loaded;
}

// Example configs with a name that points at nothing; the toolkit cannot build them either (its
// WorkflowBuilder raises "Function `...` not found" / "LLM `...` not found" when it builds them).
const DANGLING_IN_THE_TOOLKIT: Record<string, { errors: string[]; warnings: string[] }> = {
  // The workflow names a tool no function, function group or MCP client defines.
  "examples__safety_and_security__hol_guard_middleware__configs__config.yml": {
    errors: ["workflow.tool_names.0"],
    warnings: [],
  },
  // The evaluators name `nim_llm`, which only `nat eval` builds: a warning, the workflow runs.
  "examples__agents__tool_calling__configs__config-responses-api.yml": {
    errors: [],
    warnings: [
      "eval.evaluators.rag_accuracy.llm_name",
      "eval.evaluators.rag_groundedness.llm_name",
      "eval.evaluators.rag_relevance.llm_name",
    ],
  },
};

describe("the reference check and key hints on the NeMo Agent Toolkit's example configs", () => {
  const examples = loadableExamples();

  it("checks 1,658 references in the 294 loadable examples: 1,653 resolve, 1 is an MCP tool that cannot be judged", () => {
    expect(examples.length).toBe(294);
    const totals = { checked: 0, resolved: 0, unverifiable: 0 };
    for (const [, data] of examples) {
      const report = checkReferences(data);
      totals.checked += report.checked;
      totals.resolved += report.resolved;
      totals.unverifiable += report.unverifiable;
    }
    expect(totals).toEqual({ checked: 1658, resolved: 1653, unverifiable: 1 });
  });

  it.each(examples.map(([name, data]) => [name, data] as const))(
    "%s: refused only if the toolkit cannot build it; no key hint",
    (name, data) => {
      const found = checkAiqConfig(data, { strictKeys: true });
      const expected = DANGLING_IN_THE_TOOLKIT[name] ?? { errors: [], warnings: [] };
      expect(found.errors.map((finding) => finding.path.join("."))).toEqual(expected.errors);
      expect(found.warnings.map((finding) => finding.path.join("."))).toEqual(expected.warnings);
    },
  );

  it("knows every key that two or more examples put in a component", () => {
    const files = new Map<string, Set<string>>();
    for (const [name, data] of examples) {
      const config = data as Record<string, Record<string, unknown> | undefined>;
      const components = [
        ...[
          "llms",
          "embedders",
          "functions",
          "function_groups",
          "tools",
          "memory",
          "retrievers",
          "object_stores",
          "authentication",
          "middleware",
          "ttc_strategies",
        ].flatMap((section) => Object.values(config[section] ?? {})),
        config.workflow,
      ];
      for (const component of components) {
        if (typeof component !== "object" || component === null || Array.isArray(component)) continue;
        for (const key of Object.keys(component)) files.set(key, (files.get(key) ?? new Set()).add(name));
      }
    }
    const common = [...files].filter(([, names]) => names.size >= 2).map(([key]) => key);
    expect(common.filter((key) => !KNOWN_COMPONENT_FIELDS.has(key))).toEqual([]);
  });
});

describe("references", () => {
  const base = {
    llms: { main_llm: { _type: "nim" }, fast_llm: { _type: "openai" } },
    embedders: { nv_embed: { _type: "nim" } },
    functions: { internet_search: { _type: "tavily_internet_search" }, calculator: { _type: "calculator" } },
    function_groups: { math: { _type: "calculator_group" } },
  };
  const errorsOf = (config: object): { path: string; message: string }[] =>
    checkAiqConfig(config, { strictKeys: false }).errors.map((finding) => ({
      path: finding.path.join("."),
      message: finding.message,
    }));

  it("resolves names, group members (group__function and the older group.function) and lists", () => {
    const config = {
      ...base,
      workflow: {
        _type: "react_agent",
        llm_name: "main_llm",
        tool_names: ["internet_search", "math", "math__add", "math.subtract"],
      },
      functions: { ...base.functions, rag: { _type: "rag", embedder_name: "nv_embed", llm: "fast_llm" } },
    };
    expect(errorsOf(config)).toEqual([]);
    expect(checkReferences(config)).toMatchObject({ checked: 7, resolved: 7 });
  });

  it("refuses a dangling name at its path with did you mean", () => {
    expect(
      errorsOf({
        ...base,
        workflow: { _type: "react_agent", llm_name: "main_lm", tool_names: ["calculater", "search"] },
      }),
    ).toEqual([
      { path: "workflow.llm_name", message: '"main_lm" is not an LLM defined in llms; did you mean "main_llm"?' },
      {
        path: "workflow.tool_names.0",
        message:
          '"calculater" is not a function, function group or tool defined in functions, function_groups, tools; did you mean "calculator"?',
      },
      {
        path: "workflow.tool_names.1",
        message:
          '"search" is not a function, function group or tool defined in functions, function_groups, tools; did you mean "internet_search"?',
      },
    ]);
  });

  it("names an unknown function group, lists what exists, and says when a section is empty", () => {
    expect(errorsOf({ ...base, workflow: { _type: "react_agent", tool_names: ["maths__add"] } })[0]?.message).toBe(
      '"maths__add" names a member of the function group "maths", which function_groups does not define; did you mean "math__add"?',
    );
    expect(errorsOf({ ...base, workflow: { _type: "react_agent", llm_name: "gpt4o" } })[0]?.message).toBe(
      '"gpt4o" is not an LLM defined in llms (defined: main_llm, fast_llm); add it there, or fix the name',
    );
    expect(errorsOf({ functions: { qa: { _type: "chat", retriever_name: "docs" } } })[0]?.message).toBe(
      '"docs" is not a retriever defined in retrievers: the config defines none; add it there, or fix the name',
    );
  });

  it("checks memory, object stores, retrievers and auth providers at any depth of a component", () => {
    const config = {
      functions: {
        mcp: { _type: "mcp_client", server: { auth_provider: "oauth" }, tool_filter: ["add"] },
        notes: { _type: "n", memory: "mem", object_store: "s3" },
      },
      workflow: { _type: "react_agent", tool_names: ["add"] },
    };
    expect(errorsOf(config).map((error) => error.path)).toEqual([
      "functions.mcp.server.auth_provider",
      "functions.notes.memory",
      "functions.notes.object_store",
    ]);
  });

  it("takes the tools an MCP client lists, and does not judge plain names when one lists none", () => {
    const listed = {
      functions: { mcp: { _type: "mcp_client", tool_filter: { add: { alias: "plus" } } } },
      workflow: { _type: "r", tool_names: ["add", "plus", "minus"] },
    };
    expect(errorsOf(listed).map((error) => error.path)).toEqual(["workflow.tool_names.2"]);
    const open = {
      function_groups: { jira: { _type: "mcp_client", server: {} } },
      workflow: { _type: "r", tool_names: ["create_issue"] },
    };
    expect(errorsOf(open)).toEqual([]);
    expect(checkReferences(open)).toMatchObject({ checked: 1, resolved: 0, unverifiable: 1 });
  });

  it("leaves values that are not component names (a model id in a plugin's llm_name) and inline objects alone", () => {
    const config = {
      functions: {
        chitchat: { _type: "haystack_agent", llm_name: "meta/llama-3.1-405b-instruct", llm: { _type: "nim" } },
      },
    };
    expect(errorsOf(config)).toEqual([]);
    expect(checkReferences(config).checked).toBe(0);
  });

  it("treats keys named like Object's own properties as plain keys", () => {
    const config = JSON.parse(
      '{"functions": {"x": {"constructor": "a", "toString": "b", "__proto__": {"llm_name": "nope"}}}}',
    );
    expect(errorsOf(config).map((error) => error.path)).toEqual(["functions.x.__proto__.llm_name"]);
  });

  it("only warns about a dangling name in eval (only `nat eval` builds it)", () => {
    const found = checkAiqConfig(
      { ...base, eval: { evaluators: { judge: { _type: "ragas", llm_name: "judge_llm" } } } },
      { strictKeys: false },
    );
    expect(found.errors).toEqual([]);
    expect(found.warnings.map((finding) => finding.path.join("."))).toEqual(["eval.evaluators.judge.llm_name"]);
  });
});

describe("unknown keys one or two edits from a known field", () => {
  const config = {
    llms: { main_llm: { _type: "nim", temprature: 0.5, max_token: 100, modle_name: "m", top_k: 5, tags: ["a"] } },
    workflow: { _type: "react_agent", type: "react", mode: "fast" },
  };

  it("warns with did you mean; plugin fields, short real fields and far-off keys pass", () => {
    const found = checkAiqConfig(config, { strictKeys: false });
    expect(found.errors).toEqual([]);
    expect(found.warnings.map((finding) => [finding.path.join("."), finding.message])).toEqual([
      [
        "llms.main_llm.temprature",
        'unknown key "temprature"; did you mean "temperature"? As written, it sets nothing the component knows',
      ],
      [
        "llms.main_llm.max_token",
        'unknown key "max_token"; did you mean "max_tokens"? As written, it sets nothing the component knows',
      ],
      [
        "llms.main_llm.modle_name",
        'unknown key "modle_name"; did you mean "model_name"? As written, it sets nothing the component knows',
      ],
      ["workflow.type", 'unknown key "type"; did you mean "_type"? As written, it sets nothing the component knows'],
    ]);
  });

  it("names the path of a typo in general.front_end and in an evaluator", () => {
    const nested = {
      general: { front_end: { _type: "fastapi", temprature: 1 } },
      eval: { evaluators: { judge: { _type: "ragas", modle_name: "m" } } },
    };
    const found = checkAiqConfig(nested, { strictKeys: false });
    expect(found.warnings.map((finding) => finding.path)).toEqual([
      ["general", "front_end", "temprature"],
      ["eval", "evaluators", "judge", "modle_name"],
    ]);
  });

  it("refuses them under strictKeys", () => {
    const found = checkAiqConfig(config, { strictKeys: true });
    expect(found.warnings).toEqual([]);
    expect(found.errors.map((finding) => finding.message)).toContain(
      'unknown key "temprature"; did you mean "temperature"? As written, it sets nothing the component knows (refused under strictKeys)',
    );
  });
});

describe("in a reload", () => {
  const document = (data: unknown) => ({ data, checksum: "x", locate: () => ({ line: 3, column: 13 }) });
  const dangling = { llms: { main_llm: { _type: "nim" } }, workflow: { _type: "react_agent", llm_name: "main_lm" } };

  it("refuses a dangling reference with the default schema, before the swap, at the reference's position", async () => {
    const error = await resolveConfig(document(dangling), { sourceId: "config.yml" }).catch(
      (caught: unknown) => caught,
    );
    expect(isConfigValidationError(error) && error.issues).toEqual([
      {
        path: "workflow.llm_name",
        message: '"main_lm" is not an LLM defined in llms; did you mean "main_llm"?',
        file: "config.yml",
        line: 3,
        column: 13,
      },
    ]);
  });

  it("leaves a custom schema's configs to that schema", async () => {
    const schema = v.looseObject({ workflow: v.looseObject({ llm_name: v.string() }) });
    await expect(resolveConfig(document(dangling), { schema })).resolves.toMatchObject({
      workflow: { llm_name: "main_lm" },
    });
  });

  it("tells the logger about a likely typo and applies the config; strictKeys refuses it", async () => {
    const typo = { llms: { main_llm: { _type: "nim", temprature: 0.5 } } };
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (line: string) => warnings.push(line), error() {} };
    await expect(resolveConfig(document(typo), { sourceId: "config.yml", logger })).resolves.toEqual(typo);
    expect(warnings).toEqual([
      'config.yml:3:13 llms.main_llm.temprature: unknown key "temprature"; did you mean "temperature"? As written, it sets nothing the component knows',
    ]);
    await expect(resolveConfig(document(typo), { strictKeys: true })).rejects.toMatchObject({
      issues: [{ path: "llms.main_llm.temprature" }],
    });
  });
});
