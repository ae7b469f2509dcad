// RELIABILITY.md scenario 33, the secret canary: `llms.*.api_key` is secret by its key name, and its
// value `sk-CANARY-123` must never be seen outside the config object itself: not in an error (message,
// issues, the whole cause chain, util.inspect), status, event, log line, snapshot listing, diff, or
// the CLI's text and --json output. A second canary is secret only through the `secretKeys` option.
import { PassThrough } from "node:stream";
import { inspect } from "node:util";
import { ConfigManager, type ConfigSnapshot, diffConfigs, isConfigValidationError } from "@aiq/config-core";
import { runCli } from "@aiq/config-cli";
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { createConfigManager } from "@aiq/config-loader";
import { createConfigFixture, MemorySource } from "@aiq/config-testing";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CANARY, captureLogger, expectRetained, fileManager, type FileManagerSetup } from "./helpers.js";
import * as v from "valibot";

/** Secret only because the manager is told `secretKeys: ["llms.*.org_id"]`. */
const ORG_CANARY = "org-CANARY-777";
const CANARY_2 = "sk-CANARY-456";
const CANARY_3 = "sk-CANARY-789";
const CANARIES = [CANARY, CANARY_2, CANARY_3, ORG_CANARY];
const SECRET_KEYS = ["llms.*.org_id"];

/** Every place text can leave the library, gathered per test and checked for every canary. */
class Exposure {
  readonly #texts: [string, string][] = [];

  add(where: string, value: unknown): void {
    if (typeof value === "string") {
      this.#texts.push([where, value]);
      return;
    }
    this.#texts.push([
      `${where} (inspect)`,
      inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true }),
    ]);
    try {
      this.#texts.push([`${where} (JSON)`, JSON.stringify(value) ?? ""]);
    } catch {
      // Not serialisable (a cycle): inspect covers it.
    }
  }

  /** An error, its message, issues and every error of its cause chain. */
  addError(where: string, error: unknown): void {
    let depth = 0;
    for (let current: unknown = error; current !== undefined && current !== null && depth < 20; depth++) {
      this.add(`${where} cause[${depth}]`, current);
      if (current instanceof Error) {
        this.add(`${where} cause[${depth}].message`, current.message);
        this.add(`${where} cause[${depth}].stack`, current.stack ?? "");
        if (isConfigValidationError(current)) this.add(`${where} cause[${depth}].issues`, current.issues);
        current = current.cause;
      } else break;
    }
  }

  /** A manager's status, its snapshot listing (everything but the config objects) and the manager itself. */
  addManager(where: string, manager: ConfigManager<unknown>): void {
    this.add(`${where} status`, manager.status);
    this.add(`${where} util.inspect(manager)`, inspect(manager, { showHidden: true }));
    this.add(
      `${where} snapshot listing`,
      manager.getSnapshots().map(({ config: _config, ...listing }: ConfigSnapshot<unknown>) => listing),
    );
  }

  expectClean(): void {
    const leaks = this.#texts.filter(([, text]) => CANARIES.some((canary) => text.includes(canary)));
    expect(leaks.map(([where, text]) => `${where}: ${text.slice(0, 400)}`)).toEqual([]);
    expect(this.#texts.length).toBeGreaterThan(0);
  }
}

let exposure: Exposure;
let consoleLines: string[];

beforeEach(() => {
  exposure = new Exposure();
  consoleLines = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLines.push(args.map((arg) => (typeof arg === "string" ? arg : inspect(arg))).join(" "));
    });
  }
});

afterEach(() => {
  exposure.add("console", consoleLines.join("\n"));
  exposure.expectClean();
  vi.restoreAllMocks();
});

const llm = v.object({
  model: v.string(),
  temperature: v.optional(v.pipe(v.number(), v.minValue(0))),
  api_key: v.optional(v.string()),
  org_id: v.optional(v.string()),
});
const canarySchema = v.object({
  name: v.string(),
  counter: v.number(),
  llms: v.record(v.string(), llm),
  end: v.literal(true),
});
/** The same, with a `regex` check the canaries fail (valibot quotes the received value in its message). */
const regexSchema = v.object({
  ...canarySchema.entries,
  llms: v.record(
    v.string(),
    v.object({
      ...llm.entries,
      api_key: v.optional(v.pipe(v.string(), v.regex(/^sk-[a-f0-9]{16}$/))),
      org_id: v.optional(v.pipe(v.string(), v.regex(/^org-[a-z]+$/))),
    }),
  ),
});
type CanaryConfig = v.InferOutput<typeof canarySchema>;

const GOOD_KEY = "sk-0123456789abcdef";

