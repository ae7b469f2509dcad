import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { ConfigEventError } from "@aiq/config-events";
import { lineReader, type RunnerChildMessage, type RunnerReloadMessage } from "@aiq/config-watcher";

/** How a hand-off ended: every connected process applied it, one refused it, or one did not answer in time. */
export type HandoffResult =
  | { kind: "applied"; version: number; pids: number[] }
  | { kind: "refused"; pid: number; version: number; error: ConfigEventError }
  | { kind: "timeout"; pids: number[] };

interface Peer {
  socket: net.Socket;
  pid: number;
  answers: Map<number, (message: RunnerChildMessage) => void>;
}

/**
 * The runner's end of the hand-off: a Unix socket in a fresh directory only this user can enter
 * (0700, from `mkdtemp`), removed on close. Processes of the service connect to it with
 * `connectRunner` (its path is `AIQ_CONFIG_RUNNER`) and say hello with their pid.
 */
export class HandoffServer {
  readonly socketPath: string;
  readonly #dir: string;
  readonly #server: net.Server;
  readonly #peers = new Set<Peer>();
  readonly #sockets = new Set<net.Socket>();
  readonly #onConnect: (pid: number) => void;
  #accepting = false;
  #nextId = 1;

  private constructor(dir: string, onConnect: (pid: number) => void) {
    this.#dir = dir;
    this.socketPath = path.join(dir, "runner.sock");
    this.#onConnect = onConnect;
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  /**
   * Opens the socket.
   * @param onConnect called with the pid of each process that connects while a service runs
   */
  static async open(onConnect: (pid: number) => void): Promise<HandoffServer> {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "aiq-config-run-"));
    await fs.promises.chmod(dir, 0o700);
    const server = new HandoffServer(dir, onConnect);
    await new Promise<void>((resolve, reject) => {
      server.#server.once("error", reject);
      server.#server.listen(server.socketPath, () => resolve());
    });
    server.#server.unref();
    return server;
  }

  /** The number of processes connected now. */
  get connected(): number {
    return this.#peers.size;
  }

  /** Accept hellos (a service is running) or not (none is, or it is being stopped: its connections are dropped). */
  set accepting(value: boolean) {
    this.#accepting = value;
    if (value) return;
    for (const peer of this.#peers) peer.socket.destroy();
    this.#peers.clear();
  }

  #accept(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.setEncoding("utf8");
    let peer: Peer | undefined;
    socket.on(
      "data",
      lineReader((raw) => {
        const message = raw as RunnerChildMessage;
        if (message.type === "hello" && peer === undefined && typeof message.pid === "number") {
          if (!this.#accepting) return void socket.destroy();
          peer = { socket, pid: message.pid, answers: new Map() };
          this.#peers.add(peer);
          this.#onConnect(message.pid);
        } else if ((message.type === "applied" || message.type === "refused") && peer) {
          peer.answers.get(message.id)?.(message);
        }
      }),
    );
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.#sockets.delete(socket);
      if (peer) this.#peers.delete(peer);
    });
  }

  /**
   * Asks every connected process to reload, and waits for all answers (or the timeout).
   * @param timeoutMs how long to wait for the answers
   */
  async handOff(timeoutMs: number): Promise<HandoffResult> {
    const peers = [...this.#peers];
    const id = this.#nextId++;
    const message: RunnerReloadMessage = { type: "reload", id };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const answers = peers.map(
      (peer) =>
        new Promise<{ peer: Peer; answer: RunnerChildMessage }>((resolve) => {
          peer.answers.set(id, (answer) => resolve({ peer, answer }));
          peer.socket.write(`${JSON.stringify(message)}\n`);
        }),
    );
    try {
      const all = await Promise.race([Promise.all(answers), timedOut]);
      if (all === "timeout") return { kind: "timeout", pids: peers.map((peer) => peer.pid) };
      let version = 0;
      for (const { peer, answer } of all) {
        if (answer.type === "refused")
          return { kind: "refused", pid: peer.pid, version: answer.version, error: answer.error };
        if (answer.type === "applied") version = answer.version;
      }
      return { kind: "applied", version, pids: peers.map((peer) => peer.pid) };
    } finally {
      clearTimeout(timer);
      for (const peer of peers) peer.answers.delete(id);
    }
  }

  /** Closes the socket and every connection, and removes the directory. Idempotent. */
  close(): void {
    this.accepting = false;
    for (const socket of this.#sockets) socket.destroy();
    this.#server.close();
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}
