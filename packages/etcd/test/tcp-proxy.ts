import * as net from "node:net";

/** How the proxy treats traffic: pass it, reset every connection, or hold every byte (a blackhole healed later). */
export type ProxyMode = "pass" | "reset" | "blackhole";

/** A TCP proxy in front of one etcd member: a partition of the processes that connect through it. */
export interface TcpProxy extends AsyncDisposable {
  /** The URL to give a client instead of the member's. */
  readonly endpoint: string;
  /**
   * `reset`: live connections are reset (RST) and new ones refused with a reset; `blackhole`: bytes
   * are held in both directions, as a network that drops packets holds a TCP stream (delivered on
   * heal, in order); `pass`: heals.
   */
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `target` (`http://127.0.0.1:PORT`). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  let mode: ProxyMode = "pass";
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; held: (() => void)[] }>();
  const server = net.createServer((client) => {
    if (mode === "reset") {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(Number(port), hostname);
    const pair = { client, upstream, held: [] as (() => void)[] };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket): void => {
      from.on("data", (chunk) => {
        const send = (): void => {
          if (!to.destroyed) to.write(chunk);
        };
        if (mode === "blackhole") pair.held.push(send);
        else send();
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("error", end);
      socket.on("close", end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  const close = async (): Promise<void> => {
    for (const pair of pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    set(next) {
      mode = next;
      for (const pair of pairs) {
        if (next === "reset") {
          pair.client.resetAndDestroy();
          pair.upstream.destroy();
        }
        if (next === "pass") for (const send of pair.held.splice(0)) send();
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
