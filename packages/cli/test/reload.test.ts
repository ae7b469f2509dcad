import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CANARY, hasStack, INVALID_CONFIG, runCliText, validConfig } from "./helpers.js";

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "aiq-cli-reload-")));
  file = path.join(dir, "config.yml");
  await fs.writeFile(file, validConfig());
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const SUMMARY = ["LLMs: 2", "Tools: 5", "Workflows: 1"];

describe("aiq-config reload", () => {
  it("prints the summary and exits 0 for a valid config", async () => {
    const { code, stdout, stderr } = await runCliText(["-c", file, "reload"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Config reloaded:");
    for (const line of SUMMARY) expect(stdout).toContain(line);
    expect(stderr).toBe("");
    expect(stdout + stderr).not.toContain(CANARY);
  });

  it("takes -c before or after the subcommand, and --config=FILE", async () => {
    for (const argv of [
      ["reload", "-c", file],
      ["reload", `--config=${file}`],
      ["--config", file, "-v", "reload", "--validate-only"],
    ]) {
      const { code, stdout } = await runCliText(argv);
      expect(code, argv.join(" ")).toBe(0);
      expect(stdout).toContain("LLMs: 2");
    }
  });

  it("--validate-only says nothing was applied", async () => {
    const { code, stdout } = await runCliText(["-c", file, "reload", "--validate-only"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Config is valid (validated only, nothing applied)");
    expect(stdout).toContain("Workflows: 1");
  });

  it("exits 1 on an invalid config with every issue as file:line:column path: message and a hint, no stack", async () => {
    await fs.writeFile(file, INVALID_CONFIG);
    const { code, stdout, stderr } = await runCliText(["-c", file, "reload"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^error: Invalid config .*config\.yml \(1 issue\):/m);
    expect(stderr).toMatch(/config\.yml:7:\d+ llms\.main_llm\.temperature: .+/);
    expect(stderr).toMatch(/^hint: /m);
    expect(hasStack(stderr)).toBe(false);
    expect(stderr).not.toContain(CANARY);
  });

  it("reports every issue, not just the first", async () => {
    await fs.writeFile(file, validConfig(-1).replace("max_iterations: 5", "max_iterations: -5"));
    const { code, stderr } = await runCliText(["-c", file, "reload", "--validate-only"]);
    expect(code).toBe(1);
    expect(stderr).toContain("(2 issues)");
    expect(stderr).toMatch(/llms\.main_llm\.temperature: /);
    expect(stderr).toMatch(/workflow\.max_iterations: /);
  });

  it("exits 1 with a clear message and a hint for a missing file", async () => {
    const missing = path.join(dir, "nope.yml");
    const { code, stderr } = await runCliText(["-c", missing, "reload"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: .*nope\.yml/m);
    expect(stderr).toContain("hint: Check the path given with -c/--config.");
    expect(hasStack(stderr)).toBe(false);
  });

  it.each([
    ["0 bytes", ""],
    ["only comments", "# to be written\n\n"],
  ])("exits 1 naming the file when it is empty (%s)", async (_name, text) => {
    await fs.writeFile(file, text);
    for (const argv of [
      ["-c", file, "reload"],
      ["-c", file, "reload", "--validate-only"],
    ]) {
      const { code, stdout, stderr } = await runCliText(argv);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toMatch(/^error: Config file .*config\.yml is empty/m);
      expect(stderr).toMatch(/^hint: /m);
      expect(hasStack(stderr)).toBe(false);
    }
    const { code, stdout } = await runCliText(["-c", file, "reload", "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: false,
      error: { code: "EMPTY", message: expect.stringContaining(file) },
    });
  });

  it("exits 1 for a YAML syntax error, with its position", async () => {
    await fs.writeFile(file, `llms:\n  main_llm:\n    api_key: ${CANARY}\n    temperature: [0.1\n`);
    const { code, stderr } = await runCliText(["-c", file, "reload"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/config\.yml:\d+:\d+ /);
    expect(stderr).not.toContain(CANARY);
    expect(hasStack(stderr)).toBe(false);
  });

  it("--json prints the summary as JSON", async () => {
    const { code, stdout } = await runCliText([
      "-c",
      file,
      "reload",
      "--json",
      "-o",
      `llms.main_llm.api_key=sk-OVERRIDE-999`,
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toEqual({
      ok: true,
      file,
      validateOnly: false,
      summary: { llms: 2, tools: 5, workflows: 1 },
      overrides: { "llms.main_llm.api_key": "***" },
    });
    expect(stdout).not.toContain("sk-OVERRIDE-999");
  });

  it("--json prints a failure with its issues on stdout and exits 1", async () => {
    await fs.writeFile(file, INVALID_CONFIG);
    const { code, stdout, stderr } = await runCliText(["--json", "-c", file, "reload", "--validate-only"]);
    expect(code).toBe(1);
    expect(stderr).toBe("");
    const result = JSON.parse(stdout);
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ name: "ConfigValidationError", code: "INVALID_CONFIG" });
    expect(result.error.issues).toHaveLength(1);
    expect(result.error.issues[0]).toMatchObject({ path: "llms.main_llm.temperature", line: 7 });
    expect(result.hint).toEqual(expect.any(String));
    expect(stdout).not.toContain(CANARY);
  });

  it("-o overrides a value before validation (and an invalid override fails like an invalid file)", async () => {
    const ok = await runCliText([
      "-c",
      file,
      "reload",
      "-o",
      "llms.main_llm.temperature=0.5",
      "-o",
      "llms.fast_llm.temperature=0.1",
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("Overrides: llms.main_llm.temperature=0.5, llms.fast_llm.temperature=0.1");

    const bad = await runCliText(["-c", file, "reload", "-o", "llms.main_llm.temperature=-3"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/llms\.main_llm\.temperature: /);

    await fs.writeFile(file, INVALID_CONFIG);
    const fixed = await runCliText(["-c", file, "reload", "-o", "llms.main_llm.temperature=0.2"]);
    expect(fixed.code).toBe(0);
  });

  it("a malformed -o is a usage error (exit 2) that names the problem", async () => {
    for (const arg of ["temperature", "__proto__.polluted=1", "llms..x=1"]) {
      const { code, stderr } = await runCliText(["-c", file, "reload", "-o", arg]);
      expect(code, arg).toBe(2);
      expect(stderr).toMatch(/Bad -o\/--override: /);
      expect(hasStack(stderr)).toBe(false);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("-v logs the steps of the reload with their durations on stderr", async () => {
    const { code, stdout, stderr } = await runCliText(["-c", file, "-v", "reload"]);
    expect(code).toBe(0);
    expect(stdout).toContain("LLMs: 2");
    expect(stderr).toMatch(/\[aiq-config\] debug: .*\d+(\.\d+)? ms/);
    expect(stderr).not.toContain(CANARY);
  });

  it("colours only a terminal, and never with NO_COLOR", async () => {
    const plain = await runCliText(["-c", file, "reload"]);
    expect(plain.stdout).not.toContain("\u001b[");
    const tty = await runCliText(["-c", file, "reload"], { tty: true });
    expect(tty.stdout).toContain("\u001b[");
    const noColor = await runCliText(["-c", file, "reload"], { tty: true, env: { NO_COLOR: "1" } });
    expect(noColor.stdout).not.toContain("\u001b[");
  });
});

describe("usage errors and help", () => {
  it("an unknown flag exits 2 with a message and a hint, no stack", async () => {
    const { code, stdout, stderr } = await runCliText(["-c", file, "reload", "--nope"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/--nope/);
    expect(stderr).toContain("hint: ");
    expect(hasStack(stderr)).toBe(false);
  });

  it("an unknown command, no command, and a missing -c exit 2", async () => {
    expect((await runCliText(["relaod", "-c", file])).code).toBe(2);
    const none = await runCliText([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("reload");
    const onlyOptions = await runCliText(["-c", file]);
    expect(onlyOptions.code).toBe(2);
    expect(onlyOptions.stderr).toContain("error: no command given; add one of: reload, interactive, watch, schema");
    const noFile = await runCliText(["reload"]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("Missing the config file: add -c FILE");
  });

  it("--help lists the commands and each command's help has examples", async () => {
    const all = await runCliText(["--help"]);
    expect(all.code).toBe(0);
    for (const command of ["reload", "interactive", "watch", "schema"])
      expect(all.stdout).toContain(`aiq-config ${command}`);
    for (const command of ["reload", "interactive", "watch", "schema"]) {
      const help = await runCliText([command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/Examples/);
    }
  });

  it("--version prints the package version", async () => {
    const { code, stdout } = await runCliText(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("aiq-config reload: frames, references and key hints", () => {
  it("prints a code frame under each issue (secrets masked) and carries it in --json", async () => {
    await fs.writeFile(file, INVALID_CONFIG);
    const text = await runCliText(["-c", file, "reload"]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain("    > 7 |     temperature: -1\n        |                  ^\n");
    expect(text.stderr).toContain("      9 |     api_key: ***\n");
    const json = await runCliText(["-c", file, "reload", "--json"]);
    const issue = JSON.parse(json.stdout).error.issues[0];
    expect(issue.frame).toContain("> 7 |     temperature: -1");
    expect(text.stderr + json.stdout).not.toContain(CANARY);
  });

  it("refuses a dangling llm_name with did you mean", async () => {
    await fs.writeFile(file, validConfig().replace("llm_name: main_llm", "llm_name: main_lm"));
    const { code, stderr } = await runCliText(["-c", file, "reload"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /config\.yml:\d+:\d+ workflow\.llm_name: "main_lm" is not an LLM defined in llms; did you mean "main_llm"\?\n/,
    );
  });

  it("warns about a likely typo of a known key, and --strict-keys refuses it", async () => {
    await fs.writeFile(file, validConfig().replace("max_tokens: 1024", "max_token: 1024"));
    const warned = await runCliText(["-c", file, "reload"]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/llms\.main_llm\.max_token: unknown key "max_token"; did you mean "max_tokens"\?/);
    const strict = await runCliText(["-c", file, "reload", "--strict-keys"]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(
      /llms\.main_llm\.max_token: unknown key "max_token"; did you mean "max_tokens"\? .*\(refused under strictKeys\)/,
    );
  });
});
