import * as v from "valibot";
import { componentRecordSchema, componentSchema, looseSectionSchema } from "./aiq-schema-fields.js";
import { closestName } from "./did-you-mean.js";

const optionalRecord = v.optional(componentRecordSchema);

// `general` as the toolkit reads it: a front end, and telemetry exporters by name. Its other keys
// (`use_uvloop`, per-user workflow timeouts...) change between releases and stay loose.
const generalSchema = v.looseObject(
  {
    front_end: v.optional(componentSchema),
    telemetry: v.optional(
      v.looseObject(
        { logging: optionalRecord, tracing: optionalRecord },
        "telemetry must be a mapping (logging, tracing)",
      ),
    ),
  },
  "general must be a mapping",
);

// `eval` as the toolkit reads it: loose `general` options and evaluators by name.
const evalSchema = v.looseObject(
  { general: v.optional(looseSectionSchema), evaluators: optionalRecord },
  "eval must be a mapping (general, evaluators)",
);

// Every top-level key a config may have. The first group is the AIQ guide's; the second is what
// the NeMo Agent Toolkit's `Config` model (nat/data_models/config.py) adds. Like the toolkit
// (`extra="forbid"`), any other key is an error, so a misspelled section cannot pass silently.
const sections = {
  general: v.optional(generalSchema),
  llms: optionalRecord,
  embedders: optionalRecord,
  functions: optionalRecord,
  function_groups: optionalRecord,
  tools: optionalRecord,
  workflow: v.optional(componentSchema),
  workflows: optionalRecord,
  memory: optionalRecord,
  retrievers: optionalRecord,
  object_stores: optionalRecord,
  authentication: optionalRecord,
  middleware: optionalRecord,
  ttc_strategies: optionalRecord,
  eval: v.optional(evalSchema),
  telemetry: v.optional(looseSectionSchema),
  workspace: v.optional(componentSchema),
  workspace_guardrails: optionalRecord,
  optimizer: v.optional(looseSectionSchema),
  trainers: optionalRecord,
  trainer_adapters: optionalRecord,
  trajectory_builders: optionalRecord,
  finetuning: v.optional(looseSectionSchema),
};

const SECTION_NAMES = Object.keys(sections);
/**
 * The default schema of aiq-config: an AIQ / NeMo Agent Toolkit workflow config. Unknown top-level
 * sections are errors; named components are loose mappings with an optional `_type` and typed
 * `temperature`, `max_tokens`, `max_iterations` and `timeout`.
 * @example v.safeParse(aiqConfigSchema, { llms: { main_llm: { _type: "nim", temperature: 0.2 } } }).success // true
 */
export const aiqConfigSchema = v.pipe(
  v.strictObject(sections, (issue) => {
    const item = issue.path?.[0];
    if (issue.expected !== "never" || item === undefined) return "the config must be a mapping of sections";
    // An object schema takes a list too (its indexes become keys); a config must be a mapping.
    return Array.isArray(item.input)
      ? "the config must be a mapping of sections, not a list"
      : unknownSectionMessage(String(item.key));
  }),
  v.rawCheck(({ dataset, addIssue }) => reportOtherUnknownSections(dataset.issues, addIssue)),
);

/** A config as `aiqConfigSchema` returns it. */
export type AiqConfig = v.InferOutput<typeof aiqConfigSchema>;

type AddIssue = (info: { message: string; path: [v.ObjectPathItem] }) => void;

// `strictObject` reports the first unknown key only; report the others too, so one reload shows
// every misspelled section at once.
function reportOtherUnknownSections(issues: readonly v.BaseIssue<unknown>[] | undefined, addIssue: AddIssue): void {
  const first = issues?.find((issue) => issue.type === "strict_object" && issue.expected === "never");
  const item = first?.path?.[0];
  const input = item?.input;
  if (item === undefined || typeof input !== "object" || input === null || Array.isArray(input)) return;
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === item.key || Object.hasOwn(sections, key)) continue;
    addIssue({
      message: unknownSectionMessage(key),
      path: [{ type: "object", origin: "key", input: record, key, value: record[key] }],
    });
  }
}

function unknownSectionMessage(key: string): string {
  const hint = closestName(key, SECTION_NAMES);
  const suggestion =
    hint === undefined ? `; the sections are: ${SECTION_NAMES.join(", ")}` : `; did you mean "${hint}"?`;
  return `unknown top-level section "${key}"${suggestion}`;
}