function canaryYaml(counter: number, apiKey = CANARY, orgId = ORG_CANARY): string {
  return `name: canary\ncounter: ${counter}\nllms:\n  main:\n    model: m\n    temperature: 0.5\n    api_key: ${apiKey}\n    org_id: ${orgId}\nend: true\n`;
}

function canaryJson(counter: number, apiKey = CANARY): string {
  return `{\n  "name": "canary",\n  "counter": ${counter},\n  "llms": { "main": { "model": "m", "api_key": "${apiKey}", "org_id": "${ORG_CANARY}" } },\n  "end": true\n}\n`;
}

async function watched(
  content: string,
  options: { name?: string; schema?: unknown } = {},
): Promise<FileManagerSetup<CanaryConfig>> {
  return fileManager<CanaryConfig>(content, {
    name: options.name ?? "config.yml",
    schema: (options.schema ?? canarySchema) as never,
    secretKeys: SECRET_KEYS,
  });
}

/** Gathers everything the manager of a setup exposed: events, log lines, status, listing. */
function gather(setup: FileManagerSetup<CanaryConfig>): void {
  exposure.add("events", setup.events.events);
  for (const event of setup.events.events) exposure.add(`event ${event.type}`, event);
  exposure.add("logger", setup.logger.lines.join("\n"));
  exposure.addManager("manager", setup.manager as ConfigManager<unknown>);
}

/** A CLI run in this process with PassThrough streams; its output is gathered when it ends. */
function startCli(argv: string[]) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  stdout.setEncoding("utf8");
  stderr.setEncoding("utf8");
  stdout.on("data", (chunk: string) => {
    out += chunk;
    for (const check of waiters) check();
  });
  stderr.on("data", (chunk: string) => {
    err += chunk;
  });
  const exit = runCli(argv, { stdin, stdout, stderr, env: { NO_COLOR: "1" } }).then((code) => {
    exposure.add(`cli ${argv.join(" ")} stdout`, out);
    exposure.add(`cli ${argv.join(" ")} stderr`, err);
    return { code, stdout: out, stderr: err };
  });
  /** Resolves once stdout, after offset `from`, contains `text`; returns the offset past it. */
  const waitForOutput = (text: string, from: number) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        const at = out.indexOf(text, from);
        if (at >= 0) {
          waiters.delete(check);
          resolve(at + text.length);
        }
      };
      waiters.add(check);
      check();
      void exit.then(() => {
        if (waiters.delete(check))
          reject(new Error(`the CLI ended without printing ${JSON.stringify(text)}:\n${out}\n${err}`));
      });
    });
  return { stdin, exit, waitForOutput };
}

/** Runs `aiq-config argv...` to completion in-process with `input` on stdin. */
async function cli(argv: string[], input = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startCli(argv);
  run.stdin.end(input);
  return run.exit;
}

describe("33 (a) the secret fails a regex check", () => {
  it("the issue names the path and hides the received value; retained", async () => {
    await using setup = await watched(canaryYaml(1, GOOD_KEY, "org-good"), { schema: regexSchema });
    await setup.save(canaryYaml(2));
    const error = await expectRetained(setup.manager, () => setup.manager.reloadConfig(), "INVALID_CONFIG");
    exposure.addError("reload error", error);
    expect(isConfigValidationError(error) && error.issues.map((issue) => issue.path).sort()).toEqual([
      "llms.main.api_key",
      "llms.main.org_id",
    ]);
    expect(error.message).toMatch(/received \*\*\*/);
    gather(setup);
  });

  it("also when the manager is created on it (no manager, only the error)", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": canaryYaml(1) } });
    const logger = captureLogger();
    const error = await createConfigManager(fixture.path("config.yml"), {
      schema: regexSchema,
      secretKeys: SECRET_KEYS,
      logger,
      events: createEventManager(),
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "INVALID_CONFIG" });
    exposure.addError("create error", error);
    exposure.add("logger", logger.lines.join("\n"));
  });

  it("an override that sets the secret to a failing value", async () => {
    await using setup = await watched(canaryYaml(1, GOOD_KEY, "org-good"), { schema: regexSchema });
    const error = await expectRetained(
      setup.manager,
      () => setup.manager.setOverrides({ "llms.main.api_key": CANARY }),
      "INVALID_CONFIG",
    );
    exposure.addError("setOverrides error", error);
    gather(setup);
  });
});

