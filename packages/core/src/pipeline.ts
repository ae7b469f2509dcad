import { aiqConfigSchema } from "./aiq-schema.js";
import { formatCodeFrame } from "./code-frame.js";
import { checkAiqConfig } from "./aiq-checks.js";
import type { Logger } from "./logger.js";
import { ConfigValidationError, formatIssue } from "./errors.js";
import {
  applyOverridesAt,
  findDroppedOverrides,
  findOverrideAt,
  findUnknownCreatedOverrides,
  type OverrideIssueContext,
  overrideError,
} from "./overrides.js";
import { collectSecrets, collectSecretsInSlices, type SecretKeyPattern } from "./redact.js";
import { deepFreeze, deepFreezeInSlices, type Pause, shareInSlices, shareStructure } from "./share.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import type { ConfigOverrides, ConfigPath, SourceDocument } from "./types.js";
import { type IssueContext, type IssuePosition, locateIssue, positionAt, validateWithSchema } from "./validate.js";

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions<T> {
  /**
   * The schema to validate against.
   * @default aiqConfigSchema
   */
  schema?: StandardSchemaV1<unknown, T> | undefined;
  /**
   * Dotted-path overrides to apply before validating.
   * @default {}
   */
  overrides?: ConfigOverrides | undefined;
  /** Where issues point when the document does not say (usually the file path). */
  sourceId?: string | undefined;
  /** Extra secret keys or dotted path patterns, hidden in messages. */
  secretKeys?: readonly SecretKeyPattern[] | undefined;
  /**
   * With the default schema: refuse a component key that looks like a typo of a common field
   * (`temprature`), instead of warning about it.
   * @default false
   */
  strictKeys?: boolean | undefined;
}

/** The outcome of resolving a document against the current config. */
export interface Resolved<T> {
  config: Readonly<T>;
  changedPaths: ConfigPath[];
  /** Overrides that created a key neither the file nor the schema knows (a likely typo). */
  warnings: string[];
  /**
   * Findings about the document itself, as printable lines: with the default schema, a key that looks
   * like a typo of a common field, a dangling reference in `eval`.
   */
  notices: string[];
}

/** Everything in a document or its overrides that must never be printed. */
export function secretsOf(
  data: unknown,
  overrides: ConfigOverrides,
  secretKeys: readonly SecretKeyPattern[],
): Set<string> {
  const secrets = collectSecrets(data, secretKeys);
  return collectSecrets(overrides, secretKeys, secrets);
}

/**
 * The pure part of a reload: overrides -> validate -> share unchanged subtrees with `previous` ->
 * freeze. Throws `ConfigValidationError` (every issue, redacted, with positions); changes nothing.
 * `pause`, when given, is awaited between the steps (a manager hands the event loop back there
 * while it resolves a large document); `slice`, when given, within the walks of secrets, sharing and freezing,
 * between subtrees (it hands the loop back once a walk has held it long enough).
 */
