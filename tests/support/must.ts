// The tests' replacement for the non-null assertion (`x!`, which biome forbids): the same narrowing,
// but a missing value fails the test with what was expected instead of a TypeError further on.

/**
 * Returns `value`, or fails the test saying what was missing.
 * @param value what a lookup returned (an array element, a regex group, a `find` result...)
 * @param what what was expected, as the failure names it: "the first manager"
 * @returns the value, narrowed to neither `undefined` nor `null`
 */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}, got ${value}`);
  return value;
}
