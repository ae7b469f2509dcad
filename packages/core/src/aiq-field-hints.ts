import { KNOWN_COMPONENT_FIELDS } from "./aiq-known-fields.js";
import type { ConfigFinding } from "./aiq-references.js";
import { closestName } from "./did-you-mean.js";
import { isMapping } from "./tree.js";

type Tree = Record<string, unknown>;

// Sections whose entries are named components.
const COMPONENT_SECTIONS = [
  "llms",
  "embedders",
  "functions",
  "function_groups",
  "tools",
  "workflows",
  "memory",
  "retrievers",
  "object_stores",
  "authentication",
  "middleware",
  "ttc_strategies",
  "trainers",
  "trainer_adapters",
  "trajectory_builders",
  "workspace_guardrails",
];

/**
 * Calls `visit` with every component of a config and where it is (its parent's path and its name,
 * joined only for a finding): the named ones, `workflow`, `general.front_end`, `eval.evaluators.*`.
 */
function eachComponent(config: Tree, visit: (parent: readonly string[], name: string, component: Tree) => void): void {
  const visitRecord = (record: unknown, parent: readonly string[]): void => {
    if (!isMapping(record)) return;
    for (const name of Object.keys(record)) {
      const component = record[name];
      if (isMapping(component)) visit(parent, name, component);
    }
  };
  for (const section of COMPONENT_SECTIONS) visitRecord(config[section], [section]);
  for (const single of SINGLE_COMPONENTS) {
    const component = config[single];
    if (isMapping(component)) visit(NO_PARENT, single, component);
  }
  const general = config.general;
  if (isMapping(general) && isMapping(general.front_end)) visit(GENERAL, "front_end", general.front_end);
  const evaluation = config.eval;
  if (isMapping(evaluation)) visitRecord(evaluation.evaluators, EVALUATORS);
}

const SINGLE_COMPONENTS = ["workflow", "workspace"];
const NO_PARENT: readonly string[] = [];
const GENERAL: readonly string[] = ["general"];
const EVALUATORS: readonly string[] = ["eval", "evaluators"];

// Short keys get fewer edits (`top_k` is one edit from `top_p`, `mode` from `model`, and all are real
// fields); a key that is the toolkit's `_type` without its underscore is the one short slip named.
function guessFor(key: string): string | undefined {
  if (key === "type") return "_type";
  const maxEdits = key.length >= 8 ? 2 : key.length >= 5 ? 1 : 0;
  return maxEdits === 0 ? undefined : closestName(key, KNOWN_COMPONENT_FIELDS, maxEdits);
}

/**
 * Keys of a component that no toolkit config uses but that are one or two edits from a field they
 * commonly have (`temprature` -> `temperature`): most likely typos, whose value the component never
 * reads. Any other unknown key is a plugin's own field and passes.
 * @param config a config the default schema accepted
 */
export function findFieldTypos(config: unknown): ConfigFinding[] {
  if (!isMapping(config)) return [];
  const findings: ConfigFinding[] = [];
  // A large config repeats the same keys in every component: look each one up once.
  const guesses = new Map<string, string | undefined>();
  eachComponent(config, (parent, name, component) => {
    for (const key of Object.keys(component)) {
      if (KNOWN_COMPONENT_FIELDS.has(key)) continue;
      if (!guesses.has(key)) guesses.set(key, guessFor(key));
      const guess = guesses.get(key);
      if (guess === undefined) continue;
      const message = `unknown key "${key}"; did you mean "${guess}"? As written, it sets nothing the component knows`;
      findings.push({ path: [...parent, name, key], message });
    }
  });
  return findings;
}
