import { closestName } from "./did-you-mean.js";
import { looksLikeCredential } from "./redact.js";
import { isMapping } from "./tree.js";
import type { ConfigPath } from "./types.js";

/** One finding of the default schema's extra checks: where, and what to say. */
export interface ConfigFinding {
  path: (string | number)[];
  message: string;
}

/** What the reference check found: dangling names, and how many names it looked at. */
export interface ReferenceReport {
  /** Dangling references outside `eval`: the config is refused. */
  errors: ConfigFinding[];
  /** Dangling references inside `eval` (only `nat eval` builds it). */
  warnings: ConfigFinding[];
  /** Names looked up. */
  checked: number;
  /** Names found (a component, a function group's member, or a tool an MCP client lists). */
  resolved: number;
  /** Tool names that may come from an MCP client that lists no `tool_filter`: not judged. */
  unverifiable: number;
}

interface Target {
  /** What a name of this kind is, in a message. */
  what: string;
  sections: readonly string[];
  tools?: true;
}

const LLM: Target = { what: "an LLM", sections: ["llms"] };
const TOOL: Target = {
  what: "a function, function group or tool",
  sections: ["functions", "function_groups", "tools"],
  tools: true,
};

// The fields the NeMo Agent Toolkit types as component references (`LLMRef`, `FunctionRef`, ...) under
// the same name in its own plugins and example configs. Plugin-specific names (`choose_move_fn`,
// `selection_llm`...) are left alone: some plugins use such names for plain strings.
const REFERENCE_FIELDS: ReadonlyMap<string, Target> = new Map(
  Object.entries({
    llm_name: LLM,
    llm: LLM,
    embedder_name: { what: "an embedder", sections: ["embedders"] },
    embedder: { what: "an embedder", sections: ["embedders"] },
    tool_names: TOOL,
    function_names: TOOL,
    tools: TOOL,
    augmented_fn: TOOL,
    hitl_approval_fn: TOOL,
    retriever_name: { what: "a retriever", sections: ["retrievers"] },
    retriever: { what: "a retriever", sections: ["retrievers"] },
    memory_name: { what: "a memory", sections: ["memory"] },
    memory: { what: "a memory", sections: ["memory"] },
    object_store_name: { what: "an object store", sections: ["object_stores"] },
    object_store: { what: "an object store", sections: ["object_stores"] },
    auth_provider: { what: "an authentication provider", sections: ["authentication"] },
  }),
);

// A component name is an identifier; a value holding `/`, `:` or a space is something else (the
// haystack plugin's `llm_name: meta/llama-3.1-405b-instruct` is a model id, not a reference).
const NAME = /^[^/:\s]+$/;

type Tree = Record<string, unknown>;

interface Context {
  config: Tree;
  /** Tool names MCP clients list (`tool_filter`, `tool_overrides`). */
  listedTools: Set<string>;
  /** An MCP client without a `tool_filter` exposes whatever its server has. */
  openToolSource: boolean;
  report: ReferenceReport;
}

/**
 * Checks that every name a component uses to point at another (`llm_name` -> `llms`,
 * `tool_names` -> `functions`/`function_groups`/`tools` including `group__function`, ...) names one
 * the config defines. Only the default schema's configs are checked.
 * @param config a config the default schema accepted
 */
export function checkReferences(config: unknown): ReferenceReport {
  const report: ReferenceReport = { errors: [], warnings: [], checked: 0, resolved: 0, unverifiable: 0 };
  if (!isMapping(config)) return report;
  const context: Context = { config, listedTools: new Set(), openToolSource: false, report };
  collectMcpTools(context);
  walk(config, [], context);
  return report;
}

// One mutable path for the whole walk: a large config has thousands of components, and a path is
// copied only for a finding.
function walk(value: unknown, path: (string | number)[], context: Context): void {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      walk(value[index], path, context);
      path.pop();
    }
    return;
  }
  if (!isMapping(value)) return;
  for (const key of Object.keys(value)) {
    const child = value[key];
    path.push(key);
    // A section's own name (`memory:`, `tools:`) is no reference: only fields inside it are.
    const target = path.length > 1 ? REFERENCE_FIELDS.get(key) : undefined;
    if (target && typeof child === "string") checkName(child, path, target, context);
    else if (target && Array.isArray(child)) {
      for (let index = 0; index < child.length; index++) {
        const item = child[index];
        if (typeof item !== "string") continue;
        path.push(index);
        checkName(item, path, target, context);
        path.pop();
      }
    }
    if (typeof child === "object" && child !== null) walk(child, path, context);
    path.pop();
  }
}

