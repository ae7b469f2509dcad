import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { createConfigFixture } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { bin, notBuilt } from "./built.js";
import { CANARY, INVALID_CONFIG, OutputTail, validConfig } from "./helpers.js";

// The real `aiq-config` binary in a pseudo-terminal (util-linux `script`): line editing, history,
// Ctrl-C. It runs the BUILT package (dist), as a user would; `pnpm test` builds before testing.
const hasScript = spawnSync("script", ["--version"]).status === 0;
const skipReason = hasScript ? notBuilt() : "util-linux `script` is not installed";
if (skipReason) console.warn(`pty tests skipped: ${skipReason}`);

/** Strips colours and cursor movements, and turns the terminal's CRLF into LF. */
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are what is removed
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
}

function startInTerminal(
  args: string,
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcessWithoutNullStreams; out: OutputTail; exit: Promise<number | null> } {
  const child = spawn("script", ["-q", "-e", "-c", `exec node ${bin} ${args}`, "/dev/null"], {
    env: { ...process.env, NO_COLOR: "", TERM: "xterm-256color", ...env },
  });
  const out = new OutputTail(child.stdout);
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, out, exit };
}

describe.skipIf(skipReason !== "")("the built aiq-config in a real terminal", () => {
  it("interactive: colours, line editing with history, and Ctrl-C leaves with exit 0", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const { child, out, exit } = startInTerminal(`-c ${fixture.path("config.yml")} interactive`);
    try {
      let at = await out.waitFor("aiq-config> ");
      expect(out.text).toContain("\u001b["); // a terminal without NO_COLOR gets colours

      await fixture.save("config.yml", validConfig(0.7));
      child.stdin.write("r\r");
      at = await out.waitFor("Workflows: 1", at);
      child.stdin.write("s\r");
      at = await out.waitFor(/b 1/, at);
      child.stdin.write("b 1\r");
      at = await out.waitFor(/Rolled back/, at);
      child.stdin.write("i\r");
      at = await out.waitFor(/Reloads:\s+2/, at);
      // Up arrow recalls "i" from the history.
      child.stdin.write("\u001b[A\r");
      at = await out.waitFor(/Reloads:\s+2/, at);
      child.stdin.write("\u0003");
      expect(await exit).toBe(0);
      const text = plain(out.text);
      expect(text).toContain("llms.main_llm.temperature: 0 -> 0.7");
      expect(text).toMatch(/\* v3 +rollback|\* v2 +reload/);
      expect(text).toContain("Bye.");
      expect(text).not.toContain(CANARY);
    } finally {
      child.kill();
    }
  });

  it("interactive: Ctrl-D leaves with exit 0", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const { child, out, exit } = startInTerminal(`-c ${fixture.path("config.yml")} interactive`);
    try {
      await out.waitFor("aiq-config> ");
      child.stdin.write("\u0004");
      expect(await exit).toBe(0);
      expect(plain(out.text)).toContain("Bye.");
    } finally {
      child.kill();
    }
  });

  it("watch: reports a save and a refused save, and Ctrl-C (SIGINT) exits 0 after closing", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const { child, out, exit } = startInTerminal(`-c ${fixture.path("config.yml")} watch`, { NO_COLOR: "1" });
    try {
      let at = await out.waitFor("Press Ctrl-C to stop.");
      await fixture.save("config.yml", validConfig(0.2), { as: "vim" });
      at = await out.waitFor("llms.main_llm.temperature: 0 -> 0.2", at);
      await fixture.save("config.yml", INVALID_CONFIG);
      at = await out.waitFor("The last good config (version 2) is kept.", at);
      child.stdin.write("\u0003");
      expect(await exit).toBe(0);
      const text = plain(out.text);
      expect(text).toContain("Stopped watching after 1 reload.");
      expect(out.text).not.toContain("\u001b[3"); // NO_COLOR: no colours
      expect(text).not.toContain(CANARY);
    } finally {
      child.kill();
    }
  });
});
