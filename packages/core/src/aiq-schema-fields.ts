import * as v from "valibot";

// The fields an AIQ / NeMo Agent Toolkit component commonly carries whose values a typo or a bad
// edit can break at runtime. Everything else in a component stays loose: each `_type` (a plugin)
// defines its own fields, and the toolkit's example configs use hundreds of them.

const TEMPERATURE = "temperature must be a number >= 0";
const MAX_TOKENS = "max_tokens must be a positive integer";
const MAX_ITERATIONS = "max_iterations must be a positive integer";
const TIMEOUT = "timeout must be a positive number (seconds)";

function positiveInteger(message: string) {
  return v.pipe(v.number(message), v.integer(message), v.minValue(1, message));
}

// `null` is accepted: the toolkit's component models declare these fields optional (`... | None`),
// and an explicit null means "use the provider's default".
const commonFields = {
  _type: v.optional(v.string("_type must be a string naming the component type")),
  temperature: v.optional(v.nullable(v.pipe(v.number(TEMPERATURE), v.finite(TEMPERATURE), v.minValue(0, TEMPERATURE)))),
  max_tokens: v.optional(v.nullable(positiveInteger(MAX_TOKENS))),
  max_iterations: v.optional(v.nullable(positiveInteger(MAX_ITERATIONS))),
  timeout: v.optional(v.nullable(v.pipe(v.number(TIMEOUT), v.finite(TIMEOUT), v.gtValue(0, TIMEOUT)))),
};

/** One named component (an LLM, a function, a workflow...): a mapping with an optional `_type` and typed common fields. */
export const componentSchema = v.looseObject(commonFields, "a component must be a mapping of its settings");

/** A section of named components, e.g. `llms: { main_llm: {...} }`. */
export const componentRecordSchema = v.record(
  v.string(),
  componentSchema,
  "this section must be a mapping of component names to their settings",
);

/** A section whose inner structure the toolkit defines per release (`eval`, `optimizer`...): any mapping. */
export const looseSectionSchema = v.looseObject({}, "this section must be a mapping");
