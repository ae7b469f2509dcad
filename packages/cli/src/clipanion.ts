// clipanion 3.2.1 has no exports map, and its ESM build imports a directory (`../platform`), which
// Node's ESM loader refuses (arcanis/clipanion#139). Node resolves a bare "clipanion" to the CJS build,
// but Vite (vitest) prefers the `.mjs` files and fails. Naming the CJS entry file works for both.
export { Builtins, Cli, Command, Option, UsageError } from "clipanion/lib/advanced/index.js";
export type { BaseContext } from "clipanion/lib/advanced/index.js";
