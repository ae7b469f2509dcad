import type { StandardSchemaV1 } from "@aiq/config-core";

/**
 * A Standard Schema that accepts any value as it is: the weakest schema a user can give. Run a
 * suite with it as well as with your real schema to prove that what keeps a broken config out
 * is aiq-config and not your schema (RELIABILITY I1: never partial, never empty).
 * @returns a schema whose `validate` returns `{ value }`, typed `T` on trust
 * @example
 * const manager = await createConfigManager<MyConfig>(file, { schema: passThroughSchema<MyConfig>() });
 */
export function passThroughSchema<T = unknown>(): StandardSchemaV1<unknown, T> {
  return { "~standard": { version: 1, vendor: "aiq-config-testing", validate: (value) => ({ value: value as T }) } };
}
