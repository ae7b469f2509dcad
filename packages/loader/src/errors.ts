import { type ConfigErrorCode, type ConfigIssue, ConfigValidationError } from "@aiq/config-core";

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
export function parseFailure(code: ConfigErrorCode, issues: readonly ConfigIssue[], file: string, cause?: unknown): ConfigValidationError {
  return new ConfigValidationError(issues, { code, sourceId: file, ...(cause === undefined ? {} : { cause }) });
}
