import {
  type ConfigError,
  type ConfigErrorCode,
  type ConfigIssue,
  formatIssue,
  isConfigError,
  isConfigValidationError,
} from "@aiq/config-core";
import { displayPath, plural } from "./format.js";

/** A failure as the CLI prints it: text lines, a JSON form, and the exit code. */
export interface Failure {
  /** 1 for a failed reload or a user mistake, 2 for a usage error, 3 for an etcd conflict, 4 for an unreachable etcd. */
  exitCode: number;
  /** The headline, without a stack trace for anything the user caused. */
  message: string;
  /** Every issue as `file:line:column path: message`, each followed by its code frame (indented), as lines. */
  issues: string[];
  /** What to do about it, when there is something to say. */
  hint?: string;
  /** The stack trace, for unexpected errors only. */
  stack?: string;
  /** The machine-readable form (`--json`). */
  json: FailureJson;
}

/** The `--json` form of a failure. */
export interface FailureJson {
  ok: false;
  error: { name: string; code?: string; message: string; issues?: readonly ConfigIssue[] };
  hint?: string;
}

const HEADLINES: Partial<Record<ConfigErrorCode, string>> = {
  SYNTAX: "Cannot parse the config",
  DUPLICATE_KEY: "Cannot parse the config",
  UNSUPPORTED_TAG: "Cannot parse the config",
  RESOURCE_LIMIT: "Cannot parse the config",
  BASE_CYCLE: "Cannot resolve the config's base: chain",
  INVALID_CONFIG: "Invalid config",
  INVALID_OVERRIDE: "Invalid override",
  INVALID_PATH: "Invalid override",
};

const CHECK_AGAIN = "then check it with `aiq-config -c FILE reload --validate-only`";

/** Hints for an etcd key (`sourceId` `etcd:<key>`), where the file hints would mislead. */
function etcdHintFor(code: ConfigErrorCode, message: string): string | undefined {
  switch (code) {
    case "UNAVAILABLE":
      // etcd runs but the TLS handshake failed: the generic "check that etcd runs" would mislead.
      return message.includes("TLS handshake failed")
        ? "Check --ca (the CA that signed etcd's server certificate) and --cert/--cert-key (a client certificate etcd trusts), and that the --etcd URLs are the names in etcd's certificate."
        : undefined;
    case "ENOENT":
      return "Check --key: the key is written by `aiq-config push` (--create for a new one).";
    case "EACCES":
      return "Check --user (or AIQ_ETCD_USER) and AIQ_ETCD_PASSWORD, and that the user's etcd role may read the key (pull, watch) or write it (push).";
    default:
      return undefined;
  }
}

function hintFor(code: ConfigErrorCode, sourceId: string | undefined, message: string): string | undefined {
  const etcd = sourceId?.startsWith("etcd:") ? etcdHintFor(code, message) : undefined;
  if (etcd) return etcd;
  switch (code) {
    case "ENOENT":
      return "Check the path given with -c/--config.";
    case "EACCES":
      return "Check the file's permissions: aiq-config needs to read it.";
    case "EISDIR":
      return "-c/--config must name a file (.yml, .yaml or .json), not a directory.";
    case "TOO_LARGE":
      return "Configs are limited in size (a file to 10 MiB, an etcd value to 1 MiB by default); check that -c names the right file.";
    case "ENCODING":
      return "Save the file as UTF-8.";
    case "EMPTY":
      return "The file holds no config yet (nothing, or only comments): save the config into it.";
    case "SYNTAX":
    case "DUPLICATE_KEY":
    case "UNSUPPORTED_TAG":
    case "RESOURCE_LIMIT":
    case "BASE_CYCLE":
      return `Fix the file at the position shown, ${CHECK_AGAIN}.`;
    case "INVALID_CONFIG":
      return `Fix the values shown, ${CHECK_AGAIN}; \`aiq-config schema\` prints what is allowed.`;
    case "INVALID_OVERRIDE":
    case "INVALID_PATH":
      return "Check the -o key=value overrides: a key is a dotted path into the config, e.g. -o llms.main_llm.temperature=0.7.";
    case "CONFLICT":
      return "Another push came first: `aiq-config pull --etcd URL --key K` prints the value now stored and its revision; merge your change into it and push with --expect-revision of that revision.";
    case "UNAVAILABLE":
      return "Check that etcd runs and that --etcd (or AIQ_ETCD_ENDPOINTS) names its client URLs, e.g. --etcd http://127.0.0.1:2379.";
    case "ROLLBACK_RANGE":
      return "`b N` rolls back N versions; `s` lists the snapshots kept.";
    default:
      return undefined;
  }
}