function sectionOf(config: Tree, name: string): Tree {
  const section = config[name];
  return isMapping(section) ? section : {};
}

function checkName(name: string, path: ConfigPath, target: Target, context: Context): void {
  if (!NAME.test(name)) return;
  const { config, report } = context;
  report.checked++;
  if (target.sections.some((section) => Object.hasOwn(sectionOf(config, section), name))) {
    report.resolved++;
    return;
  }
  if (target.tools) {
    const member = groupMember(name, config);
    if (member === "found" || context.listedTools.has(name)) {
      report.resolved++;
      return;
    }
    if (member === undefined && context.openToolSource) {
      report.unverifiable++;
      return;
    }
  }
  const message =
    target.tools && groupMember(name, config) === "unknown-group"
      ? unknownGroupMessage(name, config)
      : danglingMessage(name, target, config);
  const finding = { path: [...path], message };
  (path[0] === "eval" ? report.warnings : report.errors).push(finding);
}

// `group__function` (and the toolkit's older `group.function`) names a member of a function group;
// what members a group has is known only when it is built, so a known group is enough.
function groupMember(name: string, config: Tree): "found" | "unknown-group" | undefined {
  const separator = name.includes("__") ? "__" : name.includes(".") ? "." : undefined;
  if (separator === undefined) return undefined;
  const group = name.slice(0, name.indexOf(separator));
  const groups = sectionOf(config, "function_groups");
  const functions = sectionOf(config, "functions");
  // An `mcp_client` written under `functions` (older toolkit releases) also names its tools this way.
  return Object.hasOwn(groups, group) || Object.hasOwn(functions, group) ? "found" : "unknown-group";
}

function danglingMessage(name: string, target: Target, config: Tree): string {
  const defined = target.sections.flatMap((section) => Object.keys(sectionOf(config, section)));
  const where = target.sections.join(", ");
  const base = `${quoted(name)} is not ${target.what} defined in ${where}`;
  const guess = looksLikeCredential(name)
    ? undefined
    : (closestName(name, defined) ?? defined.find((candidate) => name.length >= 4 && candidate.includes(name)));
  if (guess !== undefined) return `${base}; did you mean "${guess}"?`;
  if (defined.length === 0) return `${base}: the config defines none; add it there, or fix the name`;
  const shown = defined.slice(0, 8).join(", ");
  return `${base} (defined: ${shown}${defined.length > 8 ? ", ..." : ""}); add it there, or fix the name`;
}

// A key pasted into a name field (`llm_name: nvapi-...`) must not be printed: such a value is shown
// as "the name given", and nothing is guessed from it.
function quoted(name: string): string {
  return looksLikeCredential(name) ? "the name given" : `"${name}"`;
}

function unknownGroupMessage(name: string, config: Tree): string {
  const separator = name.includes("__") ? "__" : ".";
  const group = name.slice(0, name.indexOf(separator));
  const groups = Object.keys(sectionOf(config, "function_groups"));
  const guess = closestName(group, groups);
  const hint =
    guess === undefined ? "" : `; did you mean "${guess}${separator}${name.slice(group.length + separator.length)}"?`;
  return `"${name}" names a member of the function group "${group}", which function_groups does not define${hint}`;
}

// Tools an MCP client (`_type: mcp_client`, under `functions` or `function_groups`) exposes by name.
function collectMcpTools(context: Context): void {
  for (const section of ["functions", "function_groups"]) {
    for (const component of Object.values(sectionOf(context.config, section))) {
      if (!isMapping(component) || typeof component._type !== "string" || !component._type.includes("mcp")) continue;
      const filter = component.tool_filter;
      if (filter === undefined || filter === null) context.openToolSource = true;
      for (const listed of [filter, component.tool_overrides]) addNames(listed, context.listedTools);
    }
  }
}

function addNames(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === "string") into.add(item);
  } else if (isMapping(value)) {
    for (const [key, child] of Object.entries(value)) {
      into.add(key);
      if (isMapping(child) && typeof child.alias === "string") into.add(child.alias);
    }
  }
}
