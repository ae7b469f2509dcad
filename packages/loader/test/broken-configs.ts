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

const llm = (...settings: string[]): string[] => ["llms:", "  main_llm:", "    _type: nim", ...settings.map((s) => `    ${s}`)];
const workflow = ["workflow:", "  _type: react_agent", "  llm_name: main_llm"];

// Syntax: the mistakes of hand-edited YAML.
const SYNTAX: BrokenConfig[] = [
  {
    name: "an unclosed [ in a list, reported where it opens",
    lines: [...llm(`api_key: [${CANARY}, sk-backup`), "    temperature: 0.2", ...workflow],
    line: 4,
    path: "llms.main_llm.api_key",
    message: /^unclosed \[: the list that opens at line 4, column 14 is never closed \(parsing broke at line 5, .*add "\]" after its last item/,
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
    message: /holds ": " \(at column \d+\), which YAML reads as the start of a nested mapping: put the whole value in quotes/,
  },
  {
    name: 'a prompt with ": " in a function',
    lines: ["functions:", "  qa:", "    _type: chat", `    system_prompt: Answer like this: short, api_key: ${CANARY}`, ...workflow],
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
    message: /indented 6 spaces, deeper than the key on line 4 \(4\), so YAML reads it as part of that key's value: indent it 4 spaces/,
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
    message: /^duplicate key \(first set on line 4\): a key may appear only once in a mapping; remove one, or merge the two/,
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

/** Every broken config of the table. */
export const BROKEN_CONFIGS: BrokenConfig[] = [...SYNTAX];
