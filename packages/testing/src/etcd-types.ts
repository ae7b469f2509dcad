import type { EnableAuthOptions, EtcdClusterStatus, EtcdKeyValue } from "./etcd-gateway.js";

/** Options of {@link startEtcd}. */
export interface StartEtcdOptions {
  /**
   * How many members: 1, or a 3-member cluster (for leader loss).
   * @default 1
   */
  members?: 1 | 3;
  /**
   * How long a start or restart may take until every member is healthy, in milliseconds.
   * @default 20000
   */
  readyTimeoutMs?: number;
  /**
   * More etcd flags for every member (e.g. `["--auto-compaction-retention", "1"]`).
   * @default []
   */
  args?: readonly string[];
  /**
   * Serve clients over TLS: certificates are generated into the server's temp dir with `openssl`
   * (see {@link EtcdServer.tls}) and the endpoints are `https://`; `clientCertAuth` also makes etcd
   * refuse a client without a certificate signed by the CA (`--client-cert-auth`). Peers stay on plain HTTP.
   * @default false
   */
  tls?: boolean | { clientCertAuth?: boolean };
  /**
   * The etcd binary.
   * @default findEtcd(): AIQ_ETCD_BIN, else `etcd` on the PATH
   */
  binary?: string;
}

/** The PEM files {@link startEtcd} writes with its `tls` option, each a path. */
export interface EtcdTlsFiles {
  /** The CA that signed the server and client certificates: what a client trusts. */
  readonly ca: string;
  /** A client certificate signed by {@link EtcdTlsFiles.ca}. */
  readonly cert: string;
  /** The client certificate's private key. */
  readonly key: string;
  /** The server's certificate (for 127.0.0.1 and localhost). */
  readonly serverCert: string;
  /** The server certificate's private key. */
  readonly serverKey: string;
  /** A CA that signed none of these: a client trusting only it must refuse the server. */
  readonly untrustedCa: string;
}

/** One member of the etcd started by {@link startEtcd}. */
export interface EtcdMember {
  /** Its name (`etcd0`, `etcd1`, ...). */
  readonly name: string;
  /** Its client URL, e.g. `http://127.0.0.1:41379`. */
  readonly endpoint: string;
  /** Its data directory (kept across {@link EtcdMember.restart}). */
  readonly dataDir: string;
  /** Its process id while it runs. */
  readonly pid: number | undefined;
  /** Whether its process is alive (a paused one is). */
  readonly running: boolean;
  /**
   * Sends `signal` to its pid and waits until it has exited.
   * @param signal - default `SIGKILL` (a crash); `SIGTERM` for a clean stop
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same data dir and ports (stopping it first if it runs); resolves once healthy. */
  restart(): Promise<void>;
  /** SIGSTOP: the process freezes, its sockets stay open (a stall or partition, as clients see it). */
  pause(): Promise<void>;
  /** SIGCONT after {@link EtcdMember.pause}. */
  resume(): Promise<void>;
}

/** A real etcd on loopback started by {@link startEtcd}, with its faults and a small key-value client. */
export interface EtcdServer extends AsyncDisposable {
  /** Every member's client URL, to hand to a client. */
  readonly endpoints: readonly string[];
  /** The members, in start order. */
  readonly members: readonly EtcdMember[];
  /** The temporary directory holding the data dirs and each member's log (`<name>.log`). */
  readonly dir: string;
  /** The certificate files when started with the `tls` option (in `dir`/tls), else `undefined`. */
  readonly tls: EtcdTlsFiles | undefined;
  /** {@link EtcdMember.kill} on every running member (default `SIGKILL`). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts every member again on the same data dirs (stopping running ones first); resolves once healthy. */
  restart(): Promise<void>;
  /** {@link EtcdMember.pause} on every member. */
  pause(): Promise<void>;
  /** {@link EtcdMember.resume} on every member. */
  resume(): Promise<void>;
  /** Kills every member, deletes the data and starts a fresh cluster on the same ports: new cluster id, revision back to 1. */
  wipe(): Promise<void>;
  /** The member that leads the cluster now (waits, up to the ready timeout, while an election is under way). */
  leader(): Promise<EtcdMember>;
  /**
   * Writes a key.
   * @returns the revision of the write (the key's new `mod_revision`)
   */
  put(key: string, value: string): Promise<string>;
  /** Reads a key: its value and revisions, or `undefined` when it is absent. */
  get(key: string): Promise<EtcdKeyValue | undefined>;
  /** Deletes a key; returns the revision of the delete. */
  delete(key: string): Promise<string>;
  /** Compacts the history up to `revision` (default: the current revision). */
  compact(revision?: string): Promise<void>;
  /** The cluster id, current revision and leader. */
  status(): Promise<EtcdClusterStatus>;
  /** Creates `root` and the given users (each with a read or read-write role on every key) and turns auth on. */
  enableAuth(options: EnableAuthOptions): Promise<void>;
  /** Kills every member by pid and deletes the directory; idempotent. */
  close(): Promise<void>;
}
