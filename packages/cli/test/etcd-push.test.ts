import { createConfigFixture, etcdSkipReason } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { deadEndpoint, revisionIn, STORED_INVALID, storedConfig, useEtcd } from "./etcd-helpers.js";
import { CANARY, hasStack, runCliText, validConfig } from "./helpers.js";

const skip = etcdSkipReason();
if (skip) console.warn(`\n!!! ${skip}\n`);

describe.skipIf(skip)("aiq-config push and pull against a real etcd", () => {
  const etcd = useEtcd();
  let keys = 0;
  /** A key of its own for each test. */
  const freshKey = (): string => `aiq/test-${++keys}/agent.yml`;

  it("push writes the raw text (placeholders unresolved) and prints its revision; pull prints it back", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": storedConfig(0.2) } });
    const key = freshKey();
    const env = { MAIN_LLM_API_KEY: CANARY };
    const pushed = await runCliText(["-c", fixture.path("config.yml"), "push", "--etcd", etcd.url, "--key", key], {
      env,
    });
    expect(pushed.code, pushed.stderr).toBe(0);
    const revision = revisionIn(pushed.stdout);
    expect(pushed.stdout).toBe(`revision ${revision}\n`);
    expect(pushed.stderr).toMatch(
      /^Pushed \S*config\.yml to aiq\/test-\d+\/agent\.yml \(\d+ bytes; created the key\)\.\n$/,
    );
    expect(await etcd.server.get(key)).toMatchObject({ value: storedConfig(0.2), modRevision: revision });

    const pulled = await runCliText(["pull", "--etcd", etcd.url, "--key", key], { env });
    expect(pulled).toEqual({ code: 0, stdout: storedConfig(0.2), stderr: `revision ${revision}\n` });
    const json = await runCliText(["pull", "--etcd", etcd.url, "--key", key, "--json"], { env });
    expect(JSON.parse(json.stdout)).toEqual({ key, revision, value: storedConfig(0.2) });
    for (const output of [pushed, pulled, json]) expect(output.stdout + output.stderr).not.toContain(CANARY);
  });

  it("scenario 58: two pushes from the same base revision: exactly one wins, the other exits 3 naming the current revision", async () => {
    const key = freshKey();
    const base = await etcd.server.put(key, storedConfig(0));
    await using fixture = await createConfigFixture({
      files: { "a.yml": storedConfig(0.1), "b.yml": storedConfig(0.9) },
    });
    const push = (file: string) =>
      runCliText(["-c", fixture.path(file), "push", "--etcd", etcd.url, "--key", key, "--expect-revision", base]);
    const results = await Promise.all([push("a.yml"), push("b.yml")]);
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const won = revisionIn(must(winners[0], "the winning push").stdout);
    const stored = await etcd.server.get(key);
    expect(stored?.modRevision).toBe(won);
    const loser = must(losers[0], "the losing push");
    expect(loser.code).toBe(3);
    expect(loser.stdout).toBe("");
    expect(loser.stderr).toMatch(new RegExp(`^error: .*\\brevision ${won}\\b`, "m"));
    expect(loser.stderr).toMatch(/^hint: /m);
    expect(hasStack(loser.stderr)).toBe(false);
    // The loser's value is nowhere: the key holds the winner's text.
    expect([storedConfig(0.1), storedConfig(0.9)]).toContain(stored?.value);
  });

  it("--create refuses an existing key, --expect-revision a moved one (exit 3); --force writes over both", async () => {
    const key = freshKey();
    const first = await etcd.server.put(key, storedConfig(0));
    await etcd.server.put(key, storedConfig(0.3));
    await using fixture = await createConfigFixture({ files: { "config.yml": storedConfig(0.5) } });
    const file = fixture.path("config.yml");
    const create = await runCliText(["-c", file, "push", "--etcd", etcd.url, "--key", key, "--create"]);
    expect(create.code).toBe(3);
    const stale = await runCliText(["-c", file, "push", "--etcd", etcd.url, "--key", key, "--expect-revision", first]);
    expect(stale.code).toBe(3);
    const now = (await etcd.server.get(key))?.modRevision;
    expect(stale.stderr).toContain(`revision ${now}`);
    const forced = await runCliText(["-c", file, "push", "--etcd", etcd.url, "--key", key, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await etcd.server.get(key)).toMatchObject({
      value: storedConfig(0.5),
      modRevision: revisionIn(forced.stdout),
    });
  });

  it("an invalid file exits 1 with its issues and writes nothing", async () => {
    const key = freshKey();
    const before = await etcd.server.put(key, storedConfig(0));
    await using fixture = await createConfigFixture({ files: { "config.yml": STORED_INVALID } });
    const result = await runCliText(["-c", fixture.path("config.yml"), "push", "--etcd", etcd.url, "--key", key]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/config\.yml:7:\d+ llms\.main_llm\.temperature: /);
    expect(await etcd.server.get(key)).toMatchObject({ value: storedConfig(0), modRevision: before });
    expect((await etcd.server.status()).revision).toBe(before);
  });

  it("a file with base: is refused with the message every process of the fleet would give, and nothing is written", async () => {
    const key = freshKey();
    await using fixture = await createConfigFixture({
      files: { "config.yml": `base: shared.yml\n${storedConfig(0)}` },
    });
    const result = await runCliText(["-c", fixture.path("config.yml"), "push", "--etcd", etcd.url, "--key", key]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /config\.yml:1:7 base: base: is not supported in etcd: store the whole config in the key \(merge the base file into it\)$/m,
    );
    expect(await etcd.server.get(key)).toBeUndefined();
  });

  it("--schema validates with the fleet's own schema: a value it refuses is not written", async () => {
    const key = freshKey();
    // A hand-written Standard Schema: a service whose config must say which region it serves.
    const schema = `export const fleetSchema = { "~standard": { version: 1, vendor: "test", validate: (value) =>
      typeof value?.region === "string" ? { value } : { issues: [{ message: "region is required", path: ["region"] }] } } };\n`;
    await using fixture = await createConfigFixture({
      files: { "schema.mjs": schema, "plain.yml": "llms: {}\n", "regional.yml": "region: eu\n" },
    });
    const push = (file: string) =>
      runCliText([
        "-c",
        fixture.path(file),
        "push",
        "--etcd",
        etcd.url,
        "--key",
        key,
        "--schema",
        `${fixture.path("schema.mjs")}#fleetSchema`,
      ]);
    const refused = await push("plain.yml");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("region: region is required");
    expect(await etcd.server.get(key)).toBeUndefined();
    const pushed = await push("regional.yml");
    expect(pushed.code, pushed.stderr).toBe(0);
    expect((await etcd.server.get(key))?.value).toBe("region: eu\n");
  });

  it("a likely typo is a warning, refused (nothing written) with --strict-keys", async () => {
    const key = freshKey();
    const typo = storedConfig(0).replace("    max_tokens: 1024\n", "    max_tokens: 1024\n    temprature: 0.5\n");
    await using fixture = await createConfigFixture({ files: { "config.yml": typo } });
    const strict = await runCliText([
      "-c",
      fixture.path("config.yml"),
      "push",
      "--etcd",
      etcd.url,
      "--key",
      key,
      "--strict-keys",
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("temprature");
    expect(await etcd.server.get(key)).toBeUndefined();
    const lenient = await runCliText(["-c", fixture.path("config.yml"), "push", "--etcd", etcd.url, "--key", key]);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stderr).toMatch(/^\[aiq-config\] warn: .*temprature/m);
  });

  it("a secret written as it is is refused (exit 1), and its value is not printed", async () => {
    const key = freshKey();
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const result = await runCliText([
      "-c",
      fixture.path("config.yml"),
      "push",
      "--etcd",
      etcd.url,
      "--key",
      key,
      "--json",
    ]);
    expect(result.code).toBe(1);
    const failure = JSON.parse(result.stdout);
    expect(failure.error.issues).toEqual([expect.objectContaining({ path: "llms.main_llm.api_key", line: 9 })]);
    expect(failure.error.issues[0].message).toContain(`\${API_KEY}`);
    expect(result.stdout + result.stderr).not.toContain(CANARY);
    expect(await etcd.server.get(key)).toBeUndefined();
  });

  it("scenario 58: a 1.6 MiB value is refused before sending, and the next push works", async () => {
    const key = freshKey();
    const padding = `# ${"x".repeat(100)}\n`.repeat(Math.ceil((1.6 * 1024 * 1024) / 103));
    await using fixture = await createConfigFixture({
      files: { "big.yml": storedConfig(0) + padding, "config.yml": storedConfig(0.4) },
    });
    const revisionBefore = (await etcd.server.status()).revision;
    const big = await runCliText(["-c", fixture.path("big.yml"), "push", "--etcd", etcd.url, "--key", key]);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(
      /^error: \S*big\.yml is 1[0-9]{6} bytes, over the 1048576 bytes an etcd value may hold here \(--max-bytes\); nothing was sent\./m,
    );
    expect((await etcd.server.status()).revision).toBe(revisionBefore);
    const next = await runCliText(["-c", fixture.path("config.yml"), "push", "--etcd", etcd.url, "--key", key]);
    expect(next.code, next.stderr).toBe(0);
    expect((await etcd.server.get(key))?.value).toBe(storedConfig(0.4));
  });

  it("--dry-run checks everything and writes nothing; pushing the stored text again writes nothing", async () => {
    const key = freshKey();
    const revision = await etcd.server.put(key, storedConfig(0));
    await using fixture = await createConfigFixture({
      files: { "same.yml": storedConfig(0), "new.yml": storedConfig(0.6) },
    });
    const dry = await runCliText([
      "-c",
      fixture.path("new.yml"),
      "push",
      "--etcd",
      etcd.url,
      "--key",
      key,
      "--dry-run",
      "--json",
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      ok: true,
      key,
      revision: null,
      previousRevision: revision,
      dryRun: true,
      unchanged: false,
    });
    const same = await runCliText(["-c", fixture.path("same.yml"), "push", "--etcd", etcd.url, "--key", key]);
    expect(same.code).toBe(0);
    expect(same.stdout).toBe(`revision ${revision}\n`);
    expect(same.stderr).toContain("nothing written");
    expect((await etcd.server.get(key))?.modRevision).toBe(revision);
  });

  it("push --from-revision R puts the value of revision R back, validated again (a fleet rollback)", async () => {
    const key = freshKey();
    const good = await etcd.server.put(key, storedConfig(0.1));
    await etcd.server.put(key, storedConfig(0.8));
    const bad = await etcd.server.put(key, STORED_INVALID);
    const back = await runCliText(["push", "--etcd", etcd.url, "--key", key, "--from-revision", good]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain(`the value of revision ${good}`);
    expect(await etcd.server.get(key)).toMatchObject({
      value: storedConfig(0.1),
      modRevision: revisionIn(back.stdout),
    });
    const old = await runCliText(["pull", "--etcd", etcd.url, "--key", key, "--revision", good]);
    expect(old).toMatchObject({ code: 0, stdout: storedConfig(0.1), stderr: `revision ${good}\n` });

    const refused = await runCliText(["push", "--etcd", etcd.url, "--key", key, "--from-revision", bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`etcd:${key}@${bad}\\S*:7:\\d+ llms\\.main_llm\\.temperature: `));
    expect((await etcd.server.get(key))?.value).toBe(storedConfig(0.1));
  });

  it("exit codes: 2 for usage, 4 for an etcd that cannot be reached (naming it), 1 for a missing key", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": storedConfig(0) } });
    const file = fixture.path("config.yml");
    const usage = [
      ["-c", file, "push", "--key", "k.yml"],
      ["-c", file, "push", "--etcd", etcd.url],
      ["-c", file, "push", "--etcd", etcd.url, "--key", "k.yml", "--create", "--force"],
      ["-c", file, "push", "--etcd", etcd.url, "--key", "k.yml", "--from-revision", "3"],
      ["push", "--etcd", etcd.url, "--key", "k.yml"],
      ["pull", "--etcd", etcd.url, "--key", "k.yml", "--revision", "x"],
      ["-c", file, "reload", "--etcd", etcd.url, "--key", "k.yml"],
      ["-c", file, "watch", "--etcd", etcd.url, "--key", "k.yml"],
      ["interactive", "--etcd", etcd.url],
      ["pull", "--etcd", etcd.url, "--key", "k.yml", "--user", "someone"],
    ];
    for (const argv of usage) {
      const result = await runCliText(argv);
      expect(result.code, `${argv.join(" ")}\n${result.stderr}`).toBe(2);
      expect(hasStack(result.stderr)).toBe(false);
    }
    const dead = await deadEndpoint();
    for (const argv of [
      ["-c", file, "push", "--etcd", dead, "--key", "k.yml", "--timeout", "500"],
      ["pull", "--etcd", dead, "--key", "k.yml", "--timeout", "500"],
      ["reload", "--etcd", dead, "--key", "k.yml", "--timeout", "500"],
      ["watch", "--etcd", dead, "--key", "k.yml", "--timeout", "500"],
      ["interactive", "--etcd", dead, "--key", "k.yml", "--timeout", "500"],
    ]) {
      const result = await runCliText(argv);
      expect(result.code, `${argv.join(" ")}\n${result.stderr}`).toBe(4);
      expect(result.stderr).toContain(dead);
      expect(result.stderr).toContain("k.yml");
      expect(hasStack(result.stderr)).toBe(false);
    }
    const missing = await runCliText(["pull", "--etcd", etcd.url, "--key", "aiq/none.yml"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: aiq\/none\.yml does not exist in etcd\./m);
  });
});
