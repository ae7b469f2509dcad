import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, type IBackoff, noop } from "cockatiel";
import { Etcd3, type IKeyValue, type IResponseHeader, isRecoverableError, type Watcher } from "etcd3";
import { withDeadline } from "./deadline.js";
import { fromClientError, unavailable } from "./errors.js";
import type { EtcdConnection } from "./options.js";
import type {
  EtcdGetResult,
  EtcdHeader,
  EtcdKeyValue,
  EtcdPutCondition,
  EtcdPutResult,
  EtcdTransport,
  EtcdWatch,
  EtcdWatchHandlers,
} from "./transport.js";

// What was measured about etcd3 1.1.2 and is set here (see the package README):
// - no default deadline (a get on a stopped etcd hung > 11 s): every unary call gets one;
// - no keepalive (a SIGSTOPped etcd went unnoticed): gRPC pings every 10 s, dead after 3 s more
//   (5 s is refused by etcd with GOAWAY "too many pings");
// - the watch backoff grows to 30 s and a breaker blocks calls for 5 s: capped at 1 s and 0.5 s;
// - calls are retried 3 times by default, multiplying the deadline: no retry here (the callers
//   retry on their own schedule).
// - gRPC's own reconnect backoff grows to 120 s: capped at 1 s as well.
const CHANNEL_OPTIONS = {
  "grpc.keepalive_time_ms": 10_000,
  "grpc.keepalive_timeout_ms": 3_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 1_000,
};

const header = (h: IResponseHeader): EtcdHeader => ({ clusterId: String(h.cluster_id), revision: String(h.revision) });
const keyValue = (kv: IKeyValue): EtcdKeyValue => ({
  value: Buffer.from(kv.value),
  modRevision: String(kv.mod_revision),
  createRevision: String(kv.create_revision),
});

/** {@link EtcdTransport} over `etcd3`, with deadlines, keepalive, a short backoff and a fast-reopening breaker. */
export class Etcd3Transport implements EtcdTransport {
  readonly #client: Etcd3;
  readonly #connection: EtcdConnection;

  constructor(connection: EtcdConnection) {
    this.#connection = connection;
    const timeout = connection.callTimeoutMs;
    const { tls, auth } = connection;
    this.#client = new Etcd3({
      hosts: [...connection.endpoints],
      ...(auth ? { auth: { username: auth.username, password: auth.password } } : {}),
      // With a client certificate but no CA, the system's trust store checks the server (etcd3
      // types the CA as required, but passes it on to gRPC, which takes none as the system's).
      ...(tls?.ca || tls?.cert
        ? {
            credentials: {
              rootCertificate: tls.ca as Buffer,
              ...(tls.key ? { privateKey: tls.key } : {}),
              ...(tls.cert ? { certChain: tls.cert } : {}),
            },
          }
        : {}),
      grpcOptions: CHANNEL_OPTIONS,
      dialTimeout: timeout,
      // A deadline on every unary call (the login included); none on the watch stream, which lives on.
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeout }),
      faultHandling: {
        global: noop,
        host: () =>
          circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 500, breaker: new ConsecutiveBreaker(3) }),
        // etcd3 types this as a backoff but uses it as a factory (`.next()` per reconnect series).
        watchBackoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }) as unknown as IBackoff<unknown>,
      },
    });
  }

  async get(key: string, options: { revision?: string } = {}): Promise<EtcdGetResult> {
    const request = { key: Buffer.from(key), ...(options.revision ? { revision: options.revision } : {}) };
    const response = await this.#call("get", () => this.#client.kv.range(request));
    const kv = response.kvs[0];
    return { header: header(response.header), kv: kv ? keyValue(kv) : undefined };
  }

  async put(key: string, value: Buffer, condition?: EtcdPutCondition): Promise<EtcdPutResult> {
    const name = Buffer.from(key);
    if (!condition) {
      const response = await this.#call("put", () => this.#client.kv.put({ key: name, value }));
      return { succeeded: true, revision: String(response.header.revision) };
    }
    // An absent key has create_revision 0; a present one is compared on its mod_revision.
    const compare =
      condition.modRevision === "0"
        ? { key: name, target: "Create" as const, result: "Equal" as const, create_revision: "0" }
        : { key: name, target: "Mod" as const, result: "Equal" as const, mod_revision: condition.modRevision };
    const response = await this.#call("put", () =>
      this.#client.kv.txn({
        compare: [compare],
        success: [{ request_put: { key: name, value } }],
        failure: [{ request_range: { key: name } }],
      }),
    );
    if (response.succeeded) return { succeeded: true, revision: String(response.header.revision) };
    const current = response.responses[0]?.response_range?.kvs[0];
    return { succeeded: false, current: current ? keyValue(current) : undefined };
  }

  watch(key: string, fromRevision: string, handlers: EtcdWatchHandlers): EtcdWatch {
    const watcher: Watcher = this.#client.watch().key(key).startRevision(fromRevision).watcher();
    // put/delete are emitted from inside "data": keep the header of the response they came in.
    let lastHeader: IResponseHeader = { cluster_id: "0", member_id: "0", revision: "0", raft_term: "0" };
    watcher.prependListener("data", (response) => {
      lastHeader = response.header;
    });
    watcher.on("put", (kv) => handlers.onPut(keyValue(kv), header(lastHeader)));
    watcher.on("delete", (kv) => handlers.onDelete(String(kv.mod_revision), header(lastHeader)));
    watcher.on("connected", (response) => handlers.onConnected(header(response.header)));
    watcher.on("disconnected", (error) => handlers.onDisconnected(error));
    // Always listened to: an "error" with no listener would crash the process (compaction does it).
    watcher.on("error", (error) => handlers.onError(error));
    let cancelling: Promise<void> | undefined;
    return {
      cancel: () => {
        cancelling ??= withDeadline(
          watcher.cancel().catch(() => undefined),
          this.#connection.callTimeoutMs,
        ).then(() => {
          watcher.removeAllListeners();
          // A listener stays: a late error after cancel must not crash the process either.
          watcher.on("error", () => undefined);
        });
        return cancelling;
      },
    };
  }

  close(): void {
    this.#client.close();
  }

  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      // The gRPC deadline covers the call; this one also covers the login and the breaker.
      return await withDeadline(call(), this.#connection.callTimeoutMs, () =>
        unavailable(
          this.#connection,
          `no answer to ${what} within ${this.#connection.callTimeoutMs} ms (callTimeoutMs)`,
        ),
      );
    } catch (error) {
      throw fromClientError(this.#connection, error);
    }
  }
}
