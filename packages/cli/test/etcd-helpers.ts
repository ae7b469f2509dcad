import * as net from "node:net";
import { type EtcdServer, type StartEtcdOptions, startEtcd } from "@aiq/config-testing";
import { afterAll, beforeAll } from "vitest";
import { startCli, validConfig } from "./helpers.js";

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

/**
 * Runs `aiq-config watch argv...` (with `env`) until it watches, puts `value` into `key`, waits
 * until it prints the reload of that revision, and stops it as Ctrl-C does.
 * @returns its exit code, everything it printed, and the revision of the put
 */
export async function watchSeesPut(
  argv: string[],
  env: Record<string, string>,
  put: { server: EtcdServer; key: string; value: string },
): Promise<{ code: number; stdout: string; stderr: string; revision: string }> {
  const controller = new AbortController();
  const run = startCli(["watch", ...argv], { env, signal: controller.signal });
  const at = await run.stdout.waitFor("Watching etcd:");
  const revision = await put.server.put(put.key, put.value);
  await run.stdout.waitFor(new RegExp(`Reloaded \\(reload #1, version 2, revision ${revision}\\)`), at);
  controller.abort();
  const code = await run.exit;
  return { code, stdout: run.stdout.text, stderr: await run.stderr.finished, revision };
}