export async function resolveDocument<T>(
  document: SourceDocument,
  options: ResolveConfigOptions<T>,
  previous?: Readonly<T>,
  pause: Pause = async () => {},
  slice?: Pause,
): Promise<Resolved<T>> {
  const schema = (options.schema ?? aiqConfigSchema) as unknown as StandardSchemaV1<unknown, T>;
  const overrides = options.overrides ?? {};
  const secretKeys = options.secretKeys ?? [];
  const { sourceId } = options;
  try {
    const secrets =
      slice === undefined
        ? secretsOf(document.data, overrides, secretKeys)
        : collectSecrets(overrides, secretKeys, await collectSecretsInSlices(document.data, secretKeys, slice));
    // Every issue is placed before it is thrown: where the document wrote it (with a code frame), or,
    // in a value an override wrote, named after the override.
    const context: IssueContext = {
      locate: document.locate?.bind(document),
      file: sourceId,
      secrets,
      secretKeys,
      overrideAt: (path) => findOverrideAt(document.data, overrides, path),
      frameAt: (position) => frameAt(position, document, { secrets, secretKeys }),
    };
    const placement: OverrideIssueContext = {
      position: (path) => positionAt(path, context),
      sourceId,
    };
    // applyOverrides copies on write along each path: the source document (possibly frozen, possibly
    // with YAML aliases shared between keys) is never changed.
    await pause();
    const data = applyOverridesAt(document.data, overrides, { schema }, placement);
    const output = await validateWithSchema(schema, data, context);
    await pause();
    // The default schema's checks beyond types: references and likely typos (a user's schema has its own).
    const checked =
      schema === (aiqConfigSchema as unknown)
        ? checkAiqConfig(output, { strictKeys: options.strictKeys ?? false })
        : undefined;
    if (checked && checked.errors.length > 0) {
      const issues = checked.errors.map((finding) => locateIssue(finding.path, finding.message, context));
      throw new ConfigValidationError(issues, sourceId !== undefined ? { sourceId } : {});
    }
    // Warnings print one line each: no code frame for them.
    const { frameAt: _noFrames, ...lineOnly } = context;
    const notices = (checked?.warnings ?? []).map((finding) =>
      formatIssue(locateIssue(finding.path, finding.message, lineOnly)),
    );
    const dropped = findDroppedOverrides(output, overrides);
    if (dropped.length > 0) throw overrideError(dropped, "INVALID_OVERRIDE", placement);
    // Where the schema passed values through unchanged, use the document's own (shared, frozen)
    // objects rather than the schema's copies; then share with the previous config and record
    // what changed.
    await pause();
    const share = (before: unknown, after: unknown, changed?: ConfigPath[]): Promise<unknown> | unknown =>
      slice === undefined ? shareStructure(before, after, changed) : shareInSlices(before, after, slice, changed);
    const aligned = (await share(data, output)) as T;
    const changedPaths: ConfigPath[] = [];
    if (previous !== undefined) await pause();
    const shared = previous === undefined ? aligned : ((await share(previous, aligned, changedPaths)) as T);
    const warnings = findUnknownCreatedOverrides(document.data, overrides, schema);
    await pause();
    const config =
      slice === undefined ? deepFreeze(shared, secretKeys) : await deepFreezeInSlices(shared, secretKeys, slice);
    return { config, changedPaths, warnings, notices };
  } catch (error) {
    // A document from a source other than the loader (which bounds depth) can be nested deeper than
    // the recursive steps (secrets, validation, sharing, freezing) can go: classify, never escape.
    if (error instanceof RangeError) throw nestedTooDeeply(sourceId);
    throw error;
  }
}

/** The error for a document nested deeper than the recursive steps of a reload can go (RESOURCE_LIMIT). */
export function nestedTooDeeply(sourceId?: string): ConfigValidationError {
  const message = "the config is nested too deeply to process (the call stack ran out); flatten it";
  return new ConfigValidationError([{ path: "", message }], {
    code: "RESOURCE_LIMIT",
    sourceId,
  });
}

// Built only when an issue is placed, on the failure path: a valid reload never formats a frame.
function frameAt(
  position: IssuePosition,
  document: SourceDocument,
  hide: Pick<IssueContext, "secrets" | "secretKeys">,
): string | undefined {
  if (position.line === undefined || !document.sourceText) return undefined;
  const text = document.sourceText(position.file);
  if (text === undefined) return undefined;
  const frame = formatCodeFrame(text, { line: position.line, column: position.column }, hide);
  return frame === "" ? undefined : frame;
}

/**
 * Applies overrides to a source document and validates it, with no manager state: what one reload
 * does before the swap. Throws `ConfigValidationError` listing every issue.
 * @param document a document read from a source (e.g. `await fileSource(path).read()`)
 * @param options schema, overrides, source id, `strictKeys`; `logger` is told the notices (a likely typo of a known key)
 * @returns the deep-frozen config
 * @example const config = await resolveConfig(await fileSource("config.yml").read(), { overrides: { "llms.main_llm.temperature": 0.9 } });
 */
export async function resolveConfig<T = import("./aiq-schema.js").AiqConfig>(
  document: SourceDocument,
  options: ResolveConfigOptions<T> & { logger?: Logger | undefined } = {},
): Promise<Readonly<T>> {
  const { logger, ...resolveOptions } = options;
  const resolved = await resolveDocument(document, resolveOptions);
  for (const notice of resolved.notices) logger?.warn(notice);
  return resolved.config;
}
