import { createConfigFixture } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { CANARY, hasStack, INVALID_CONFIG, runCliText, startCli, validConfig } from "./helpers.js";

describe("aiq-config interactive (scripted through a pipe)", () => {
  it("runs the guide's session: reload, snapshots, rollback, info, clear, bad commands, quit", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const run = startCli(["-c", fixture.path("config.yml"), "interactive"]);
    const out = run.stdout;
    // Each step types one line and waits for its answer before the next, so files change between reloads.
    let at = await out.waitFor("Type r to reload");
    expect(out.text).toContain("(version 1)");
    expect(out.text).toContain("LLMs: 2");
    const type = async (line: string, answer: RegExp | string): Promise<void> => {
      run.stdin.write(`${line}\n`);
      at = await out.waitFor(answer, at);
    };

    await fixture.save("config.yml", validConfig(0.3));
    await type(
      "r",
      /Reloaded \(reload #1, version 2\): 1 path changed\n {2}llms\.main_llm\.temperature: 0 -> 0\.3\n {2}LLMs: 2\n {2}Tools: 5\n {2}Workflows: 1\n/,
    );
    await fixture.save("config.yml", validConfig(0.5, "sk-CANARY-456"));
    await type("reload", /Reloaded \(reload #2, version 3\): 2 paths changed/);
    expect(out.text).toContain("llms.main_llm.api_key: *** -> ***");

    await type(
      "s",
      /Snapshots \(3 kept, newest first; \* is current\):\n {2}\* v3 +reload +\d\d:\d\d:\d\d {2}[0-9a-f]{8} {2}current\n {4}v2 +reload .* b 1\n {4}v1 +initial .* b 2\n/,
    );

    await type(
      "b 1",
      /Rolled back 1 step to the config of version 2 \(reload #3, now version 4\): 2 paths changed\n(.*\n)*? {2}Workflows: 1\n/,
    );
    expect(out.text).toContain("llms.main_llm.temperature: 0.5 -> 0.3");

    await type(
      "b 9",
      "Cannot roll back 9 steps: 2 snapshots are kept, the current one and 1 older one, so `b 1` goes furthest back. `s` lists them.\n",
    );
    await type(
      "b two",
      /Rollback takes one whole number of steps >= 1, e\.g\. `b 1` for the previous version \(1 to 1 possible now\)\./,
    );

    await fixture.save("config.yml", INVALID_CONFIG);
    await type(
      "r",
      /error: Invalid config .*\(1 issue\):\n {2}.*config\.yml:7:\d+ llms\.main_llm\.temperature: .+\n(?: {4}.*\|.*\n)+(hint: .*\n)?The current config \(version 4\) is kept\.\n/,
    );
    expect(out.text).toContain("    > 7 |     temperature: -1\n");
    await type("v", /The current config \(version 4\) is kept\.\n/);

    await type(
      "i",
      /File: +\S*config\.yml\nVersion: +4\nReloads: +3\nSnapshots: +2 kept\nOverrides: +none\nLast reload: failed at \d\d:\d\d:\d\d: .*\n {2}LLMs: 2\n/,
    );
    await type("c", "Cleared 1 older snapshot; kept the current one (version 4).");
    await type("snapshots", /Snapshots \(1 kept.*\n {2}\* v4 +rollback /);
    await type("xyz", 'Unknown command "xyz". Type help for the commands.');
    await type("i now", 'i takes no arguments (got "now")');
    await type("help", /b, rollback \[N\] +go back N versions/);
    await type("q", "Bye.");

    expect(await run.exit).toBe(0);
    const all = out.text + (await run.stderr.finished);
    expect(all).not.toContain(CANARY);
    expect(all).not.toContain("sk-CANARY-456");
    expect(hasStack(all)).toBe(false);
  });

  it("takes a whole script at once and exits 0 at the end of input, with no q", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const { code, stdout, stderr } = await runCliText(
      ["-c", fixture.path("config.yml"), "interactive", "-o", "llms.main_llm.temperature=0.9"],
      {
        input: "r\nv\ns\nb 1\nnonsense\ni\n",
      },
    );
    expect(code).toBe(0);
    expect(stdout).toContain("Reloaded (reload #1, version 1): no changes");
    expect(stdout).toContain("Valid (not applied): same as the current config");
    expect(stdout).toContain(
      "Cannot roll back 1 step: only the current version is kept (reload first to have an older one). `s` lists them.",
    );
    expect(stdout).toContain('Unknown command "nonsense"');
    expect(stdout).toContain("Overrides:   llms.main_llm.temperature=0.9");
    expect(stdout.trimEnd().endsWith("Bye.")).toBe(true);
    expect(stderr).toBe("");
  });

  it("exits 1 with the issues when the file is invalid at start", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": INVALID_CONFIG } });
    const { code, stdout, stderr } = await runCliText(["-c", fixture.path("config.yml"), "interactive"], {
      input: "q\n",
    });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/config\.yml:7:\d+ llms\.main_llm\.temperature: /);
    expect(stderr).not.toContain(CANARY);
  });

  it("leaves cleanly with exit 0 when its signal is aborted (Ctrl-C)", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const controller = new AbortController();
    const run = startCli(["-c", fixture.path("config.yml"), "interactive"], { signal: controller.signal });
    await run.stdout.waitFor("aiq-config> ");
    controller.abort();
    expect(await run.exit).toBe(0);
    expect(run.stdout.text).toContain("Bye.");
  });
});
