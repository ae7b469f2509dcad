/** Codes of every failure aiq-config reports. */
export type ConfigErrorCode =
  // reading the source
  | "ENOENT"
  | "EACCES"
  | "EISDIR"
  | "EIO"
  | "TOO_LARGE"
  | "ENCODING"
  | "READ_FAILED"
  | "EMPTY"
  | "UNAVAILABLE"
  | "CONFLICT"
  // parsing and validating
  | "SYNTAX"
  | "DUPLICATE_KEY"
  | "UNSUPPORTED_TAG"
  | "RESOURCE_LIMIT"
  | "BASE_CYCLE"
  | "INVALID_CONFIG"
  | "INVALID_OVERRIDE"
  | "INVALID_PATH"
  // manager state
  | "ROLLBACK_RANGE"
  | "CLOSED"
  | "ABORTED"
  // a reload whose read its caller's `accept` refused (the source moved on since the caller looked)
  | "SUPERSEDED";

/** One problem found in a config: where it is and what is wrong. */
export interface ConfigIssue {
  /** Full dotted path, e.g. `llms.main_llm.temperature` (`""` for the document root). */
  path: string;
  /** What is wrong, redacted when the value is secret. */
  message: string;
  /** The file the value was written in, where known. */
  file?: string;
  /** 1-based line, where known. */
  line?: number;
  /** 1-based column, where known. */
  column?: number;
  /**
   * The source lines around `line` with a caret under `column`, secret values shown as `***`
   * (see `formatCodeFrame`); set on a failed reload when the source text is known.
   */
  frame?: string;
  /**
   * The override (its key as written) that wrote the value this issue is about, when one did:
   * printed where a position would be, `override "llms.x.temperature": llms.x.temperature: ...`.
   */
  override?: string;
}

const BRAND = Symbol.for("@aiq/config-error");

/** Options common to every aiq-config error. */
export interface ConfigErrorOptions {
  /** The underlying error. */
  cause?: unknown | undefined;
  /** The source the error concerns (usually the resolved file path). */
  sourceId?: string | undefined;
}

/** The base of every error aiq-config throws. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly code: ConfigErrorCode;
  readonly sourceId?: string;

  constructor(code: ConfigErrorCode, message: string, options: ConfigErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.sourceId !== undefined) this.sourceId = options.sourceId;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** A reload (or create, rollback, setOverrides) failed; nothing changed. */
export class ConfigReloadError extends ConfigError {
  override name = "ConfigReloadError";
}

/** The config could not be parsed or does not match the schema; `issues` lists every problem. */
export class ConfigValidationError extends ConfigReloadError {
  override name = "ConfigValidationError";
  readonly issues: readonly ConfigIssue[];

  constructor(
    issues: readonly ConfigIssue[],
    options: ConfigErrorOptions & { code?: ConfigErrorCode; message?: string } = {},
  ) {
    const { code = "INVALID_CONFIG", message, ...rest } = options;
    super(code, message ?? summarizeIssues(issues), rest);
    this.issues = issues;
  }
}

function summarizeIssues(issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? "1 issue" : `${issues.length} issues`;
  const lines = issues.map((issue) => `  ${formatIssue(issue)}`);
  return [`Invalid config (${count}):`, ...lines].join("\n");
}

/**
 * Formats an issue the way compilers do: `file:line:column path: message`; an issue in a value an
 * override wrote names the override instead: `override "key": path: message`.
 * @param issue the issue to print
 * @returns one line
 */
export function formatIssue(issue: ConfigIssue): string {
  let where = "";
  if (issue.override !== undefined) {
    where = `override "${issue.override}": `;
  } else if (issue.file !== undefined) {
    where = issue.file;
    if (issue.line !== undefined) where += `:${issue.line}${issue.column === undefined ? "" : `:${issue.column}`}`;
    where += " ";
  } else if (issue.line !== undefined) {
    where = `line ${issue.line}${issue.column === undefined ? "" : `:${issue.column}`} `;
  }
  const path = issue.path === "" ? "(root)" : issue.path;
  return `${where}${path}: ${issue.message}`;
}

function hasBrand(error: unknown): error is ConfigError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * True for any aiq-config error, even one thrown by another copy of this package.
 * @param error anything caught
 */
export function isConfigError(error: unknown): error is ConfigError {
  return hasBrand(error);
}

/** True for a failed reload (including validation failures), across package copies. */
export function isConfigReloadError(error: unknown): error is ConfigReloadError {
  return hasBrand(error) && (error.name === "ConfigReloadError" || error.name === "ConfigValidationError");
}

/** True for a parse or schema failure, across package copies. */
export function isConfigValidationError(error: unknown): error is ConfigValidationError {
  return hasBrand(error) && error.name === "ConfigValidationError";
}
