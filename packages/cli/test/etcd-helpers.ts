import * as net from "node:net";
import { type EtcdServer, type StartEtcdOptions, startEtcd } from "@aiq/config-testing";
import { afterAll, beforeAll } from "vitest";
import { validConfig } from "./helpers.js";

/** One etcd for the tests of a file: started before them (with `options`), stopped (by pid) after them. */
export function useEtcd(
  setup?: (etcd: EtcdServer) => Promise<void>,
  options: StartEtcdOptions = {},
): {
  readonly server: EtcdServer;
  readonly url: string;
} {
  let server: EtcdServer | undefined;
  beforeAll(async () => {
    server = await startEtcd(options);
    await setup?.(server);
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    get server(): EtcdServer {
      if (!server) throw new Error("etcd is not started yet: use it inside a test");
      return server;
    },
    get url(): string {
      return this.server.endpoints.join(",");
    },
  };
}

/** How a stored config names its secret: a placeholder each process fills from its environment. */
export const KEY_PLACEHOLDER = `\${MAIN_LLM_API_KEY}`;

/** The test config as a fleet stores it: the secret as a `${VAR}` placeholder. */
export function storedConfig(temperature = 0): string {
  return validConfig(temperature, KEY_PLACEHOLDER);
}

/** The stored config with a negative temperature on line 7: one schema issue. */
export const STORED_INVALID = storedConfig(-1);

/** A loopback URL where nothing listens (a port just bound and released). */
export async function deadEndpoint(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** `revision N` as push prints it on stdout (and pull on stderr): N. */
export function revisionIn(text: string): string {
  const match = /^revision (\d+)$/m.exec(text);
  if (!match) throw new Error(`no "revision N" line in:\n${text}`);
  return match[1] as string;
}
