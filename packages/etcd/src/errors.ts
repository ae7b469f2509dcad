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
    { sourceId: sourceIdOf(connection.key), cause },
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
export function tooLarge(
  connection: Pick<EtcdConnection, "key" | "maxBytes">,
  bytes: number,
  revision?: string,
): ConfigReloadError {
  const which = revision === undefined ? "The value" : `The value at revision ${revision}`;
  return new ConfigReloadError(
    "TOO_LARGE",
    `${which} of etcd key ${connection.key} is ${bytes} bytes, over the ${connection.maxBytes}-byte limit (maxBytes).`,
    { sourceId: sourceIdOf(connection.key) },
  );
}

// etcd (or a proxy) refused the client's certificate: TLS alerts bad_certificate (42) to
// certificate_unknown (46) and certificate_required (116).
const CLIENT_CERT_REFUSED =
  /alert (bad|unsupported|unknown) certificate|certificate required|SSL alert number (4[2-6]|116)\b/i;
// Node's reasons for not trusting the server's certificate.
const SERVER_CERT_UNTRUSTED =
  /unable to verify the first certificate|self[- ]signed certificate(?: in certificate chain)?|unable to get (?:local )?issuer certificate|certificate has expired|certificate is not yet valid|Hostname\/IP does not match certificate's altnames[^.]*/i;

/** What to tell about a failed TLS handshake, or `undefined` when `message` is about something else. */
function tlsReason(message: string): string | undefined {
  if (CLIENT_CERT_REFUSED.test(message))
    return "the TLS handshake failed: etcd refused this client's certificate (none given, or not signed by a CA etcd trusts); give a client certificate and its key (tls.cert and tls.key, --cert and --cert-key)";
  const untrusted = SERVER_CERT_UNTRUSTED.exec(message);
  if (untrusted)
    return `the TLS handshake failed: ${untrusted[0]}; give the CA that signed etcd's server certificate (tls.ca, --ca), and make sure the certificate names this host`;
  return undefined;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** True when `error` (or the client error it wraps) is a refused TLS handshake: a setup problem, not an outage. */
export function isTlsFailure(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return (
    tlsReason(messageOf(error)) !== undefined || (cause !== undefined && tlsReason(messageOf(cause)) !== undefined)
  );
}

/**
 * Why a call failed, in one line a user can act on: a TLS failure says which side refused which
 * certificate and what to check; any other gRPC message loses its timestamp and empty notes.
 * A certificate or key is never part of it (gRPC messages hold none).
 */
export function reasonOf(error: unknown): string {
  const message = messageOf(error);
  return (
    tlsReason(message) ??
    message
      .replace(/\s*\(\d{4}-\d\d-\d\dT[^)]*\)/g, "")
      .replace(/\.?\s*Resolution note:\s*$/, "")
      .trim()
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
    return unavailable(connection, reasonOf(error), error);
  }
  return new ConfigReloadError("READ_FAILED", `etcd call for key ${connection.key} failed: ${message}`, {
    sourceId,
    cause: error,
  });
}