describe("33 (b) a YAML syntax error on the secret's line", () => {
  const broken = [
    `    api_key: "${CANARY}\n`,
    `    api_key: '${CANARY}\n`,
    `    api_key: {${CANARY}\n`,
    `    api_key: [${CANARY}\n`,
    `    api_key: ${CANARY}: x\n`,
    `\tapi_key: ${CANARY}\n`,
    `    api_key: *${CANARY}\n`,
    `    api_key: !${CANARY} x\n`,
    `    api_key: &${CANARY} [${CANARY}\n`,
    `    api_key: ${CANARY}\n    api_key: ${CANARY}\n`,
    `  api_key: ${CANARY}\n   bad: [\n`,
  ];
  for (const line of broken) {
    it(`rejects ${JSON.stringify(line.trim())} without the secret in any output (manager and CLI)`, async () => {
      await using setup = await watched(canaryYaml(1));
      const text = `name: canary\ncounter: 2\nllms:\n  main:\n    model: m\n${line}end: true\n`;
      await setup.save(text);
      const error = await setup.manager.reloadConfig().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({
        code: expect.stringMatching(/^(SYNTAX|DUPLICATE_KEY|UNSUPPORTED_TAG|RESOURCE_LIMIT)$/),
      });
      exposure.addError("reload error", error);
      gather(setup);
      expect((await cli(["-c", setup.file, "reload"])).code).toBe(1);
      await cli(["-c", setup.file, "reload", "--json"]);
    });
  }
});

describe("33 (c) a JSON syntax error next to the secret", () => {
  const broken = [
    `{"name":"c","counter":2,"llms":{"main":{"model":"m","api_key":"${CANARY}" "x":1}},"end":true}`,
    `{"name":"c","counter":2,"llms":{"main":{"model":"m","api_key":${CANARY}}},"end":true}`,
    `{"name":"c","counter":2,"llms":{"main":{"model":"m","api_key":"${CANARY}`,
    `{"name":"c","counter":2,"llms":{"main":{"model":"m","api_key":"${CANARY}",}},"end":true}`,
    `{"name":"c","counter":2,"llms":{"main":{"model":"m","api_key":"${CANARY}\\x"}},"end":true}`,
    `{"name":"c","counter":2,"llms":{"main":{"model":"m","api_key":"${CANARY}\t"}},"end":true}`,
    `{"name":"c","counter":2,"llms":{"main":{"model":"m","api_key":'${CANARY}'}},"end":true}`,
    `{"name":"c","counter":2,"llms":{"main":{"model":"m","api_key":"${CANARY}","api_key":"${CANARY}"}},"end":true}`,
  ];
  for (const text of broken) {
    it(`rejects ${text.slice(40, 90)}… without the secret in any output (manager and CLI)`, async () => {
      await using setup = await watched(canaryJson(1), { name: "config.json" });
      await setup.save(text);
      const error = await setup.manager.reloadConfig().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: expect.stringMatching(/^(SYNTAX|DUPLICATE_KEY)$/) });
      exposure.addError("reload error", error);
      gather(setup);
      expect((await cli(["-c", setup.file, "reload"])).code).toBe(1);
      await cli(["-c", setup.file, "reload", "--json"]);
    });
  }
});

describe("33 (d) a valid config holding the secret", () => {
  it("status, snapshot listing, diff, events, debug log, listener failures and override snapshots never show it", async () => {
    await using setup = await watched(canaryYaml(1));
    const { manager } = setup;
    // The config object itself keeps the real value.
    expect(manager.currentConfig.llms.main?.api_key).toBe(CANARY);
    manager.subscribe((config) => {
      throw new Error(`cannot connect with ${config.llms.main?.api_key}`);
    });
    manager.subscribe(async (config) => {
      throw new Error(`org ${config.llms.main?.org_id} refused`);
    });
    await setup.save(canaryYaml(2, CANARY_2));
    const first = manager.currentConfig;
    const second = await manager.reloadConfig();
    // The async listener's rejection is reported once its promise settles.
    const failures = [
      await setup.events.next(ConfigEventType.LISTENER_FAILED),
      await setup.events.next(ConfigEventType.LISTENER_FAILED),
    ];
    expect(failures.map((event) => event.error.message).sort()).toEqual(["cannot connect with ***", "org *** refused"]);
    expect(diffConfigs(first, second)).toEqual(["counter", "llms.main.api_key"]);
    exposure.add("diffConfigs", diffConfigs(first, second));
    await manager.setOverrides({ "llms.main.api_key": CANARY, "llms.main.org_id": ORG_CANARY });
    expect(manager.currentConfig.llms.main?.api_key).toBe(CANARY);
    await manager.rollbackConfig(1);
    // A failure while the secrets are current: its message is redacted too.
    await setup.save(`${canaryYaml(3)}oops: [\n`);
    exposure.addError("reload error", await manager.reloadConfig().catch((error: unknown) => error));
    gather(setup);
  });

  it("with AIQ_CONFIG_LOG=debug and the default console logger", async () => {
    vi.stubEnv("AIQ_CONFIG_LOG", "debug");
    const source = new MemorySource({
      name: "canary",
      counter: 1,
      llms: { main: { model: "m", api_key: CANARY } },
      end: true,
    });
    await using manager = await ConfigManager.create({ source, schema: canarySchema, events: createEventManager() });
    source.set({
      name: "canary",
      counter: 2,
      llms: { main: { model: "m", api_key: CANARY_2, temperature: -1 } },
      end: true,
    });
    exposure.addError("reload error", await manager.reloadConfig().catch((error: unknown) => error));
    exposure.addManager("manager", manager as ConfigManager<unknown>);
    vi.unstubAllEnvs();
    expect(consoleLines.join("\n")).toContain("[aiq-config]");
  });
});

