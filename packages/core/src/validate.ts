import { ConfigValidationError, type ConfigIssue } from "./errors.js";
import { formatOverridePath } from "./overrides.js";
import { isSecretPath, REDACTED, redactText, type SecretKeyPattern } from "./redact.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import type { ConfigPath, SourceDocument } from "./types.js";

/** What issue positions and redaction need to know about the document being validated. */
export interface IssueContext {
  /** The document's locate(), for line/column. */
  locate?: SourceDocument["locate"] | undefined;
  /** The file issues point to when locate() names none. */
  file?: string | undefined;
  /** Values to hide in every message. */
  secrets: ReadonlySet<string>;
  secretKeys: readonly SecretKeyPattern[];
  /** The override that wrote the value at a path, if one did: the issue names it instead of a position. */
  overrideAt?: (path: ConfigPath) => string | undefined;
  /** The code frame of a position, where the source text is known. */
  frameAt?: (position: IssuePosition) => string | undefined;
}

/** Where an issue was written: file, line, column, and the code frame around it. */
export type IssuePosition = Pick<ConfigIssue, "file" | "line" | "column" | "frame">;

function issuePath(issue: StandardSchemaV1.Issue): (string | number)[] {
  return (issue.path ?? []).map((segment) => {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    return typeof key === "number" ? key : String(key);
  });
}

/**
 * Builds an issue: named after the override that wrote the value, where one did; else with its
 * position in the document.
 */
export function locateIssue(path: ConfigPath, message: string, context: IssueContext): ConfigIssue {
  const issue: ConfigIssue = { path: formatOverridePath(path), message: redactMessage(path, message, context) };
  const override = context.overrideAt?.(path);
  return override === undefined ? { ...issue, ...positionAt(path, context) } : { ...issue, override };
}

/**
 * Where a path was written: the value's own line where it exists, else the nearest ancestor's (a
 * missing key is reported where its parent mapping was written).
 */
export function positionAt(path: ConfigPath, context: IssueContext): IssuePosition {
  if (!context.locate) return {};
  for (let depth = path.length; depth >= 0; depth--) {
    const location = context.locate(path.slice(0, depth));
    if (location) {
      const file = location.file ?? context.file;
      const position = { ...(file !== undefined ? { file } : {}), line: location.line, column: location.column };
      const frame = context.frameAt?.(position);
      return frame === undefined ? position : { ...position, frame };
    }
  }
  return context.file !== undefined ? { file: context.file } : {};
}

function redactMessage(path: ConfigPath, message: string, context: IssueContext): string {
  let out = redactText(message, context.secrets);
  // valibot and others quote the received value ("... but received \"sk-...\""): hide it at secret paths.
  if (isSecretPath(path, context.secretKeys))
    out = out.replace(/received\s+(?:"[^"]*"|'[^']*'|\S+)/g, `received ${REDACTED}`);
  return out;
}

/**
 * Validates data against a Standard Schema and returns its output, or throws a
 * `ConfigValidationError` listing every issue with its dotted path and position.
 */
export async function validateWithSchema<T>(
  schema: StandardSchemaV1<unknown, T>,
  data: unknown,
  context: IssueContext,
): Promise<T> {
  const result = await schema["~standard"].validate(data);
  if (result.issues === undefined) return result.value;
  const issues = result.issues.map((issue) => locateIssue(issuePath(issue), issue.message, context));
  throw new ConfigValidationError(issues, context.file !== undefined ? { sourceId: context.file } : {});
}
