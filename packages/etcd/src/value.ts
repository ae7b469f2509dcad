import { conflict, tooLarge } from "./errors.js";
import { type EtcdConnection, type EtcdConnectionOptions, resolveConnection } from "./options.js";
import { type EtcdTransport, openTransport } from "./transport.js";

/** Options of {@link getEtcdValue}. */
export interface GetEtcdValueOptions extends EtcdConnectionOptions {
  /**
   * Read the value as it was at this store revision (a fleet rollback reads an older value).
   * @default the current value
   */
  revision?: string | undefined;
}

/** Options of {@link putEtcdValue}. */
export interface PutEtcdValueOptions extends EtcdConnectionOptions {
  /** The raw text to store (`${VAR}` placeholders stay unresolved: every process resolves its own). */
  value: string;
  /** Write only if the key's `mod_revision` is still this (compare-and-swap). */
  expectRevision?: string | undefined;
  /** Write only if the key does not exist yet (compared on `create_revision == 0`). */
  create?: boolean | undefined;
}

/**
 * Reads the key's raw value (placeholders unresolved), e.g. for `aiq-config pull`.
 * @param options - endpoints, key, credentials, and an optional past `revision`
 * @returns the value as text and its `mod_revision`; `undefined` when the key is absent (at that revision)
 * @throws ConfigReloadError `UNAVAILABLE` (naming endpoints and key), `EACCES`, `TOO_LARGE`
 * @example const current = await getEtcdValue({ endpoints: "http://127.0.0.1:2379", key: "aiq/prod/agent.yml" });
 */
export async function getEtcdValue(
  options: GetEtcdValueOptions,
): Promise<{ value: string; revision: string } | undefined> {
  const connection = resolveConnection(options);
  return withTransport(connection, async (transport) => {
    const { kv } = await transport.get(
      connection.key,
      options.revision === undefined ? {} : { revision: options.revision },
    );
    if (!kv) return undefined;
    if (kv.value.length > connection.maxBytes) throw tooLarge(connection, kv.value.length, kv.modRevision);
    return { value: kv.value.toString("utf8"), revision: kv.modRevision };
  });
}

/**
 * Writes the key's raw value, e.g. for `aiq-config push`: with `expectRevision` a compare-and-swap
 * on its `mod_revision`, with `create` only if it is absent, with neither unconditionally. A value
 * over `maxBytes` is refused before anything is sent.
 * @param options - endpoints, key, credentials, the value and its guard
 * @returns the revision of the write (the key's new `mod_revision`)
 * @throws ConfigReloadError `CONFLICT` naming the current revision when another writer won, `UNAVAILABLE`, `EACCES`, `TOO_LARGE`
 * @example await putEtcdValue({ endpoints, key: "aiq/prod/agent.yml", value: text, expectRevision: "41" });
 */
export async function putEtcdValue(options: PutEtcdValueOptions): Promise<{ revision: string }> {
  const connection = resolveConnection(options);
  const value = Buffer.from(options.value, "utf8");
  if (value.length > connection.maxBytes) throw tooLarge(connection, value.length);
  if (options.create && options.expectRevision !== undefined) {
    throw new TypeError("putEtcdValue: pass either `expectRevision` or `create`, not both.");
  }
  const expected = options.create ? "0" : options.expectRevision;
  return withTransport(connection, async (transport) => {
    const result = await transport.put(
      connection.key,
      value,
      expected === undefined ? undefined : { modRevision: expected },
    );
    if (!result.succeeded) throw conflict(connection, expected ?? "", result.current?.modRevision);
    return { revision: result.revision };
  });
}

async function withTransport<T>(connection: EtcdConnection, use: (transport: EtcdTransport) => Promise<T>): Promise<T> {
  const transport = await openTransport(connection);
  try {
    return await use(transport);
  } finally {
    transport.close();
  }
}
