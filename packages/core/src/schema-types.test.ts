import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { schemaTypesAt } from "./schema-types.js";

const sorted = (set: Set<string> | undefined): string[] | undefined =>
  set === undefined ? undefined : [...set].sort();

const llm = v.object({
  _type: v.optional(v.string()),
  temperature: v.optional(v.pipe(v.number(), v.minValue(0))),
  max_tokens: v.nullish(v.pipe(v.number(), v.integer())),
  stream: v.boolean(),
  mode: v.picklist(["fast", "slow"]),
  seed: v.union([v.number(), v.literal("random")]),
});
const schema = v.object({
  llms: v.record(v.string(), llm),
  servers: v.array(v.object({ host: v.string(), port: v.number() })),
  pair: v.tuple([v.string(), v.number()]),
  extra: v.looseObject({ known: v.number() }),
  rest: v.objectWithRest({ known: v.string() }, v.boolean()),
  anything: v.any(),
  maybe: v.nullable(v.object({ deep: v.number() })),
  either: v.union([v.object({ a: v.number() }), v.object({ b: v.string() })]),
  strict: v.strictObject({ s: v.string() }),
  nonNull: v.nonNullable(v.nullable(v.string())),
  refined: v.pipe(v.unknown(), v.string()),
  transformed: v.pipe(v.string(), v.transform(Number)),
  lazy: v.lazy(() => v.number()),
});

describe("schemaTypesAt", () => {
  it.each([
    ["llms.main.temperature", ["number"]],
    ["llms.main.max_tokens", ["null", "number"]],
    ["llms.main.stream", ["boolean"]],
    ["llms.main.mode", ["string"]],
    ["llms.main.seed", ["number", "string"]],
    ["llms.main._type", ["string"]],
    ["servers.0.port", ["number"]],
    ["pair.0", ["string"]],
    ["pair.1", ["number"]],
    ["extra.known", ["number"]],
    ["rest.known", ["string"]],
    ["rest.other", ["boolean"]],
    ["maybe", ["null"]],
    ["maybe.deep", ["number"]],
    ["either.a", ["number"]],
    ["either.b", ["string"]],
    ["nonNull", ["string"]],
    ["refined", ["string"]],
    ["transformed", ["string"]],
  ])("%s takes %j", (path, expected) => {
    expect(sorted(schemaTypesAt(schema, path))).toEqual(expected);
  });

  it.each([
    ["llms.main"],
    ["servers"],
    ["servers.x"],
    ["strict.typo"],
    ["llms.main.typo"],
    ["pair.2"],
    ["llms.main.stream.x"],
  ])("%s takes no scalar (a mapping or list, or a key the schema does not keep)", (path) => {
    expect(sorted(schemaTypesAt(schema, path))).toEqual([]);
  });

  it.each([["anything"], ["anything.x.y"], ["extra.unknown"], ["lazy"]])("%s cannot be told", (path) => {
    expect(schemaTypesAt(schema, path)).toBeUndefined();
  });

  it("accepts a list of keys, and numbers address record keys as strings", () => {
    expect(sorted(schemaTypesAt(schema, ["servers", 1, "host"]))).toEqual(["string"]);
    expect(sorted(schemaTypesAt(v.record(v.string(), v.number()), [0]))).toEqual(["number"]);
  });

  it("never mistakes an inherited property for a schema entry", () => {
    expect(sorted(schemaTypesAt(v.object({ a: v.number() }), ["toString"]))).toEqual([]);
    expect(schemaTypesAt(v.looseObject({}), ["hasOwnProperty"])).toBeUndefined();
  });

  it("cannot tell anything from a schema that is not a valibot schema", () => {
    expect(
      schemaTypesAt({ "~standard": { version: 1, vendor: "zod", validate: () => ({ value: 1 }) } }, "a"),
    ).toBeUndefined();
    expect(schemaTypesAt(undefined, "a")).toBeUndefined();
  });

  it("a union with an option that cannot tell cannot tell either", () => {
    expect(schemaTypesAt(v.union([v.number(), v.unknown()]), [])).toBeUndefined();
    expect(
      sorted(
        schemaTypesAt(
          v.intersect([v.object({ a: v.union([v.number(), v.string()]) }), v.object({ a: v.number() })]),
          "a",
        ),
      ),
    ).toEqual(["number"]);
  });
});
