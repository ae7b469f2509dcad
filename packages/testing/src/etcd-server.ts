import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { findEtcd } from "./etcd-binary.js";
import { type EnableAuthOptions, type EtcdClusterStatus, EtcdGateway, type EtcdKeyValue } from "./etcd-gateway.js";
import { EtcdProcess, type EtcdProcessTls } from "./etcd-process.js";
import { writeTlsFiles } from "./etcd-tls.js";
import type { EtcdMember, EtcdServer, EtcdTlsFiles, StartEtcdOptions } from "./etcd-types.js";
import { findFreePort } from "./free-port.js";

/**
 * Starts a real etcd (or a 3-member cluster) on free loopback ports, in a temporary data dir, with
 * fast elections (`--heartbeat-interval 10 --election-timeout 100`: ready in ~0.1 s).
 * @param options - members, timeouts, extra flags, binary
 * @returns once every member is healthy; `close()` (or `await using`) stops every process by its pid
 * @example
 * await using etcd = await startEtcd();
 * const revision = await etcd.put("aiq/agent.yml", "llms: {}\n");
 * await etcd.kill("SIGKILL");
 * await etcd.restart();
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const binary = options.binary ?? findEtcd();
  if (!binary) throw new Error("startEtcd: no etcd binary (install etcd-server, or set AIQ_ETCD_BIN)");
  const count = options.members ?? 1;
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "aiq-etcd-"));
  let tls: EtcdProcessTls | undefined;
  try {
    tls = options.tls ? await tlsOf(dir, options.tls) : undefined;
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw new Error(`startEtcd: cannot write the TLS certificates with openssl: ${(error as Error).message}`);
  }
  // The ports are free when picked but another program may take one before etcd binds it: retry.
  for (let attempt = 1; ; attempt++) {
    const processes = await planMembers(binary, dir, count, options.args ?? [], tls);
    const server = new Server(dir, processes, readyTimeoutMs, tls);
    try {
      await server.startAll("new");
      return server;
    } catch (error) {
      await server.stopAll("SIGKILL");
      const portTaken = processes.some((p) => /address already in use/.test(p.logTail(40)));
      if (!portTaken || attempt === 3) {
        await fs.rm(dir, { recursive: true, force: true });
        throw error;
      }
      for (const p of processes) await fs.rm(p.spec.dataDir, { recursive: true, force: true });
    }
  }
}

async function tlsOf(dir: string, option: true | { clientCertAuth?: boolean }): Promise<EtcdProcessTls> {
  const files = await writeTlsFiles(path.join(dir, "tls"));
  const [ca, cert, key] = await Promise.all([fs.readFile(files.ca), fs.readFile(files.cert), fs.readFile(files.key)]);
  return {
    files,
    client: { ca, cert, key },
    clientCertAuth: option !== true && !!option.clientCertAuth,
  };
}

async function planMembers(
  binary: string,
  dir: string,
  count: number,
  extraArgs: readonly string[],
  tls: EtcdProcessTls | undefined,
): Promise<EtcdProcess[]> {
  const scheme = tls ? "https" : "http";
  const members: { name: string; client: string; peer: string }[] = [];
  for (let i = 0; i < count; i++) {
    const [client, peer] = [await findFreePort(), await findFreePort()];
    members.push({ name: `etcd${i}`, client: `${scheme}://127.0.0.1:${client}`, peer: `http://127.0.0.1:${peer}` });
  }
  const initialCluster = members.map(({ name, peer }) => `${name}=${peer}`).join(",");
  return members.map(
    ({ name, client, peer }) =>
      new EtcdProcess({
        binary,
        name,
        clientUrl: client,
        peerUrl: peer,
        dataDir: path.join(dir, `${name}.etcd`),
        logFile: path.join(dir, `${name}.log`),
        initialCluster,
        extraArgs,
        ...(tls ? { tls } : {}),
      }),
  );
}

class Server implements EtcdServer {
  readonly endpoints: readonly string[];
  readonly members: readonly EtcdMember[];
  readonly tls: EtcdTlsFiles | undefined;
  readonly #gateway: EtcdGateway;
  // A fresh token for each new cluster: the cluster id derives from it, so a wipe changes the id.
  #token = `aiq-${randomBytes(6).toString("hex")}`;
  #closing: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly processes: readonly EtcdProcess[],
    private readonly readyTimeoutMs: number,
    tls: EtcdProcessTls | undefined,
  ) {
    this.endpoints = processes.map((p) => p.spec.clientUrl);
    this.members = processes.map((p) => this.#member(p));
    this.tls = tls?.files;
    this.#gateway = new EtcdGateway(
      () => processes.filter((p) => p.running && !p.paused).map((p) => p.spec.clientUrl),
      3000,
      tls?.client,
    );
  }

  async startAll(state: "new" | "existing"): Promise<void> {
    for (const p of this.processes) if (!p.running) p.spawn(this.#token, state);
    await Promise.all(this.processes.map((p) => p.waitHealthy(this.readyTimeoutMs)));
  }

  async stopAll(signal: NodeJS.Signals): Promise<void> {
    await Promise.all(this.processes.map((p) => p.signal(signal)));
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    return this.stopAll(signal);
  }

  async restart(): Promise<void> {
    await this.stopAll("SIGTERM");
    await this.startAll("existing");
  }

  pause(): Promise<void> {
    return this.stopAll("SIGSTOP");
  }

  resume(): Promise<void> {
    return this.stopAll("SIGCONT");
  }

  async wipe(): Promise<void> {
    await this.stopAll("SIGKILL");
    for (const p of this.processes) await fs.rm(p.spec.dataDir, { recursive: true, force: true });
    this.#token = `aiq-${randomBytes(6).toString("hex")}`;
    this.#gateway.reset();
    await this.startAll("new");
  }

  async leader(): Promise<EtcdMember> {
    // Right after a leader is lost the others hold an election (~0.1-1 s): ask until one is known.
    const started = Date.now();
    for (;;) {
      const { leaderId } = await this.#gateway.status().catch(() => ({ leaderId: "0" }));
      for (const [i, p] of this.processes.entries()) {
        const member = this.members[i];
        if (member === undefined || !p.running || p.paused || leaderId === "0") continue;
        if ((await this.#gateway.memberId(p.spec.clientUrl).catch(() => "")) === leaderId) return member;
      }
      if (Date.now() - started > this.readyTimeoutMs)
        throw new Error(`no running member leads after ${this.readyTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  put(key: string, value: string): Promise<string> {
    return this.#gateway.put(key, value);
  }

  get(key: string): Promise<EtcdKeyValue | undefined> {
    return this.#gateway.get(key);
  }

  delete(key: string): Promise<string> {
    return this.#gateway.delete(key);
  }

  compact(revision?: string): Promise<void> {
    return this.#gateway.compact(revision);
  }

  status(): Promise<EtcdClusterStatus> {
    return this.#gateway.status();
  }

  enableAuth(options: EnableAuthOptions): Promise<void> {
    return this.#gateway.enableAuth(options);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.stopAll("SIGKILL");
      await fs.rm(this.dir, { recursive: true, force: true });
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #member(p: EtcdProcess): EtcdMember {
    const timeout = this.readyTimeoutMs;
    const token = (): string => this.#token;
    return {
      name: p.spec.name,
      endpoint: p.spec.clientUrl,
      dataDir: p.spec.dataDir,
      get pid() {
        return p.pid;
      },
      get running() {
        return p.running;
      },
      kill: (signal: NodeJS.Signals = "SIGKILL") => p.signal(signal),
      restart: async () => {
        await p.signal("SIGTERM");
        p.spawn(token(), "existing");
        await p.waitHealthy(timeout);
      },
      pause: () => p.signal("SIGSTOP"),
      resume: () => p.signal("SIGCONT"),
    };
  }
}