/** One issue as `file:line:column path: message`, its file shown relative to the working directory. */
export function formatIssueLine(issue: ConfigIssue): string {
  return formatIssue(issue.file === undefined ? issue : { ...issue, file: displayPath(issue.file) });
}

/**
 * One issue as printed everywhere in the CLI (reload, watch, interactive, run): its line, then its
 * code frame (already masked) indented under it.
 */
export function formatIssueBlock(issue: ConfigIssue): string[] {
  const lines = [formatIssueLine(issue)];
  if (issue.frame) lines.push(...issue.frame.split("\n").map((line) => `  ${line}`));
  return lines;
}

/** The exit code of a config error: 3 another writer came first, 4 etcd cannot be reached, else 1. */
function exitCodeFor(code: ConfigErrorCode): number {
  if (code === "CONFLICT") return 3;
  if (code === "UNAVAILABLE") return 4;
  return 1;
}

function describeConfigError(error: ConfigError): Failure {
  const hint = hintFor(error.code, error.sourceId, error.message);
  const base = { exitCode: exitCodeFor(error.code), ...(hint ? { hint } : {}) };
  const errorJson = { name: error.name, code: error.code, message: error.message };
  if (isConfigValidationError(error)) {
    const source = error.sourceId ?? error.issues.find((issue) => issue.file !== undefined)?.file;
    const headline = HEADLINES[error.code] ?? "Invalid config";
    const where = source === undefined ? "" : ` ${displayPath(source)}`;
    return {
      ...base,
      message: `${headline}${where} (${plural(error.issues.length, "issue")}):`,
      issues: error.issues.flatMap(formatIssueBlock),
      json: { ok: false, error: { ...errorJson, issues: error.issues }, ...(hint ? { hint } : {}) },
    };
  }
  return {
    ...base,
    message: error.message,
    issues: [],
    json: { ok: false, error: errorJson, ...(hint ? { hint } : {}) },
  };
}

function isUsageError(error: unknown): error is Error {
  return error instanceof Error && (error as { clipanion?: { type?: string } }).clipanion?.type === "usage";
}

/**
 * Classifies anything a command threw: a failed reload or a user mistake (exit 1, no stack), a usage
 * error (exit 2), or an unexpected error (exit 1, with its stack).
 * @param error what was caught
 */
export function describeFailure(error: unknown): Failure {
  if (isConfigError(error)) return describeConfigError(error);
  if (isUsageError(error)) {
    const hint = "Run `aiq-config --help` for the commands, `aiq-config <command> --help` for their options.";
    return {
      exitCode: 2,
      message: error.message,
      issues: [],
      hint,
      json: { ok: false, error: { name: "UsageError", message: error.message }, hint },
    };
  }
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    exitCode: 1,
    message: `Unexpected error: ${err.message}`,
    issues: [],
    ...(err.stack ? { stack: err.stack } : {}),
    json: { ok: false, error: { name: err.name, message: err.message } },
  };
}

/** The text form of a failure: headline, indented issues, hint, and the stack of an unexpected error. */
export function failureLines(failure: Failure, style: { red(t: string): string; dim(t: string): string }): string[] {
  const lines = [`${style.red("error")}: ${failure.message}`, ...failure.issues.map((line) => `  ${line}`)];
  if (failure.hint) lines.push(`${style.dim("hint")}: ${failure.hint}`);
  if (failure.stack) lines.push(failure.stack);
  return lines;
}
