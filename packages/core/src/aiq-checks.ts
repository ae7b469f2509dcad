import { findFieldTypos } from "./aiq-field-hints.js";
import { type ConfigFinding, checkReferences } from "./aiq-references.js";

/** What the default schema's checks beyond types found. */
export interface AiqCheckResult {
  /** Refuse the config: dangling references (and likely typos of known keys under `strictKeys`). */
  errors: ConfigFinding[];
  /** Say so, but apply the config: likely typos of known keys, dangling references in `eval`. */
  warnings: ConfigFinding[];
}

/**
 * The checks of an AIQ / NeMo Agent Toolkit config that a type schema cannot make: every reference
 * names a component the config defines, and no component key looks like a typo of a common field.
 * @param config a config `aiqConfigSchema` accepted
 * @param options `strictKeys`: a likely typo is an error rather than a warning
 */
export function checkAiqConfig(config: unknown, options: { strictKeys: boolean }): AiqCheckResult {
  const references = checkReferences(config);
  const typos = findFieldTypos(config);
  if (!options.strictKeys) return { errors: references.errors, warnings: [...references.warnings, ...typos] };
  const strict = typos.map((typo) => ({ ...typo, message: `${typo.message} (refused under strictKeys)` }));
  return { errors: [...references.errors, ...strict], warnings: references.warnings };
}
