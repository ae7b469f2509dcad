// AIQ-shaped config generators and the classifier every contender's observations go through.
// The small config carries its sequence number twice: at the top (llms.main_llm.max_tokens = 1000 + seq)
// and on the very last line (workflow.max_iterations = seq + 1), so a prefix of a save (a partial
// read) is told apart from a whole one.

/**
 * The ~40-line config of the watch benchmarks.
 * @param {number} seq - the save's sequence number (>= 0)
 * @returns {string}
 */
export function smallConfig(seq) {
  return `# AIQ toolkit workflow (aiq-config bench, save ${seq})
general:
  use_uvloop: true
llms:
  main_llm:
    _type: nim
    model_name: meta/llama-3.1-70b-instruct
    temperature: 0.0
    max_tokens: ${1000 + seq}
    top_p: 1.0
  fallback_llm:
    _type: openai
    model_name: gpt-4o-mini
    temperature: 0.2
    max_tokens: 2048
embedders:
  nv_embedqa:
    _type: nim
    model_name: nvidia/nv-embedqa-e5-v5
tools:
  wikipedia_search:
    _type: wiki_search
    max_results: 2
  current_datetime:
    _type: current_datetime
  code_generation:
    _type: code_generation
    programming_language: python
    description: Useful to generate Python code.
    llm_name: main_llm
  webpage_query:
    _type: webpage_query
    webpage_url: https://docs.nvidia.com/aiqtoolkit
    description: Search the toolkit documentation
    embedder_name: nv_embedqa
    chunk_size: 512
workflow:
  _type: react_agent
  tool_names: [wikipedia_search, current_datetime, code_generation, webpage_query]
  llm_name: main_llm
  verbose: true
  parse_agent_response_max_retries: 3
  max_iterations: ${seq + 1}
`;
}

/**
 * What a contender holds, as the harness sees it.
 * @param {unknown} value - the config object a contender holds (parsed, possibly merged/frozen)
 * @returns {{ kind: "ok", seq: number } | { kind: "empty" } | { kind: "partial" }}
 */
export function classify(value) {
  if (value === null || value === undefined || typeof value !== "object") return { kind: "empty" };
  const v = /** @type {any} */ (value);
  if (Object.keys(v).length === 0) return { kind: "empty" };
  const top = v.llms?.main_llm?.max_tokens;
  const bottom = v.workflow?.max_iterations;
  if (typeof top !== "number" || typeof bottom !== "number" || !v.tools || !v.embedders) return { kind: "partial" };
  if (top - 1000 !== bottom - 1) return { kind: "partial" };
  return { kind: "ok", seq: top - 1000 };
}

/**
 * A large AIQ-shaped config (~1 MB with the default counts): `n` llms, `n` tools, one workflow.
 * Returns the lines and the index of each llm's `max_tokens` line, so one value can be changed
 * per reload without regenerating the text.
 * @param {number} n - entries per section
 * @returns {{ lines: string[], maxTokensLine: number[] }}
 */
export function largeConfigLines(n) {
  const lines = ["# large AIQ toolkit config (aiq-config bench)", "general:", "  use_uvloop: true", "llms:"];
  const maxTokensLine = [];
  const id = (i) => String(i).padStart(5, "0");
  for (let i = 0; i < n; i++) {
    lines.push(
      `  llm_${id(i)}:`,
      "    _type: nim",
      "    model_name: meta/llama-3.1-70b-instruct",
      "    base_url: https://integrate.api.nvidia.com/v1",
      "    temperature: 0.2",
      "    top_p: 0.9",
    );
    maxTokensLine.push(lines.length);
    lines.push("    max_tokens: 1024", `    description: Language model ${i} of the agent workflow bench`);
  }
  lines.push("embedders:", "  nv_embedqa:", "    _type: nim", "    model_name: nvidia/nv-embedqa-e5-v5", "tools:");
  for (let i = 0; i < n; i++) {
    lines.push(
      `  tool_${id(i)}:`,
      "    _type: webpage_query",
      `    webpage_url: https://docs.example.com/aiqtoolkit/page/${i}`,
      `    description: Query page ${i} of the documentation for the workflow`,
      "    embedder_name: nv_embedqa",
      "    chunk_size: 512",
      `    llm_name: llm_${id(i)}`,
      "    tags: [search, docs, bench]",
    );
  }
  lines.push(
    "workflow:",
    "  _type: react_agent",
    `  tool_names: [${Array.from({ length: Math.min(n, 50) }, (_, i) => `tool_${id(i)}`).join(", ")}]`,
    "  llm_name: llm_00000",
    "  verbose: true",
    "  max_iterations: 10",
    "",
  );
  return { lines, maxTokensLine };
}

/** Entries per section giving a ~1 MB file. */
export const LARGE_N = 2000;

/**
 * The large config text with llm `k`'s max_tokens set to `value`.
 * @param {{ lines: string[], maxTokensLine: number[] }} large
 * @param {number} k
 * @param {number} value
 */
export function largeConfigText(large, k, value) {
  const i = large.maxTokensLine[k % large.maxTokensLine.length];
  const saved = large.lines[i];
  large.lines[i] = `    max_tokens: ${value}`;
  const text = large.lines.join("\n");
  large.lines[i] = saved;
  return text;
}
