/** The secret every broken config holds on the line of its mistake; no output may show it. */
export const CANARY = "sk-CANARY-5150";

/** A config with one mistake a person really makes, and what the message must say about it. */
export interface BrokenConfig {
  name: string;
  /** The file's lines; `line` holds the mistake and the canary. */
  lines: string[];
  /** File name (its extension picks YAML or JSON). */
  file?: string;
  /** 1-based line of the mistake: the issue must be reported there, not where the parser gave up. */
  line: number;
  /** The dotted path the issue names. */
  path: string;
  /** What the message must say: what is wrong and, where one is known, the fix. */
  message: RegExp;
  /** Run with `strictKeys: true`. */
  strictKeys?: boolean;
}

const llm = (...settings: string[]): string[] => [
  "llms:",
  "  main_llm:",
  "    _type: nim",
  ...settings.map((s) => `    ${s}`),
];
const workflow = ["workflow:", "  _type: react_agent", "  llm_name: main_llm"];

// Syntax: the mistakes of hand-edited YAML.
const SYNTAX: BrokenConfig[] = [
  {
    name: "an unclosed [ in a list, reported where it opens",
    lines: [...llm(`api_key: [${CANARY}, sk-backup`), "    temperature: 0.2", ...workflow],
    line: 4,
    path: "llms.main_llm.api_key",
    message:
      /^unclosed \[: the list that opens at line 4, column 14 is never closed \(parsing broke at line 5, .*add "\]" after its last item/,
  },
  {
    name: "an unclosed { in a flow mapping",
    lines: ["llms:", `  main_llm: {_type: nim, api_key: ${CANARY}`, ...workflow],
    line: 2,
    path: "llms.main_llm",
    message: /^unclosed \{: the mapping that opens at line 2, column 13 .*add "\}" after its last entry/,
  },
  {
    name: "a double quote never closed, on the secret itself",
    lines: [...llm(`api_key: "${CANARY}`, "temperature: 0.2"), ...workflow],
    line: 4,
    path: "llms.main_llm.api_key",
    message: /^unclosed ": the quoted value that opens at line 4, column 14 is never closed .*add the closing "/,
  },
  {
    name: "a single quote never closed",
    lines: [...llm(`api_key: '${CANARY}`, "temperature: 0.2"), ...workflow],
    line: 4,
    path: "llms.main_llm.api_key",
    message: /^unclosed ': the quoted value that opens at line 4, column 14 .*add the closing '/,
  },
  {
    name: "a quote left open above a quoted value",
    lines: [...llm(`api_key: "${CANARY}`, 'model_name: "meta/llama"'), ...workflow],
    line: 4,
    path: "llms.main_llm.api_key",
    message: /^unclosed ": the quoted value that opens at line 4, column 14 is never closed/,
  },
  {
    name: 'an unquoted ": " inside a value',
    lines: [...llm(`api_key: ${CANARY} extra: x`, "temperature: 0.2"), ...workflow],
    line: 4,
    path: "llms.main_llm.api_key",
    message:
      /holds ": " \(at column \d+\), which YAML reads as the start of a nested mapping: put the whole value in quotes/,
  },
  {
    name: 'a prompt with ": " in a function',
    lines: [
      "functions:",
      "  qa:",
      "    _type: chat",
      `    system_prompt: Answer like this: short, api_key: ${CANARY}`,
      ...workflow,
    ],
    line: 4,
    path: "functions.qa.system_prompt",
    message: /put the whole value in quotes/,
  },
  {
    name: "a tab indenting a line",
    lines: [...llm("temperature: 0.2"), `\tapi_key: ${CANARY}`, ...workflow],
    line: 5,
    path: "llms.main_llm",
    message: /indented with a tab; YAML indents with spaces only: replace the tab with spaces/,
  },
  {
    name: "a missing colon after a key",
    lines: [...llm(`api_key ${CANARY}`, "temperature: 0.2"), ...workflow],
    line: 4,
    path: "llms.main_llm",
    message: /not a "key: value" pair: a ":" is missing after the key/,
  },
  {
    name: "no space after the colon",
    lines: [...llm(`api_key:${CANARY}`, "temperature: 0.2"), ...workflow],
    line: 4,
    path: "llms.main_llm",
    message: /a ":" with no space after it.*write "key: value"/,
  },
  {
    name: "a key indented one space too few",
    lines: [...llm("temperature: 0.2"), `   api_key: ${CANARY}`, ...workflow],
    line: 5,
    path: "llms.main_llm",
    message: /indented 3 spaces, but the line above it \(a key of llms\.main_llm\) is indented 4: align it/,
  },
  {
    name: "a key indented deeper than its sibling above",
    lines: [...llm("temperature: 0.2"), `      api_key: ${CANARY}`, ...workflow],
    line: 5,
    path: "llms.main_llm",
    message:
      /indented 6 spaces, deeper than the key on line 4 \(4\), so YAML reads it as part of that key's value: indent it 4 spaces/,
  },
  {
    name: "a mapping key inside a list",
    lines: ["workflow:", "  _type: react_agent", "  tool_names:", "    - search", `    api_key: ${CANARY}`],
    line: 5,
    path: "workflow.tool_names",
    message: /sits in the list workflow\.tool_names but is not an item: start it with "- "/,
  },
  {
    name: "a duplicate key in a component",
    lines: [...llm("temperature: 0.2"), `    temperature: 0.7  # api_key: ${CANARY}`, ...workflow],
    line: 5,
    path: "llms.main_llm.temperature",
    message:
      /^duplicate key \(first set on line 4\): a key may appear only once in a mapping; remove one, or merge the two/,
  },
  {
    name: "a duplicate component name",
    lines: [...llm("temperature: 0.2"), `  main_llm: {_type: openai, api_key: ${CANARY}}`, ...workflow],
    line: 5,
    path: "llms.main_llm",
    message: /^duplicate key \(first set on line 2\)/,
  },
  {
    name: "a value starting with @",
    lines: [...llm(`api_key: @${CANARY}`), ...workflow],
    line: 4,
    path: "llms.main_llm.api_key",
    message: /cannot start with "@" \(reserved in YAML\); put the value in quotes/,
  },
  {
    name: "a value starting with a backtick",
    lines: [...llm(`api_key: \`${CANARY}\``), ...workflow],
    line: 4,
    path: "llms.main_llm.api_key",
    message: /cannot start with "`" .*put the value in quotes/,
  },
  {
    name: "JSON: a trailing comma",
    file: "config.json",
    lines: ["{", '  "llms": {', `    "main_llm": {"_type": "nim", "api_key": "${CANARY}",}`, "  }", "}"],
    line: 3,
    path: "llms.main_llm",
    message: /expected a double-quoted property name \(no trailing commas in JSON\)/,
  },
  {
    name: "JSON: a string never closed",
    file: "config.json",
    lines: ["{", '  "llms": {', `    "main_llm": {"_type": "nim", "api_key": "${CANARY}}`, "  }", "}"],
    line: 3,
    path: "llms.main_llm.api_key",
    message: /unclosed string: the string that opens here has no closing '"' on its line; add it/,
  },
  {
    name: "JSON: a missing comma",
    file: "config.json",
    lines: ["{", '  "llms": {', `    "main_llm": {"_type": "nim" "api_key": "${CANARY}"}`, "  }", "}"],
    line: 3,
    path: "llms.main_llm._type",
    message: /expected ',' or '\}' after a property value/,
  },
];

// More syntax: tags, aliases, JSON comments, a list left open across lines.
const MORE_SYNTAX: BrokenConfig[] = [
  {
    name: "a list of tools left open across lines",
    lines: [
      "workflow:",
      "  _type: react_agent",
      `  tool_names: [internet_search, calculator  # token: ${CANARY}`,
      "  llm_name: main_llm",
    ],
    line: 3,
    path: "workflow.tool_names",
    message: /^unclosed \[: the list that opens at line 3, column 15/,
  },
  {
    name: "an explicit tag",
    lines: [...llm(`api_key: !!str ${CANARY}`), ...workflow],
    line: 4,
    path: "llms.main_llm.api_key",
    message: /explicit tags \(!tag, !!type\) are not supported/,
  },
  {
    name: "an alias to an anchor never defined",
    lines: ["llms:", `  main_llm: {_type: nim, api_key: ${CANARY}, defaults: *shared}`, ...workflow],
    line: 2,
    path: "llms.main_llm.defaults",
    message: /alias to an anchor that is not defined before it/,
  },
  {
    name: "JSON: a comment",
    file: "config.json",
    lines: ["{", '  "llms": {', `    "main_llm": {"_type": "nim", "api_key": "${CANARY}"} // the main one`, "  }", "}"],
    line: 3,
    path: "llms.main_llm",
    message: /expected ',' or '\}' after a property value/,
  },
];

const tools = [
  "functions:",
  "  internet_search:",
  "    _type: tavily_internet_search",
  "  calculator:",
  "    _type: calculator",
];

// References: a name that points at nothing, refused before the swap, with did you mean.
const REFERENCES: BrokenConfig[] = [
  {
    name: "the workflow's llm_name misspelled",
    lines: [
      ...llm("temperature: 0.2"),
      ...tools,
      `workflow: {_type: react_agent, llm_name: main_lm, api_key: ${CANARY}}`,
    ],
    line: 10,
    path: "workflow.llm_name",
    message: /^"main_lm" is not an LLM defined in llms; did you mean "main_llm"\?/,
  },
  {
    name: "a tool that no function defines",
    lines: [
      ...llm("temperature: 0.2"),
      ...tools,
      `workflow: {_type: react_agent, llm_name: main_llm, tool_names: [search], api_key: ${CANARY}}`,
    ],
    line: 10,
    path: "workflow.tool_names.0",
    message:
      /^"search" is not a function, function group or tool defined in functions, function_groups, tools; did you mean "internet_search"\?/,
  },
  {
    name: "a tool misspelled in a block list",
    lines: [
      ...llm("temperature: 0.2"),
      ...tools,
      "workflow:",
      "  _type: react_agent",
      "  tool_names:",
      `    - calculater  # api_key: ${CANARY}`,
    ],
    line: 13,
    path: "workflow.tool_names.0",
    message: /did you mean "calculator"\?/,
  },
  {
    name: "a member of a function group that does not exist",
    lines: [
      ...llm(),
      "function_groups:",
      "  math:",
      "    _type: calculator_group",
      `workflow: {_type: react_agent, llm_name: main_llm, tool_names: [maths__add], token: ${CANARY}}`,
    ],
    line: 7,
    path: "workflow.tool_names.0",
    message:
      /names a member of the function group "maths", which function_groups does not define; did you mean "math__add"\?/,
  },
  {
    name: "an embedder misspelled in a function",
    lines: [
      ...llm(),
      "embedders:",
      "  nv_embed:",
      "    _type: nim",
      "functions:",
      `  docs: {_type: webpage_query, embedder_name: nv_embedd, api_key: ${CANARY}}`,
      ...workflow,
    ],
    line: 8,
    path: "functions.docs.embedder_name",
    message: /^"nv_embedd" is not an embedder defined in embedders; did you mean "nv_embed"\?/,
  },
  {
    name: "an llm field naming an LLM that was renamed",
    lines: [...llm(), "functions:", `  summarize: {_type: summarizer, llm: fast_llm, api_key: ${CANARY}}`, ...workflow],
    line: 5,
    path: "functions.summarize.llm",
    message: /^"fast_llm" is not an LLM defined in llms \(defined: main_llm\); add it there, or fix the name/,
  },
  {
    name: "a retriever the config does not define",
    lines: [
      ...llm(),
      "functions:",
      `  qa: {_type: rag, retriever_name: docs_retriever, api_key: ${CANARY}}`,
      ...workflow,
    ],
    line: 5,
    path: "functions.qa.retriever_name",
    message: /^"docs_retriever" is not a retriever defined in retrievers: the config defines none/,
  },
  {
    name: "a memory misspelled",
    lines: [
      ...llm(),
      "memory:",
      "  redis_memory:",
      "    _type: redis_memory",
      "functions:",
      `  remember: {_type: add_memory, memory: redis_memroy, password: ${CANARY}}`,
      ...workflow,
    ],
    line: 8,
    path: "functions.remember.memory",
    message: /did you mean "redis_memory"\?/,
  },
  {
    name: "an object store misspelled",
    lines: [
      ...llm(),
      "object_stores:",
      "  reports:",
      "    _type: s3",
      "functions:",
      `  save: {_type: save_report, object_store_name: report, secret_key: ${CANARY}}`,
      ...workflow,
    ],
    line: 8,
    path: "functions.save.object_store_name",
    message: /did you mean "reports"\?/,
  },
  {
    name: "an MCP server's auth provider misspelled",
    lines: [
      ...llm(),
      "authentication:",
      "  jira_oauth:",
      "    _type: mcp_oauth2",
      "function_groups:",
      "  jira:",
      "    _type: mcp_client",
      `    server: {url: "http://localhost:9901/mcp", auth_provider: jira_oauth2, token: ${CANARY}}`,
      ...workflow,
    ],
    line: 10,
    path: "function_groups.jira.server.auth_provider",
    message: /^"jira_oauth2" is not an authentication provider defined in authentication; did you mean "jira_oauth"\?/,
  },
  {
    name: "an API key pasted into llm_name",
    lines: [...llm(), `workflow: {_type: react_agent, llm_name: ${CANARY}}`],
    line: 4,
    path: "workflow.llm_name",
    message: /^the name given is not an LLM defined in llms \(defined: main_llm\); add it there, or fix the name$/,
  },
  {
    name: "JSON: the workflow's llm_name misspelled",
    file: "config.json",
    lines: [
      "{",
      '  "llms": {"main_llm": {"_type": "nim"}},',
      `  "workflow": {"_type": "react_agent", "llm_name": "main-llm", "api_key": "${CANARY}"}`,
      "}",
    ],
    line: 3,
    path: "workflow.llm_name",
    message: /did you mean "main_llm"\?/,
  },
];

// Keys one or two edits from a field components have: refused under strictKeys (a warning without).
const TYPOS: BrokenConfig[] = [
  ["temperature misspelled", "temprature: 0.5", "temprature", "temperature"],
  ["max_tokens without its s", "max_token: 1024", "max_token", "max_tokens"],
  ["model_name with two letters swapped", "modle_name: meta/llama-3.1-70b-instruct", "modle_name", "model_name"],
  ["base_url misspelled", "base_ulr: https://integrate.api.nvidia.com/v1", "base_ulr", "base_url"],
].map(([name, setting, key, known]) => ({
  name: `strictKeys: ${name}`,
  lines: ["llms:", `  main_llm: {_type: nim, ${setting}, api_key: ${CANARY}}`, ...workflow],
  line: 2,
  path: `llms.main_llm.${key}`,
  message: new RegExp(`^unknown key "${key}"; did you mean "${known}"\\? .*\\(refused under strictKeys\\)$`),
  strictKeys: true,
}));
TYPOS.push({
  name: "strictKeys: type for _type",
  lines: [...llm(), `workflow: {type: react_agent, llm_name: main_llm, api_key: ${CANARY}}`],
  line: 4,
  path: "workflow.type",
  message: /did you mean "_type"\?/,
  strictKeys: true,
});

// Wrong types and unknown sections: the schema's own messages, at the value's line.
const TYPES: BrokenConfig[] = [
  ["temperature as a word", "temperature: hot", "temperature", /^temperature must be a number >= 0$/],
  ["a negative temperature", "temperature: -0.5", "temperature", /^temperature must be a number >= 0$/],
  ["max_tokens of zero", "max_tokens: 0", "max_tokens", /^max_tokens must be a positive integer$/],
  ["max_tokens as a quoted number", 'max_tokens: "1024"', "max_tokens", /^max_tokens must be a positive integer$/],
  ["a timeout with a unit", "timeout: 30s", "timeout", /^timeout must be a positive number \(seconds\)$/],
  ["a non-string _type", "_type: 3", "_type", /^_type must be a string naming the component type$/],
].map(([name, setting, key, message]) => ({
  name: name as string,
  lines: [
    "llms:",
    `  main_llm: {${setting === "_type: 3" ? "" : "_type: nim, "}${setting as string}, api_key: ${CANARY}}`,
    ...workflow,
  ],
  line: 2,
  path: `llms.main_llm.${key as string}`,
  message: message as RegExp,
}));
TYPES.push({
  name: "a section name in the singular",
  lines: [`llm: {main_llm: {_type: nim, api_key: ${CANARY}}}`, ...workflow],
  line: 1,
  path: "llm",
  message: /^unknown top-level section "llm"; did you mean "llms"\?$/,
});

/** Every broken config of the table. */
export const BROKEN_CONFIGS: BrokenConfig[] = [...SYNTAX, ...MORE_SYNTAX, ...REFERENCES, ...TYPOS, ...TYPES];
