// schema-types.ts reads valibot's schema objects: `kind`, `type` and the fields of each type. Core
// depends on valibot as a ^1 range (an app's own valibot is the one whose schemas it reads), so
// this test pins down the shape it reads: a valibot that differs fails here first. The run against
// a doctored valibot shows that it can fail, and that schemaTypesAt then cannot tell rather than
// claim that no value fits.
import * as valibot from "valibot";
import { describe, expect, it } from "vitest";
import { schemaTypesAt } from "./schema-types.js";

type Valibot = typeof valibot;
type FieldCheck = (value: unknown) => boolean;

const isSchema = (value: unknown, type?: string): boolean =>
  typeof value === "object" &&
  value !== null &&
  (value as { kind?: unknown }).kind === "schema" &&
  typeof (value as { type?: unknown }).type === "string" &&
  (type === undefined || (value as { type: string }).type === type);
const schema: FieldCheck = (value) => isSchema(value);
const schemas: FieldCheck = (value) =>
  Array.isArray(value) && value.length > 0 && value.every((item) => isSchema(item));
const entries: FieldCheck = (value) =>
  typeof value === "object" && value !== null && isSchema((value as { a?: unknown }).a, "number");
const sameAs =
  (expected: unknown): FieldCheck =>
  (value) =>
    JSON.stringify(value) === JSON.stringify(expected);

/** Each schema type schema-types.ts handles, built with `v`, and the fields it reads from it. */
function shapes(v: Valibot): [type: string, built: unknown, fields: Record<string, FieldCheck>][] {
  const n = v.number();
  return [
    ["object", v.object({ a: n }), { entries }],
    ["strict_object", v.strictObject({ a: n }), { entries }],
    ["loose_object", v.looseObject({ a: n }), { entries }],
    ["object_with_rest", v.objectWithRest({ a: n }, v.string()), { entries, rest: schema }],
    ["record", v.record(v.string(), n), { value: schema }],
    ["array", v.array(n), { item: schema }],
    ["tuple", v.tuple([n]), { items: schemas }],
    ["strict_tuple", v.strictTuple([n]), { items: schemas }],
    ["loose_tuple", v.looseTuple([n]), { items: schemas }],
    ["tuple_with_rest", v.tupleWithRest([n], v.string()), { items: schemas, rest: schema }],
    ["optional", v.optional(n), { wrapped: schema }],
    ["exact_optional", v.exactOptional(n), { wrapped: schema }],
    ["undefinedable", v.undefinedable(n), { wrapped: schema }],
    ["non_optional", v.nonOptional(v.optional(n)), { wrapped: schema }],
    ["nullable", v.nullable(n), { wrapped: schema }],
    ["nullish", v.nullish(n), { wrapped: schema }],
    ["non_nullable", v.nonNullable(v.nullable(n)), { wrapped: schema }],
    ["non_nullish", v.nonNullish(v.nullish(n)), { wrapped: schema }],
    ["union", v.union([n, v.string()]), { options: schemas }],
    ["variant", v.variant("k", [v.object({ k: v.literal("a") })]), { options: schemas }],
    ["intersect", v.intersect([v.object({ a: n }), v.object({ b: n })]), { options: schemas }],
    ["literal", v.literal(1), { literal: sameAs(1) }],
    ["picklist", v.picklist(["a", "b"]), { options: sameAs(["a", "b"]) }],
    ["enum", v.enum({ A: "a", B: 2 }), { options: sameAs(["a", 2]) }],
    ["string", v.string(), {}],
    ["number", n, {}],
    ["nan", v.nan(), {}],
    ["boolean", v.boolean(), {}],
    ["null", v.null(), {}],
    ["any", v.any(), {}],
    ["unknown", v.unknown(), {}],
    ["lazy", v.lazy(() => n), {}],
    ["custom", v.custom(() => true), {}],
    // A pipe keeps its base schema's type, then its schemas and actions in order.
    [
      "unknown",
      v.pipe(v.unknown(), v.string()),
      { pipe: (value) => Array.isArray(value) && isSchema(value[0], "unknown") && isSchema(value[1], "string") },
    ],
    [
      "string",
      v.pipe(v.string(), v.transform(Number)),
      {
        pipe: (value) =>
          Array.isArray(value) && (value[1] as { kind?: unknown } | undefined)?.kind === "transformation",
      },
    ],
  ];
}

/** Every way the schemas `v` builds differ from the shape schema-types.ts reads. */
function shapeProblems(v: Valibot): string[] {
  const problems: string[] = [];
  for (const [type, built, fields] of shapes(v)) {
    if (!isSchema(built, type)) problems.push(`${type}: not a schema of type "${type}"`);
    for (const [field, check] of Object.entries(fields)) {
      if (!check((built as Record<string, unknown>)[field]))
        problems.push(`${type}: field "${field}" is missing or shaped otherwise`);
    }
  }
  return problems;
}

describe("the valibot schema shape schema-types.ts reads", () => {
  it("is the shape of the installed valibot", () => {
    expect(shapeProblems(valibot)).toEqual([]);
  });

  it("fails on a valibot whose objects keep their entries elsewhere; schemaTypesAt then cannot tell", () => {
    const object = ((objectEntries: valibot.ObjectEntries) => {
      const { entries: kept, ...rest } = valibot.object(objectEntries);
      return { ...rest, shape: kept };
    }) as unknown as Valibot["object"];
    const doctored: Valibot = { ...valibot, object };
    expect(shapeProblems(doctored)).toEqual(['object: field "entries" is missing or shaped otherwise']);
    expect(schemaTypesAt(doctored.object({ a: doctored.number() }), "a")).toBeUndefined();
    expect(schemaTypesAt(valibot.object({ a: valibot.number() }), "a")).toEqual(new Set(["number"]));
  });

  it("fails on a valibot whose unions name their options otherwise; schemaTypesAt then cannot tell", () => {
    const union = ((options: valibot.UnionOptions) => {
      const { options: kept, ...rest } = valibot.union(options);
      return { ...rest, members: kept };
    }) as unknown as Valibot["union"];
    const doctored: Valibot = { ...valibot, union };
    expect(shapeProblems(doctored)).toEqual(['union: field "options" is missing or shaped otherwise']);
    expect(schemaTypesAt(doctored.union([valibot.number(), valibot.string()]), [])).toBeUndefined();
  });
});
