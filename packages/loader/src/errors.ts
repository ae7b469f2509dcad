import {
  type ConfigErrorCode,
  type ConfigIssue,
  ConfigValidationError,
  formatCodeFrame,
  type SecretKeyPattern,
} from "@aiq/config-core";

/** A 1-based place in a file. */
export interface Position {
  line: number;
  column: number;
}

// Loader-internal helpers; the error classes themselves are core's.

/** Builds an issue at a place in a file; `path` is the dotted config path, `""` for the document. */
export function issueAt(file: string, message: string, position?: Position, path = ""): ConfigIssue {
  return { path, message, file, ...(position ? { line: position.line, column: position.column } : {}) };
}

/** A parse failure: a `ConfigValidationError` with the loader's code and every issue found. */
export function parseFailure(
  code: ConfigErrorCode,
  issues: readonly ConfigIssue[],
  file: string,
  cause?: unknown,
): ConfigValidationError {
  return new ConfigValidationError(issues, { code, sourceId: file, cause });
}

/** The text issues point into, and the extra keys whose values its frames mask. */
export interface FrameSource {
  text: string;
  secretKeys: readonly SecretKeyPattern[];
}

/**
 * A parse failure whose issues carry a code frame of the text (secret keys' values masked); built
 * only when a file fails to parse.
 */
export function framedFailure(
  code: ConfigErrorCode,
  issues: readonly ConfigIssue[],
  file: string,
  source: FrameSource,
  cause?: unknown,
): ConfigValidationError {
  return parseFailure(
    code,
    issues.map((issue) => withFrame(issue, source)),
    file,
    cause,
  );
}

function withFrame(issue: ConfigIssue, source: FrameSource): ConfigIssue {
  if (issue.line === undefined || issue.frame !== undefined) return issue;
  const frame = formatCodeFrame(
    source.text,
    { line: issue.line, column: issue.column },
    { secretKeys: source.secretKeys },
  );
  return frame === "" ? issue : { ...issue, frame };
}
