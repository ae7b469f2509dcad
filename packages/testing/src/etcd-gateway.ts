import { httpRequest } from "./etcd-http.js";

/** A key as etcd holds it, read through {@link EtcdServer.get}. */
export interface EtcdKeyValue {
  /** The value as UTF-8 text. */
  value: string;
  /** The revision of the last write to the key (what aiq-config calls the value's revision). */
  modRevision: string;
  /** The revision that created the key. */
  createRevision: string;
}

/** What {@link EtcdServer.status} tells about the cluster. */
export interface EtcdClusterStatus {
  /** The cluster id (changes on {@link EtcdServer.wipe}). */
  clusterId: string;
  /** The store's current revision. */
  revision: string;
  /** The member id of the leader. */
  leaderId: string;
}

/** A user {@link EtcdServer.enableAuth} creates, with one role on the whole key space. */
export interface EtcdUserSpec {
  name: string;
  password: string;
  /** `read`: may get and watch; `readwrite`: may put too. */
  access: "read" | "readwrite";
}

/** Options of {@link EtcdServer.enableAuth}. */
export interface EnableAuthOptions {
  /** The password of `root`, which the server's own helpers (put, get, ...) then log in as. */
  rootPassword: string;
  /** More users to create first. @default [] */
  users?: readonly EtcdUserSpec[];
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");
const unb64 = (text: string | undefined): string => Buffer.from(text ?? "", "base64").toString("utf8");
// "\0" to "\0": every key (etcd's convention for a range over the whole key space).
const ALL_KEYS = { key: b64("\0"), range_end: b64("\0") };

interface Header {
  header?: { cluster_id?: string; member_id?: string; revision?: string };
}

/** etcd's JSON gateway (`/v3/...`): enough to drive a test store without a client library. */
export class EtcdGateway {
  #root: { password: string; token?: string | undefined } | undefined;

  constructor(
    /** The client URLs to try, in order (members that are down or paused are skipped by the caller). */
    private readonly endpoints: () => readonly string[],
    private readonly timeoutMs = 3000,
    /** For `https://` endpoints: the CA to trust and the client certificate to present. */
    private readonly tls?: { ca: Buffer; cert: Buffer; key: Buffer },
  ) {}

  async put(key: string, value: string): Promise<string> {
    const answer = await this.call<Header>("/v3/kv/put", { key: b64(key), value: b64(value) });
    return answer.header?.revision ?? "0";
  }

  async get(key: string): Promise<EtcdKeyValue | undefined> {
    const answer = await this.call<{ kvs?: { value?: string; mod_revision: string; create_revision: string }[] }>(
      "/v3/kv/range",
      { key: b64(key) },
    );
    const kv = answer.kvs?.[0];
    if (!kv) return undefined;
    return { value: unb64(kv.value), modRevision: kv.mod_revision, createRevision: kv.create_revision };
  }

  async delete(key: string): Promise<string> {
    const answer = await this.call<Header>("/v3/kv/deleterange", { key: b64(key) });
    return answer.header?.revision ?? "0";
  }

  async compact(revision?: string): Promise<void> {
    const target = revision ?? (await this.status()).revision;
    await this.call("/v3/kv/compaction", { revision: target, physical: true });
  }

  async status(endpoint?: string): Promise<EtcdClusterStatus> {
    const answer = await this.call<Header & { leader?: string }>("/v3/maintenance/status", {}, endpoint);
    return {
      clusterId: answer.header?.cluster_id ?? "",
      revision: answer.header?.revision ?? "0",
      leaderId: answer.leader ?? "",
    };
  }

  /** The member id of the member at `endpoint`. */
  async memberId(endpoint: string): Promise<string> {
    const answer = await this.call<Header>("/v3/maintenance/status", {}, endpoint);
    return answer.header?.member_id ?? "";
  }

  async enableAuth(options: EnableAuthOptions): Promise<void> {
    await this.call("/v3/auth/user/add", { name: "root", password: options.rootPassword });
    await this.call("/v3/auth/role/add", { name: "root" });
    await this.call("/v3/auth/user/grant", { user: "root", role: "root" });
    for (const user of options.users ?? []) {
      await this.call("/v3/auth/user/add", { name: user.name, password: user.password });
      await this.call("/v3/auth/role/add", { name: user.name });
      const permType = user.access === "read" ? "READ" : "READWRITE";
      await this.call("/v3/auth/role/grant", { name: user.name, perm: { permType, ...ALL_KEYS } });
      await this.call("/v3/auth/user/grant", { user: user.name, role: user.name });
    }
    await this.call("/v3/auth/enable", {});
    this.#root = { password: options.rootPassword };
  }

  /** Forgets the root token (after a wipe: a fresh cluster has no auth). */
  reset(): void {
    this.#root = undefined;
  }

  /** POSTs to the first endpoint that answers (as root once auth is on); the last error if none does. */
  private async call<T>(path: string, json: unknown, only?: string): Promise<T> {
    const endpoints = only ? [only] : this.endpoints();
    let lastError: unknown = new Error("no etcd member is running");
    for (const endpoint of endpoints) {
      try {
        const token = await this.token(endpoint);
        return JSON.parse(await httpRequest(`${endpoint}${path}`, { json, token, ...this.#request() })) as T;
      } catch (error) {
        lastError = error;
        // An expired token: log in again on the next try.
        if (this.#root && /token/i.test(String(error))) this.#root.token = undefined;
      }
    }
    throw lastError;
  }

  #request(): { timeoutMs: number; tls?: { ca: Buffer; cert: Buffer; key: Buffer } } {
    return { timeoutMs: this.timeoutMs, ...(this.tls ? { tls: this.tls } : {}) };
  }

  private async token(endpoint: string): Promise<string | undefined> {
    if (!this.#root) return undefined;
    if (this.#root.token) return this.#root.token;
    const answer = await httpRequest(`${endpoint}/v3/auth/authenticate`, {
      json: { name: "root", password: this.#root.password },
      ...this.#request(),
    });
    this.#root.token = (JSON.parse(answer) as { token?: string }).token;
    return this.#root.token;
  }
}
