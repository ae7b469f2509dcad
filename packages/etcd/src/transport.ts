import type { EtcdConnection } from "./options.js";

/** The response header of every etcd answer: which cluster answered, at which store revision. */
export interface EtcdHeader {
  clusterId: string;
  revision: string;
}

/** A key's value with its revisions (int64s as decimal strings). */
export interface EtcdKeyValue {
  value: Buffer;
  modRevision: string;
  createRevision: string;
}

/** What a get returned: the header and the key, `undefined` when it is absent. */
export interface EtcdGetResult {
  header: EtcdHeader;
  kv: EtcdKeyValue | undefined;
}

/** A put's guard: the key's `mod_revision` must still be this, or (`"0"`) the key must not exist. */
export interface EtcdPutCondition {
  modRevision: string;
}

/** What a conditional put returned: on failure, the key as it is now. */
export type EtcdPutResult =
  | { succeeded: true; revision: string }
  | { succeeded: false; current: EtcdKeyValue | undefined };

/** What a watch reports. Each handler is called in the order etcd sent things. */
export interface EtcdWatchHandlers {
  /** The key was written. */
  onPut(kv: EtcdKeyValue, header: EtcdHeader): void;
  /** The key was deleted at `revision`. */
  onDelete(revision: string, header: EtcdHeader): void;
  /** The stream is up (first time, or again after a disconnect). */
  onConnected(header: EtcdHeader): void;
  /** The stream broke; the client reconnects and resumes on its own. */
  onDisconnected(error: unknown): void;
  /** The watch is gone for good (cancelled by etcd: compaction, permission): watch again. */
  onError(error: unknown): void;
}

/** A watch on one key. */
export interface EtcdWatch {
  /** Stops it; resolves within the call timeout even when etcd does not answer. */
  cancel(): Promise<void>;
}

/**
 * What this package needs of an etcd client: get, compare-and-put, watch from a revision, close.
 * Kept this small so the client library can be replaced. Unary calls reject with a
 * `ConfigReloadError` (`UNAVAILABLE`, `EACCES`, ...) and never wait longer than `callTimeoutMs`.
 */
export interface EtcdTransport {
  get(key: string, options?: { revision?: string }): Promise<EtcdGetResult>;
  put(key: string, value: Buffer, condition?: EtcdPutCondition): Promise<EtcdPutResult>;
  watch(key: string, fromRevision: string, handlers: EtcdWatchHandlers): EtcdWatch;
  close(): void;
}

/**
 * Opens a transport over the `etcd3` client. The client (gRPC and its protocol files) is loaded on
 * first use, so importing this package stays cheap for a program that never connects.
 */
export async function openTransport(connection: EtcdConnection): Promise<EtcdTransport> {
  const { Etcd3Transport } = await import("./etcd3-transport.js");
  return new Etcd3Transport(connection);
}
