/** The keys that reach a prototype when a path walker assigns through them. */
export const RESERVED_KEYS = ["__proto__", "constructor", "prototype"] as const;

/**
 * Override paths that try to reach a prototype: plain, quoted, bracketed and escaped spellings of
 * the reserved keys at the start, in the middle and at the end of a path. A config library must
 * refuse every one (aiq-config: `INVALID_PATH`) and change nothing global.
 */
export const PROTOTYPE_POLLUTION_PATHS: readonly string[] = Object.freeze([
  "__proto__",
  "__proto__.x",
  "constructor",
  "constructor.prototype.x",
  "prototype.x",
  "a.__proto__",
  "a.__proto__.x",
  "a.constructor",
  "a.b.constructor.prototype.x",
  '"__proto__".x',
  'a."constructor"."prototype".x',
  "a[__proto__].x",
  'a["__proto__"].x',
  "a['__proto__'].x",
  '["__proto__"]',
  "\\u005f\\u005fproto\\u005f\\u005f.x",
  '"\\u005f\\u005fproto\\u005f\\u005f".x',
  "__proto\\u005f_.x",
  '"__proto\\u005f_".x',
  '"__pro\\to__".x',
]);

/** The own property names of the built-in prototypes a pollution would change. */
export interface PrototypeNames {
  object: string[];
  array: string[];
  function: string[];
}

/**
 * Takes the own property names of `Object.prototype`, `Array.prototype` and `Function.prototype`,
 * to compare with a later call: equal means nothing was added to them.
 * @returns the sorted names of each
 * @example
 * const before = prototypeNames();
 * applyUntrustedOverrides();
 * expect(prototypeNames()).toEqual(before);
 */
export function prototypeNames(): PrototypeNames {
  const names = (proto: object): string[] => Object.getOwnPropertyNames(proto).sort();
  return { object: names(Object.prototype), array: names(Array.prototype), function: names(Function.prototype) };
}

/**
 * Keys that a pollution typically plants (`polluted`, `x`, `isAdmin`) and that a fresh object or
 * array now inherits; empty when there are none.
 * @returns the planted keys found
 */
export function plantedKeys(): string[] {
  const object = {} as Record<string, unknown>;
  const array = [] as unknown as Record<string, unknown>;
  return ["polluted", "x", "isAdmin"].filter((key) => object[key] !== undefined || array[key] !== undefined);
}
