import { etcdSkipReason } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { KEY_PLACEHOLDER, STORED_INVALID, storedConfig, useEtcd } from "./etcd-helpers.js";
import { CANARY, hasStack, runCliText, startCli } from "./helpers.js";

const skip = etcdSkipReason();
if (skip) console.warn(`\n!!! ${skip}\n`);

const env = { MAIN_LLM_API_KEY: CANARY };

describe.skipIf(skip)("reload, watch and interactive with --etcd URL --key K", () => {
  const etcd = useEtcd();

  it("reload prints the summary and the revision; an invalid stored value exits 1 naming etcd:key@revision", async () => {
    const key = "aiq/reload/agent.yml";
    const revision = await etcd.server.put(key, storedConfig(0.2));
    const ok = await runCliText(["reload", "--etcd", etcd.url, "--key", key], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Config reloaded: etcd:${key}`);
    expect(ok.stdout).toContain(`(revision ${revision})`);
    expect(ok.stdout).toContain("LLMs: 2");
    const json = await runCliText(["--etcd", etcd.url, "--key", key, "reload", "--json", "--validate-only"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      key,
      revision,
      validateOnly: true,
      summary: { llms: 2, tools: 5, workflows: 1 },
    });

    const bad = await etcd.server.put(key, STORED_INVALID);
    const refused = await runCliText(["reload", "--etcd", etcd.url, "--key", key], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`etcd:${key}@${bad}\\S*:7:\\d+ llms\\.main_llm\\.temperature: `));
    for (const output of [ok, json, refused]) expect(output.stdout + output.stderr).not.toContain(CANARY);
  });

  it("watch prints each put's changes (secrets as ***), refuses an invalid one, and exits 0 on abort", async () => {
    const key = "aiq/watch/agent.yml";
    const first = await etcd.server.put(key, storedConfig(0));
    const controller = new AbortController();
    const run = startCli(["watch", "--etcd", etcd.url, "--key", key], { env, signal: controller.signal });
    let at = await run.stdout.waitFor(
      new RegExp(`Watching etcd:${key} \\(revision ${first}, version 1; LLMs: 2, Tools: 5, Workflows: 1\\)`),
    );

    const second = await etcd.server.put(
      key,
      storedConfig(0.9).replace(KEY_PLACEHOLDER, `\${OTHER_KEY:-sk-CANARY-DEFAULT}`),
    );
    at = await run.stdout.waitFor(
      new RegExp(`Reloaded \\(reload #1, version 2, revision ${second}\\): 2 paths changed\\n`),
      at,
    );
    expect(run.stdout.text).toContain("  llms.main_llm.temperature: 0 -> 0.9\n");
    expect(run.stdout.text).toContain("  llms.main_llm.api_key: *** -> ***\n");

    const bad = await etcd.server.put(key, STORED_INVALID);
    at = await run.stdout.waitFor(
      new RegExp(
        `Refused the new value: 1 issue:\\n {2}etcd:${key}@${bad}\\S*:7:\\d+ llms\\.main_llm\\.temperature: .+\\n(?: {4}.*\\n)* {2}The last good config \\(version 2\\) is kept\\.\\n`,
      ),
      at,
    );

    controller.abort();
    expect(await run.exit).toBe(0);
    const all = run.stdout.text + (await run.stderr.finished);
    for (const secret of [CANARY, "sk-CANARY-DEFAULT"]) expect(all).not.toContain(secret);
    expect(hasStack(all)).toBe(false);
  });

  it("interactive: r reads the key again", async () => {
    const key = "aiq/interactive/agent.yml";
    await etcd.server.put(key, storedConfig(0));
    const run = startCli(["interactive", "--etcd", etcd.url, "--key", key], { env });
    let at = await run.stdout.waitFor("aiq-config> ");
    const revision = await etcd.server.put(key, storedConfig(0.5));
    run.stdin.write("r\n");
    at = await run.stdout.waitFor(
      /Reloaded \(reload #1, version 2\): 1 path changed\n {2}llms\.main_llm\.temperature: 0 -> 0\.5\n/,
      at,
    );
    run.stdin.write("i\n");
    at = await run.stdout.waitFor(`etcd:${key}`, at);
    run.stdin.end("q\n");
    expect(await run.exit).toBe(0);
    expect(run.stdout.text).toContain(revision);
    expect(run.stdout.text).not.toContain(CANARY);
  });
});