describe("33 (d) printing the config object itself", () => {
  // The config keeps the real value (the program needs it), but printing it shows `***`: each object
  // with a secret key carries a non-enumerable util.inspect hook (keys, JSON and equality unchanged).
  it("util.inspect / console.log of currentConfig and of snapshots show api_key as ***", async () => {
    const source = new MemorySource({
      name: "canary",
      counter: 1,
      llms: { main: { model: "m", api_key: CANARY } },
      end: true,
    });
    await using manager = await ConfigManager.create({ source, schema: canarySchema, events: createEventManager() });
    source.set({ name: "canary", counter: 2, llms: { main: { model: "m", api_key: CANARY } }, end: true });
    await manager.reloadConfig();
    expect(manager.currentConfig.llms.main?.api_key).toBe(CANARY);
    expect(Object.keys(manager.currentConfig.llms.main ?? {})).toEqual(["model", "api_key"]);
    for (const shown of [manager.currentConfig, manager.currentConfig.llms, manager.getSnapshots()]) {
      const text = inspect(shown, { depth: Number.POSITIVE_INFINITY });
      expect(text).toContain("***");
      expect(text).not.toContain(CANARY);
    }
  });
});

describe("33 (d) the CLI", () => {
  // The CLI uses the default AIQ schema, and knows `api_key` is secret by its name.
  const aiq = (temperature: number, apiKey: string) => `llms:
  main_llm:
    _type: nim
    model_name: meta/llama-3.1-70b-instruct
    temperature: ${temperature}
    api_key: ${apiKey}
workflow:
  _type: react_agent
  llm_name: main_llm
`;

  it("reload, reload --json, --validate-only, -o with the secret, and an invalid config", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": aiq(0.5, CANARY) } });
    const file = fixture.path("config.yml");
    expect((await cli(["-c", file, "reload"])).code).toBe(0);
    expect((await cli(["-c", file, "reload", "--json"])).code).toBe(0);
    expect(
      (await cli(["-c", file, "-v", "reload", "--validate-only", "-o", `llms.main_llm.api_key=${CANARY_2}`])).code,
    ).toBe(0);
    expect((await cli(["-c", file, "reload", "--json", "-o", `llms.main_llm.api_key=${CANARY_2}`])).code).toBe(0);
    await fixture.save("config.yml", aiq(-1, CANARY));
    expect((await cli(["-c", file, "reload"])).code).toBe(1);
    expect((await cli(["-c", file, "reload", "--json"])).code).toBe(1);
    // A bad -o whose value is the secret.
    expect((await cli(["-c", file, "reload", "-o", `=${CANARY}`])).code).toBe(2);
    expect((await cli(["-c", file, "reload", "-o", `llms..api_key=${CANARY}`])).code).not.toBe(0);
  });

  it("an interactive session: validate and reload a changed secret, snapshots, info, rollback, a failed reload", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": aiq(0.5, CANARY) } });
    const file = fixture.path("config.yml");
    const session = startCli(["-c", file, "-v", "interactive", "-o", `llms.main_llm.auth_token=${CANARY_2}`]);
    let at = await session.waitForOutput("Type r to reload", 0);
    await fixture.save("config.yml", aiq(0.7, CANARY_3));
    const step = async (command: string, answer: string) => {
      session.stdin.write(`${command}\n`);
      at = await session.waitForOutput(answer, at);
    };
    await step("v", "Valid (not applied)");
    await step("r", "Reloaded");
    await step("s", "Snapshots (2 kept");
    await step("i", "Overrides:");
    await step("b 1", "Rolled back");
    await fixture.save("config.yml", aiq(-1, CANARY_3));
    await step("r", "is kept");
    await step("i", "Last reload: failed");
    session.stdin.end("q\n");
    const { code, stdout } = await session.exit;
    expect(code).toBe(0);
    expect(stdout).toContain("llms.main_llm.api_key: *** -> ***");
    expect(stdout).toContain("llms.main_llm.auth_token=***");
  });
});
