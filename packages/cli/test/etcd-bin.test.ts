import { execFile, spawn } from "node:child_process";
import { createConfigFixture, etcdSkipReason } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { revisionIn, storedConfig, useEtcd } from "./etcd-helpers.js";
import { bin, notBuilt } from "./built.js";
import { OutputTail } from "./helpers.js";

// The BUILT `aiq-config` (one bundled file with @aiq/config-etcd and its etcd3 client left external)
// in a process of its own, as a user runs it; `pnpm test` builds before testing.
const skip = etcdSkipReason() ?? (notBuilt(["etcd"]) || undefined);
if (skip) console.warn(`\n!!! built aiq-config against etcd skipped: ${skip}\n`);

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe.skipIf(skip)("the built aiq-config against a real etcd", () => {
  const etcd = useEtcd();

  it("pushes, pulls and exits 3 on a conflict, taking the endpoints from AIQ_ETCD_ENDPOINTS", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": storedConfig(0.3) } });
    const env = { AIQ_ETCD_ENDPOINTS: etcd.url };
    const pushed = await run(["-c", fixture.path("config.yml"), "push", "--key", "aiq/bin/agent.yml", "--create"], env);
    expect(pushed.code, pushed.stderr).toBe(0);
    const revision = revisionIn(pushed.stdout);
    const pulled = await run(["pull", "--key", "aiq/bin/agent.yml"], env);
    expect(pulled).toEqual({ code: 0, stdout: storedConfig(0.3), stderr: `revision ${revision}\n` });
    const again = await run(["-c", fixture.path("config.yml"), "push", "--key", "aiq/bin/agent.yml", "--create"], env);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(`revision ${revision}`);
  });

  it("watch --etcd prints a put and stops on SIGINT with exit 0", async () => {
    const key = "aiq/bin-watch/agent.yml";
    await etcd.server.put(key, storedConfig(0));
    const child = spawn(process.execPath, [bin, "watch", "--etcd", etcd.url, "--key", key], {
      env: { PATH: process.env.PATH ?? "" },
    });
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const out = new OutputTail(child.stdout);
      const at = await out.waitFor("Watching etcd:");
      const revision = await etcd.server.put(key, storedConfig(0.7));
      await out.waitFor(`revision ${revision}): 1 path changed\n  llms.main_llm.temperature: 0 -> 0.7\n`, at);
      child.kill("SIGINT");
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
