/** The component counts printed after every reload, as the guide prints them. */
export interface ConfigSummary {
  /** Entries of `llms`. */
  llms: number;
  /** Entries of `tools` plus entries of `functions`. */
  tools: number;
  /** Entries of `workflows`, plus 1 for a toolkit-style `workflow` section. */
  workflows: number;
}

function countEntries(section: unknown): number {
  if (Array.isArray(section)) return section.length;
  if (typeof section === "object" && section !== null) return Object.keys(section).length;
  return 0;
}

/**
 * Counts the LLMs, tools (`tools` and `functions` entries) and workflows (`workflows` entries, or 1
 * for a toolkit-style `workflow` section) of a config.
 * @param config a validated config
 * @returns the counts
 */
export function summarizeConfig(config: unknown): ConfigSummary {
  const root = (typeof config === "object" && config !== null ? config : {}) as Record<string, unknown>;
  const workflow = root.workflow;
  return {
    llms: countEntries(root.llms),
    tools: countEntries(root.tools) + countEntries(root.functions),
    workflows: countEntries(root.workflows) + (typeof workflow === "object" && workflow !== null ? 1 : 0),
  };
}

/**
 * The summary as the lines `LLMs: 2`, `Tools: 5`, `Workflows: 1`.
 * @param summary the counts
 */
export function formatSummary(summary: ConfigSummary): string[] {
  return [`LLMs: ${summary.llms}`, `Tools: ${summary.tools}`, `Workflows: ${summary.workflows}`];
}
