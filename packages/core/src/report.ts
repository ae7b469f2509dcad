import type { ConfigEventError } from "@aiq/config-events";
import { type ConfigErrorCode, isConfigError, isConfigValidationError } from "./errors.js";
import { redactText } from "./redact.js";
import type { ConfigStatusError } from "./types.js";

/** A caught error as redacted plain data, for `status.lastError` and events. */
export function describeError(error: unknown, secrets: ReadonlySet<string>): ConfigStatusError {
  const at = new Date();
  if (isConfigError(error)) {
    const described: ConfigStatusError = {
      name: error.name,
      code: error.code,
      message: redactText(error.message, secrets),
      at,
    };
    if (isConfigValidationError(error)) {
      described.issues = error.issues.map((issue) => ({
        ...issue,
        message: redactText(issue.message, secrets),
        ...(issue.frame === undefined ? {} : { frame: redactText(issue.frame, secrets) }),
      }));
    }
    return described;
  }
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : "Error";
  return { name, code: "READ_FAILED" satisfies ConfigErrorCode, message: redactText(message, secrets), at };
}

/** The event form of a described error. */
export function toEventError(described: ConfigStatusError): ConfigEventError {
  const { name, code, message, issues } = described;
  return issues ? { name, code, message, issues } : { name, code, message };
}
