import { ConfigValidationError, type ConfigIssue } from "./errors.js";
import { formatOverridePath } from "./overrides.js";
import { isSecretPath, REDACTED, redactText, type SecretKeyPattern } from "./redact.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import type { ConfigPath, SourceDocument } from "./types.js";

/** What issue positions and redaction need to know about the document being validated. */
export interface IssueContext {
  /** The document's locate(), for line/column. */
  locate?: SourceDocument["locate"];
  /** The file issues point to when locate() names none. */
  file?: string;
  /** Values to hide in every message. */
  secrets: ReadonlySet<string>;
  secretKeys: readonly SecretKeyPattern[];
}

function issuePath(issue: StandardSchemaV1.Issue): (string | number)[] {
  return (issue.path ?? []).map((segment) => {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    return typeof key === "number" ? key : String(key);
  });
}

/**
 * Builds an issue with its position: the value's own line where it exists, else the nearest
 * ancestor's (a missing key is reported where its parent mapping was written).
 */
export function locateIssue(path: ConfigPath, message: string, context: IssueContext): ConfigIssue {
  const issue: ConfigIssue = { path: formatOverridePath(path), message: redactMessage(path, message, context) };
  if (context.locate) {
    for (let depth = path.length; depth >= 0; depth--) {
      const location = context.locate(path.slice(0, depth));
      if (location) {
        const file = location.file ?? context.file;
        if (file !== undefined) issue.file = file;
        issue.line = location.line;
        issue.column = location.column;
        break;
      }
    }
  }
  if (issue.file === undefined && context.file !== undefined && context.locate) issue.file = context.file;
  return issue;
}

function redactMessage(path: ConfigPath, message: string, context: IssueContext): string {
  let out = redactText(message, context.secrets);
  // valibot and others quote the received value ("... but received \"sk-...\""): hide it at secret paths.
  if (isSecretPath(path, context.secretKeys)) out = out.replace(/received\s+(?:"[^"]*"|'[^']*'|\S+)/g, `received ${REDACTED}`);
  return out;
}

/**
 * Validates data against a Standard Schema and returns its output, or throws a
 * `ConfigValidationError` listing every issue with its dotted path and position.
 */
export async function validateWithSchema<T>(schema: StandardSchemaV1<unknown, T>, data: unknown, context: IssueContext): Promise<T> {
  const result = await schema["~standard"].validate(data);
  if (result.issues === undefined) return result.value;
  throw new ConfigValidationError(result.issues.map((issue) => locateIssue(issuePath(issue), issue.message, context)));
}
