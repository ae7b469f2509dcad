import { createConfigFixture, etcdSkipReason } from "@aiq/config-testing";
import { afterAll, describe, expect, it } from "vitest";
import { storedConfig, useEtcd, watchSeesPut } from "./etcd-helpers.js";
import { CANARY, hasStack, runCliText, validConfig } from "./helpers.js";

const skip = etcdSkipReason();
if (skip) console.warn(`\n!!! ${skip}\n`);

// Scenario 60, the CLI's half: etcd with auth on, a read-only user and a read-write one.
const READER = { name: "fleet-reader", password: "pw-READER-5521", access: "read" as const };
const WRITER = { name: "deployer", password: "pw-WRITER-7734", access: "readwrite" as const };
const KEY = "aiq/prod/agent.yml";

describe.skipIf(skip)("scenario 60: aiq-config against an etcd with auth on", () => {
  const etcd = useEtcd(async (server) => {
    await server.put(KEY, storedConfig(0));
    await server.enableAuth({ rootPassword: "pw-ROOT-1190", users: [READER, WRITER] });
  });
  const as = (user: { name: string; password: string }, extra: Record<string, string> = {}) => ({
    env: { AIQ_ETCD_USER: user.name, AIQ_ETCD_PASSWORD: user.password, MAIN_LLM_API_KEY: CANARY, ...extra },
  });
  const outputs: string[] = [];
  const record = <T extends { stdout: string; stderr: string }>(result: T): T => {
    outputs.push(result.stdout + result.stderr);
    return result;
  };

  afterAll(() => {
    // No password and no secret value in anything any command printed.
    for (const text of outputs) {
      for (const secret of [READER.password, WRITER.password, "pw-ROOT-1190", CANARY])
        expect(text).not.toContain(secret);
    }
  });

  it("a read-only user can pull and watch, but its push is refused clearly and writes nothing", async () => {
    const pulled = record(await runCliText(["pull", "--etcd", etcd.url, "--key", KEY], as(READER)));
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe(storedConfig(0));

    const watched = record(
      await watchSeesPut(["--etcd", etcd.url, "--key", KEY], as(READER).env, {
        server: etcd.server,
        key: KEY,
        value: storedConfig(0.3),
      }),
    );
    expect(watched.code, watched.stderr).toBe(0);
    const { revision } = watched;

    await using fixture = await createConfigFixture({ files: { "config.yml": storedConfig(0.9) } });
    const pushed = record(
      await runCliText(["-c", fixture.path("config.yml"), "push", "--etcd", etcd.url, "--key", KEY], as(READER)),
    );
    expect(pushed.code).toBe(1);
    expect(pushed.stderr).toMatch(/^error: .*permission denied/im);
    expect(pushed.stderr).toMatch(/^hint: Check --user/m);
    expect(pushed.stderr).toContain(READER.name);
    expect(hasStack(pushed.stderr)).toBe(false);
    expect((await etcd.server.get(KEY))?.modRevision).toBe(revision);

    const allowed = record(
      await runCliText(["-c", fixture.path("config.yml"), "push", "--etcd", etcd.url, "--key", KEY], as(WRITER)),
    );
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it("a wrong password is a clear error naming the user, never the password", async () => {
    const wrong = { name: READER.name, password: "pw-WRONG-4242" };
    for (const argv of [
      ["pull", "--etcd", etcd.url, "--key", KEY],
      ["reload", "--etcd", etcd.url, "--key", KEY],
      ["watch", "--etcd", etcd.url, "--key", KEY],
    ]) {
      const result = record(await runCliText(argv, as(wrong)));
      expect(result.code, `${argv.join(" ")}\n${result.stderr}`).toBe(1);
      expect(result.stderr).toMatch(/^error: .*wrong user name or password/im);
      expect(result.stderr).toContain(`"${READER.name}"`);
      expect(result.stderr).not.toContain("pw-WRONG-4242");
      expect(hasStack(result.stderr)).toBe(false);
    }
    const noUser = record(await runCliText(["pull", "--etcd", etcd.url, "--key", KEY]));
    expect(noUser.code).not.toBe(0);
  });

  it("secrets in the stored config never appear in CLI output, even one stored as it is", async () => {
    await etcd.server.put(KEY, validConfig(0.1));
    const pulled = record(await runCliText(["pull", "--etcd", etcd.url, "--key", KEY, "--json"], as(READER)));
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout).value).toContain("api_key: ***");
    const reloaded = record(await runCliText(["reload", "--etcd", etcd.url, "--key", KEY, "-v"], as(READER)));
    expect(reloaded.code, reloaded.stderr).toBe(0);
  });
});
