import { ConfigReloadError, isConfigError } from "@aiq/config-core";
import type { EtcdConnection } from "./options.js";

/** The source id of a key, as issues and errors name it: `etcd:<key>`. */
export function sourceIdOf(key: string): string {
  return `etcd:${key}`;
}

/** etcd cannot be reached (down, partitioned, too slow): `UNAVAILABLE`, naming the endpoints and the key. */
export function unavailable(connection: EtcdConnection, why: string, cause?: unknown): ConfigReloadError {
  return new ConfigReloadError(
    "UNAVAILABLE",
    `etcd at ${connection.endpoints.join(", ")} cannot be reached for key ${connection.key}: ${why}`,
    { sourceId: sourceIdOf(connection.key), ...(cause === undefined ? {} : { cause }) },
  );
}

/** Another writer changed the key first: `CONFLICT`, naming the revision now current. */
export function conflict(connection: EtcdConnection, expected: string, current: string | undefined): ConfigReloadError {
  const now = current === undefined ? "the key does not exist" : `it is at revision ${current}`;
  const wanted = expected === "0" ? "to be absent (create)" : `at revision ${expected}`;
  return new ConfigReloadError(
    "CONFLICT",
    `etcd key ${connection.key} changed meanwhile: expected it ${wanted}, but ${now}. Pull it again and retry.`,
    { sourceId: sourceIdOf(connection.key) },
  );
}

/** A value over `maxBytes`: `TOO_LARGE` (refused before it is sent, or when read). */
export function tooLarge(connection: EtcdConnection, bytes: number, revision?: string): ConfigReloadError {
  const which = revision === undefined ? "The value" : `The value at revision ${revision}`;
  return new ConfigReloadError(
    "TOO_LARGE",
    `${which} of etcd key ${connection.key} is ${bytes} bytes, over the ${connection.maxBytes}-byte limit (maxBytes).`,
    { sourceId: sourceIdOf(connection.key) },
  );
}

// grpc status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html)
const UNAVAILABLE_CODES = new Set([1, 4, 8, 13, 14]);

/**
 * Turns what the etcd client threw into a `ConfigReloadError`: unreachable or too slow is
 * `UNAVAILABLE`, a refused login or permission `EACCES` naming the user (never the password),
 * anything else `READ_FAILED`. The message of a gRPC error names no secret.
 */
export function fromClientError(connection: EtcdConnection, error: unknown): ConfigReloadError {
  if (isConfigError(error)) return error as ConfigReloadError;
  const name = error instanceof Error ? error.constructor.name : "";
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const sourceId = sourceIdOf(connection.key);
  const user = connection.auth ? `user "${connection.auth.username}"` : "no user (auth not configured)";
  if (name === "EtcdAuthenticationFailedError" || /authentication failed/i.test(message)) {
    return new ConfigReloadError(
      "EACCES",
      `etcd at ${connection.endpoints.join(", ")} refused the login of ${user}: wrong user name or password.`,
      {
        sourceId,
        cause: error,
      },
    );
  }
  if (name === "EtcdPermissionDeniedError" || /permission denied|user name is empty|not capable/i.test(message)) {
    return new ConfigReloadError("EACCES", `etcd denied ${user} access to key ${connection.key}: ${message}`, {
      sourceId,
      cause: error,
    });
  }
  if (
    /^GRPC(Unavailable|DeadlineExceeded|Cancelled|Internal|Unknown|ResourceExhasted)Error$/.test(name) ||
    name === "BrokenCircuitError" ||
    (typeof code === "number" && UNAVAILABLE_CODES.has(code))
  ) {
    return unavailable(connection, message, error);
  }
  return new ConfigReloadError("READ_FAILED", `etcd call for key ${connection.key} failed: ${message}`, {
    sourceId,
    cause: error,
  });
}
