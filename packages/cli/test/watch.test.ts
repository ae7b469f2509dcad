import { createConfigFixture } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { CANARY, hasStack, INVALID_CONFIG, startCli, validConfig } from "./helpers.js";

describe("aiq-config watch", () => {
  it("prints each applied save's changes (secrets as ***), refuses an invalid save, and exits 0 on abort", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const controller = new AbortController();
    const run = startCli(["-c", fixture.path("config.yml"), "watch"], { signal: controller.signal });
    let at = await run.stdout.waitFor(
      /Watching \S*config\.yml \(version 1; LLMs: 2, Tools: 5, Workflows: 1\)\. Press Ctrl-C to stop\.\n/,
    );

    await fixture.save("config.yml", validConfig(0.9, "sk-CANARY-789"), { as: "atomic-rename" });
    at = await run.stdout.waitFor(/Reloaded \(reload #1, version 2\): 2 paths changed\n/, at);
    expect(run.stdout.text).toContain("  llms.main_llm.temperature: 0 -> 0.9\n");
    expect(run.stdout.text).toContain("  llms.main_llm.api_key: *** -> ***\n");

    await fixture.save("config.yml", INVALID_CONFIG);
    at = await run.stdout.waitFor(
      /Refused the save: 1 issue:\n {2}\S*config\.yml:7:\d+ llms\.main_llm\.temperature: .+\n(?: {4}.*\|.*\n)+ {2}The last good config \(version 2\) is kept\.\n/,
      at,
    );
    // The code frame under the issue: the line with a caret, the secret two lines below masked.
    expect(run.stdout.text).toContain("    > 7 |     temperature: -1\n        |                  ^\n");
    expect(run.stdout.text).toContain("      9 |     api_key: ***\n");

    controller.abort();
    expect(await run.exit).toBe(0);
    expect(run.stdout.text).toContain("Stopped watching after 1 reload.");
    const all = run.stdout.text + (await run.stderr.finished);
    for (const secret of [CANARY, "sk-CANARY-789"]) expect(all).not.toContain(secret);
    expect(hasStack(all)).toBe(false);
  });

  it("--json streams one event per line", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const controller = new AbortController();
    const run = startCli(["-c", fixture.path("config.yml"), "watch", "--json"], { signal: controller.signal });
    let at = await run.stdout.waitFor('"event":"watching"');
    await fixture.save("config.yml", validConfig(0.4));
    at = await run.stdout.waitFor('"event":"reloaded"', at);
    await fixture.save("config.yml", INVALID_CONFIG);
    at = await run.stdout.waitFor(/"event":"refused".*\n/, at);
    controller.abort();
    expect(await run.exit).toBe(0);
    const events = run.stdout.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.event)).toEqual(["watching", "reloaded", "refused", "stopped"]);
    expect(events[1]).toMatchObject({
      reloadCount: 1,
      version: 2,
      changes: [{ path: "llms.main_llm.temperature", old: 0, new: 0.4 }],
    });
    expect(events[2].error.issues[0]).toMatchObject({ path: "llms.main_llm.temperature", line: 7 });
    expect(run.stdout.text).not.toContain(CANARY);
  });

  it("exits 1 with the issues when the file is invalid at start", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": INVALID_CONFIG } });
    const run = startCli(["-c", fixture.path("config.yml"), "watch"]);
    expect(await run.exit).toBe(1);
    expect(await run.stderr.finished).toMatch(/llms\.main_llm\.temperature: /);
  });
});
