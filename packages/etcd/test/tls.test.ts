import { readFile } from "node:fs/promises";
import type { ConfigManager } from "@aiq/config-core";
import { createEventManager } from "@aiq/config-events";
import { startEtcd } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { createEtcdConfigManager, etcdSource, getEtcdValue, putEtcdValue } from "../src/index.js";
import { must } from "../../../tests/support/must.js";
import { skipEtcd } from "./etcd-available.js";
import { configWith, counterOf, expectConverged } from "./fleet.js";

const PASSWORD = "svc-TLS-pw-8812";

describe.skipIf(skipEtcd)("60. access: etcd over TLS with client certificates", () => {
  it("a read-only user over TLS follows the key; a wrong CA or no client certificate is a clear error naming no secret", async () => {
    await using etcd = await startEtcd({ tls: { clientCertAuth: true } });
    const files = must(etcd.tls, "the TLS files");
    const key = "fleet/agent.yml";
    await etcd.put(key, configWith(1));
    await etcd.enableAuth({
      rootPassword: "root-TLS-pw",
      users: [{ name: "svc", password: PASSWORD, access: "read" }],
    });
    const auth = { username: "svc", password: PASSWORD };
    // Paths to PEM files, as a deployment mounts them.
    const tls = { ca: files.ca, cert: files.cert, key: files.key };

    const manager = (await createEtcdConfigManager({
      endpoints: etcd.endpoints,
      key,
      auth,
      tls,
      events: createEventManager(),
    })) as ConfigManager;
    try {
      expect(counterOf(manager)).toBe(1);
      await etcd.put(key, configWith(2));
      await expectConverged([manager], etcd, key);
      expect(counterOf(manager)).toBe(2);
    } finally {
      await manager.close();
    }

    // PEM text works as well as a path; a writer over TLS (root) pushes, the reader reads it back.
    const pem = {
      ca: await readFile(files.ca, "utf8"),
      cert: await readFile(files.cert),
      key: await readFile(files.key),
    };
    const pushed = await putEtcdValue({
      endpoints: etcd.endpoints,
      key,
      value: configWith(3),
      auth: { username: "root", password: "root-TLS-pw" },
      tls: pem,
    });
    expect(await getEtcdValue({ endpoints: etcd.endpoints, key, auth, tls: pem })).toMatchObject({
      revision: pushed.revision,
      value: configWith(3),
    });

    const secrets = [PASSWORD, await readFile(files.key, "utf8"), "BEGIN"];
    const refusal = async (given: { ca?: string; cert?: string; key?: string }): Promise<Error & { code?: string }> => {
      const error = await createEtcdConfigManager({
        endpoints: etcd.endpoints,
        key,
        auth,
        tls: given,
        // Long enough for a handshake on a loaded machine: the refusal, not the deadline, is what is named.
        startupTimeoutMs: 2000,
        events: createEventManager(),
      }).catch((e: unknown) => e as Error & { code?: string });
      expect(error).toBeInstanceOf(Error);
      const printed = `${(error as Error).message}\n${(error as Error).stack}`;
      for (const secret of secrets) expect(printed).not.toContain(secret);
      return error as Error & { code?: string };
    };

    // A CA that did not sign etcd's certificate: the client refuses the server.
    const wrongCa = await refusal({ ...tls, ca: files.untrustedCa });
    expect(wrongCa.code).toBe("UNAVAILABLE");
    expect(wrongCa.message).toMatch(/TLS handshake failed: unable to verify the first certificate; give the CA/);
    expect(wrongCa.message).toContain(etcd.endpoints[0]);

    // No client certificate: etcd (--client-cert-auth) refuses the client.
    const noCert = await refusal({ ca: files.ca });
    expect(noCert.code).toBe("UNAVAILABLE");
    expect(noCert.message).toContain("etcd refused this client's certificate");
  });

  it("a client certificate without its key is a usage error before anything is sent", () => {
    expect(() => etcdSource({ endpoints: "https://127.0.0.1:1", key: "k.yml", tls: { cert: "-----BEGIN x" } })).toThrow(
      /needs its key/,
    );
  });
});
