import { readFileSync } from "node:fs";
import type { Logger, SecretKeyPattern } from "@aiq/config-core";
import type { ConfigEnv } from "@aiq/config-loader";

/** Where the etcd key is and how to reach it: what {@link getEtcdValue}, {@link putEtcdValue} and `etcdSource` share. */
export interface EtcdConnectionOptions {
  /**
   * Client URLs of members of one cluster (`http://10.0.0.5:2379`, `https://...` for TLS); a string may list several, comma-separated.
   * @default env AIQ_ETCD_ENDPOINTS, else an error
   */
  endpoints?: string | readonly string[] | undefined;
  /** The key holding the config: YAML text, JSON when it ends in `.json`. */
  key: string;
  /**
   * etcd credentials; the password never appears in any message.
   * @default env AIQ_ETCD_USER and AIQ_ETCD_PASSWORD when both are set, else none
   */
  auth?: { username: string; password: string } | undefined;
  /**
   * TLS material, each PEM text (or a path to a PEM file): `ca` to trust the server, `cert` + `key` for a client certificate.
   * @default none: the system's trust store for `https://` endpoints
   */
  tls?:
    | { ca?: string | Buffer | undefined; cert?: string | Buffer | undefined; key?: string | Buffer | undefined }
    | undefined;
  /**
   * No call to etcd waits longer than this, in milliseconds.
   * @default 3000
   */
  callTimeoutMs?: number | undefined;
  /**
   * Largest value accepted, in bytes: a larger one is refused before it is sent (etcd's own limit is ~1.5 MiB).
   * @default 1048576 (1 MiB)
   */
  maxBytes?: number | undefined;
}

/** Options of `etcdSource`: the connection, plus start-up, resync, cache and the loader's limits. */
export interface EtcdSourceOptions extends EtcdConnectionOptions {
  /**
   * The last applied value is kept in this file (mode 0600, `${VAR}` placeholders unresolved), so a
   * process can start while etcd is down. A corrupt file, or one for another key, is ignored with a warning.
   * @default none
   */
  cacheFile?: string | undefined;
  /**
   * How long the first read keeps retrying an unreachable etcd before it fails with `UNAVAILABLE` (or starts from `cacheFile`), in milliseconds.
   * @default 5000
   */
  startupTimeoutMs?: number | undefined;
  /**
   * A full read of the key this often even when no event came (events are hints, not truth), in milliseconds.
   * @default 300000
   */
  resyncIntervalMs?: number | undefined;
  /**
   * How many alias expansions a YAML value may make; `0` rejects any alias.
   * @default 100
   */
  maxAliasCount?: number | undefined;
  /**
   * How deeply lists and mappings may nest.
   * @default 256
   */
  maxDepth?: number | undefined;
  /**
   * The variables `${VAR}` placeholders are replaced with, read at every read.
   * @default process.env
   */
  env?: ConfigEnv | undefined;
  /**
   * Extra keys or dotted path patterns whose values the code frames of syntax errors show as `***`
   * (`createEtcdConfigManager` passes the manager's on).
   * @default []
   */
  secretKeys?: readonly SecretKeyPattern[] | undefined;
  /**
   * Where warnings (an ignored cache file, an unset `${VAR}`) go.
   * @default warnings on stderr
   */
  logger?: Logger | undefined;
}

/** A connection with every default applied. */
export interface EtcdConnection {
  endpoints: readonly string[];
  key: string;
  auth: { username: string; password: string } | undefined;
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined;
  callTimeoutMs: number;
  maxBytes: number;
}

/** 1 MiB: under etcd's default request limit (1.5 MiB), with room for the request around the value. */
export const DEFAULT_ETCD_MAX_BYTES = 1024 * 1024;

/**
 * Applies defaults and the environment (AIQ_ETCD_ENDPOINTS, AIQ_ETCD_USER, AIQ_ETCD_PASSWORD).
 * @throws TypeError (a usage error) when there is no endpoint or no key, or a client certificate without its key
 */
export function resolveConnection(options: EtcdConnectionOptions, env: ConfigEnv = process.env): EtcdConnection {
  const given = options.endpoints ?? env.AIQ_ETCD_ENDPOINTS ?? "";
  const endpoints = (typeof given === "string" ? given.split(",") : [...given]).map((e) => e.trim()).filter(Boolean);
  if (endpoints.length === 0)
    throw new TypeError("No etcd endpoints: pass `endpoints` (e.g. http://127.0.0.1:2379) or set AIQ_ETCD_ENDPOINTS.");
  if (!options.key) throw new TypeError("No etcd key: pass `key`, e.g. aiq/prod/agent.yml.");
  const user = env.AIQ_ETCD_USER;
  const password = env.AIQ_ETCD_PASSWORD;
  const auth = options.auth ?? (user && password !== undefined ? { username: user, password } : undefined);
  if (!options.tls?.cert !== !options.tls?.key)
    throw new TypeError("A client certificate needs its key: pass both `tls.cert` and `tls.key`, or neither.");
  const tls = options.tls
    ? {
        ...(options.tls.ca ? { ca: pem(options.tls.ca) } : {}),
        ...(options.tls.cert ? { cert: pem(options.tls.cert) } : {}),
        ...(options.tls.key ? { key: pem(options.tls.key) } : {}),
      }
    : undefined;
  return {
    endpoints,
    key: options.key,
    auth,
    tls,
    callTimeoutMs: options.callTimeoutMs ?? 3000,
    maxBytes: options.maxBytes ?? DEFAULT_ETCD_MAX_BYTES,
  };
}

/** PEM text as given, or read from the file a string names. */
function pem(value: string | Buffer): Buffer {
  if (Buffer.isBuffer(value)) return value;
  return value.includes("-----BEGIN") ? Buffer.from(value, "utf8") : readFileSync(value);
}
