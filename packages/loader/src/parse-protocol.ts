import {
  ConfigError,
  type ConfigErrorCode,
  type ConfigIssue,
  ConfigReloadError,
  ConfigValidationError,
  isConfigError,
} from "@aiq/config-core";
import type { ParseConfigOptions } from "./parse.js";
import type { PositionIndex } from "./position-index.js";

// The messages between the loader and its parse worker (parse-worker.ts), and how an error crosses
// between them: structured cloning keeps an Error's message but not its class, code or issues.

/** A parse asked of the worker; every option resolved (the worker has no defaults of its own). */
export interface ParseRequest {
  type: "parse";
  id: number;
  text: string;
  options: Required<Omit<ParseConfigOptions, "format">>;
}

/** The caller gave up on a parse: the worker skips it if it has not started it. */
export interface CancelRequest {
  type: "cancel";
  id: number;
}

/** The worker's first message: it is up (a worker that fails before it never was). */
export interface ReadyMessage {
  ready: true;
}

/** What the worker answers a parse with. */
export type ParseReply =
  | { id: number; ok: true; data: unknown; warnings: string[]; positions: PositionIndex | undefined }
  | { id: number; ok: false; error: EncodedError };

/** An error as data: the loader's own errors field by field, anything else as the structured clone of it. */
export type EncodedError =
  | {
      kind: "config";
      name: string;
      code: ConfigErrorCode;
      message: string;
      sourceId: string | undefined;
      issues: readonly ConfigIssue[] | undefined;
      cause: unknown;
    }
  | { kind: "other"; error: unknown };

/** Encodes a thrown error for the trip to the other thread. */
export function encodeError(error: unknown): EncodedError {
  if (!isConfigError(error)) return { kind: "other", error };
  const issues = (error as Partial<ConfigValidationError>).issues;
  return {
    kind: "config",
    name: error.name,
    code: error.code,
    message: error.message,
    sourceId: error.sourceId,
    issues,
    cause: error.cause,
  };
}

/** The error an encoding stands for, of the class it was thrown as. */
export function decodeError(encoded: EncodedError): unknown {
  if (encoded.kind === "other") return encoded.error;
  const { name, code, message, sourceId, issues, cause } = encoded;
  const options = { ...(sourceId === undefined ? {} : { sourceId }), ...(cause === undefined ? {} : { cause }) };
  if (name === "ConfigValidationError") return new ConfigValidationError(issues ?? [], { ...options, code, message });
  if (name === "ConfigReloadError") return new ConfigReloadError(code, message, options);
  return new ConfigError(code, message, options);
}
