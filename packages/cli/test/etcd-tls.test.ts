import { readFile } from "node:fs/promises";
import { createConfigFixture, etcdSkipReason } from "@aiq/config-testing";
import { afterAll, describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { revisionIn, storedConfig, useEtcd, watchSeesPut } from "./etcd-helpers.js";
import { CANARY, hasStack, runCliText } from "./helpers.js";

const skip = etcdSkipReason();
if (skip) console.warn(`\n!!! ${skip}\n`);

// Scenario 60, TLS: etcd serves https:// only to clients with a certificate signed by its CA.
const KEY = "aiq/prod/agent.yml";
const WRITER = { name: "deployer", password: "pw-TLS-WRITER-3307", access: "readwrite" as const };

describe.skipIf(skip)("scenario 60: aiq-config against an etcd over TLS with client certificates", () => {
  const etcd = useEtcd(
    async (server) => {
      await server.put(KEY, storedConfig(0));
      await server.enableAuth({ rootPassword: "pw-TLS-ROOT-9921", users: [WRITER] });
    },
    { tls: { clientCertAuth: true } },
  );
  const env = { AIQ_ETCD_USER: WRITER.name, AIQ_ETCD_PASSWORD: WRITER.password, MAIN_LLM_API_KEY: CANARY };
  const files = () => must(etcd.server.tls, "the TLS files");
  const tlsFlags = () => ["--ca", files().ca, "--cert", files().cert, "--cert-key", files().key];
  const outputs: string[] = [];
  const record = <T extends { stdout: string; stderr: string }>(result: T): T => {
    outputs.push(result.stdout + result.stderr);
    return result;
  };

  afterAll(async () => {
    // No password, no secret value, no private key in anything any command printed.
    const privateKey = must((await readFile(files().key, "utf8")).split("\n")[1], "a line of the private key");
    for (const text of outputs) {
      for (const secret of [WRITER.password, "pw-TLS-ROOT-9921", CANARY, privateKey, "PRIVATE KEY"])
        expect(text).not.toContain(secret);
    }
  });

  it("push, pull and watch with --etcd https://... --ca --cert --cert-key", async () => {
    expect(etcd.url).toMatch(/^https:\/\//);
    await using fixture = await createConfigFixture({ files: { "config.yml": storedConfig(0.4) } });
    const pushed = record(
      await runCliText(["-c", fixture.path("config.yml"), "push", "--etcd", etcd.url, "--key", KEY, ...tlsFlags()], {
        env,
      }),
    );
    expect(pushed.code, pushed.stderr).toBe(0);
    const revision = revisionIn(pushed.stdout);
    expect((await etcd.server.get(KEY))?.modRevision).toBe(revision);

    const pulled = record(await runCliText(["pull", "--etcd", etcd.url, "--key", KEY, ...tlsFlags()], { env }));
    expect(pulled).toEqual({
      code: 0,
      stdout: storedConfig(0.4),
      stderr: expect.stringContaining(`revision ${revision}\n`),
    });

    const watched = record(
      await watchSeesPut(["--etcd", etcd.url, "--key", KEY, ...tlsFlags()], env, {
        server: etcd.server,
        key: KEY,
        value: storedConfig(0.5),
      }),
    );
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toContain(`revision ${watched.revision}`);
  });

  it("a wrong CA, or no client certificate, exits 4 with a clear error and hint, naming no secret", async () => {
    const wrongCa = record(
      await runCliText(
        ["pull", "--etcd", etcd.url, "--key", KEY, "--timeout", "2000"].concat([
          "--ca",
          files().untrustedCa,
          "--cert",
          files().cert,
          "--cert-key",
          files().key,
        ]),
        { env },
      ),
    );
    expect(wrongCa.code, wrongCa.stderr).toBe(4);
    expect(wrongCa.stdout).toBe("");
    expect(wrongCa.stderr).toMatch(/^error: .*TLS handshake failed: unable to verify the first certificate/m);
    expect(wrongCa.stderr).toMatch(/^hint: Check --ca/m);
    expect(hasStack(wrongCa.stderr)).toBe(false);

    const noCert = record(
      await runCliText(["pull", "--etcd", etcd.url, "--key", KEY, "--timeout", "2000", "--ca", files().ca], { env }),
    );
    expect(noCert.code, noCert.stderr).toBe(4);
    expect(noCert.stderr).toMatch(/^error: .*etcd refused this client's certificate/m);
    expect(hasStack(noCert.stderr)).toBe(false);

    const halfCert = record(
      await runCliText(["pull", "--etcd", etcd.url, "--key", KEY, "--ca", files().ca, "--cert", files().cert], { env }),
    );
    expect(halfCert.code).toBe(2);
    expect(halfCert.stderr).toContain("--cert needs --cert-key");
  });
});
