// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` placeholders in plain strings are the input under test.
// The worker path (files at least `workerThreshold` bytes are parsed in a worker thread) against the
// main-thread path: the same config or the same error, issues, positions and code frames included.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  type ConfigPath,
  isConfigError,
  type SourceDocument,
  type StandardSchemaV1,
  silentLogger,
} from "@aiq/config-core";
import fc from "fast-check";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfigManager, fileSource, reloadConfig } from "../src/index.js";
import { parseThread } from "../src/parse-thread.js";
import { BROKEN_CONFIGS } from "./broken-configs.js";
import { FIXTURES, useTempDir } from "./helpers.js";

const MAIN = { workerThreshold: Number.POSITIVE_INFINITY };
const WORKER = { workerThreshold: 0 };
const NAT_EXAMPLES = join(FIXTURES, "../../../core/test/fixtures/nat-examples");

/** An error as a user sees it: class, code, message, issues (positions, frames), cause's message. */
function described(error: unknown): unknown {
  if (!isConfigError(error)) return { thrown: String(error) };
  const { name, code, message, sourceId } = error;
  const issues = (error as { issues?: unknown }).issues;
  const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : error.cause;
  return { name, code, message, sourceId, issues, cause };
}

/** Every path of a value (at most `limit`), and beside each a missing key and an index past the end. */
function pathsOf(value: unknown, limit = 2000): ConfigPath[] {
  const paths: ConfigPath[] = [[]];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (paths.length >= limit || node === null || typeof node !== "object") return;
    paths.push([...path, "no such key"], [...path, 10_000], [...path, "0"]);
    for (const [key, child] of Object.entries(node)) {
      const next = [...path, Array.isArray(node) ? Number(key) : key];
      paths.push(next);
      visit(child, next);
    }
  };
  visit(value, []);
  return paths;
}

/** What a source's read gives: the document (data, checksum, warnings, every position, size) or the error. */
async function readWith(path: string, options: object): Promise<unknown> {
  const source = fileSource(path, { env: { HOST: "example.org" }, ...options });
  try {
    const document: SourceDocument = await source.read();
    return {
      data: document.data,
      checksum: document.checksum,
      warnings: document.warnings,
      size: document.size,
      text: document.sourceText?.(undefined),
      places: pathsOf(document.data).map((at) => [at, document.locate?.(at)]),
    };
  } catch (error) {
    return { error: described(error) };
  } finally {
    await source.close();
  }
}

/** What reloadConfig gives: the config or the error (its schema issues placed through the positions). */
async function reloadWith(path: string, options: object): Promise<unknown> {
  try {
    return { config: await reloadConfig(path, { env: {}, logger: silentLogger, ...options }) };
  } catch (error) {
    return { error: described(error) };
  }
}

async function expectSame(path: string, options: object = {}): Promise<void> {
  expect(await readWith(path, { ...options, ...WORKER })).toEqual(await readWith(path, { ...options, ...MAIN }));
  expect(await reloadWith(path, { ...options, ...WORKER })).toEqual(await reloadWith(path, { ...options, ...MAIN }));
}

describe("the worker path gives what the main-thread path gives", () => {
  const tmp = useTempDir();
  // One source holds the worker for the whole suite (it stops when the last holder closes; each
  // read below would otherwise start one).
  const holder = fileSource(join(FIXTURES, "agent.yml"), WORKER);
  beforeAll(() => holder.read());
  afterAll(() => holder.close());

  it.each(BROKEN_CONFIGS.map((c) => [c.name, c] as const))("broken config: %s", async (_name, broken) => {
    const path = await tmp.write(broken.file ?? "config.yml", broken.lines.join("\n"));
    await expectSame(path, broken.strictKeys ? { strictKeys: true } : {});
  });

  it("on the loader's fixtures, base: chains included", async () => {
    const files = [
      join(FIXTURES, "agent.yml"),
      ...(await readdir(join(FIXTURES, "inheritance"))).map((name) => join(FIXTURES, "inheritance", name)),
    ];
    for (const file of files) await expectSame(file);
  });

  it("on the real NeMo Agent Toolkit configs of core's fixtures", async () => {
    const names = (await readdir(NAT_EXAMPLES)).filter((name) => /\.ya?ml$/.test(name));
    expect(names.length).toBeGreaterThan(50);
    for (const name of names) await expectSame(join(NAT_EXAMPLES, name));
  }, 120_000);

  it("on the limits: size, depth, aliases", async () => {
    const deep = await tmp.write("deep.yml", nested(40));
    await expectSame(deep, { maxDepth: 30 });
    const aliases = await tmp.write("aliases.yml", "a: &x [1, 2]\nb: [*x, *x, *x]\nc: *x\n");
    await expectSame(aliases, { maxAliasCount: 2 });
    await expectSame(aliases, { maxAliasCount: 0 });
    await expectSame(aliases, { maxAliasCount: 100 });
    const big = await tmp.write("big.yml", "a: 1\n".repeat(100));
    await expectSame(big, { maxBytes: 100 });
  });

  it("on ${VAR} interpolation, its warnings and the empty and encoding refusals", async () => {
    const vars = await tmp.write("vars.yml", "url: http://${HOST}:${PORT:-8080}\nport: ${PORT:-8080}\nx: ${UNSET}\n");
    await expectSame(vars);
    await expectSame(await tmp.write("empty.yml", "# nothing\n---\n"));
    await expectSame(await tmp.write("bad.yml", new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a])));
    await expectSame(await tmp.write("c.json", '{"a": {"b": [1, 2, {"c": "${HOST}"}]}, "a": 2}'));
    await expectSame(await tmp.write("d.json", '{"a": {"b": [1, 2, {"c": "${HOST}"}]}, "d": [1,]}'));
  });

  it("on generated documents, valid or broken, with small limits", async () => {
    const key = fc.oneof(
      fc.constantFrom("a", "b", "__proto__", "constructor", "0", "1", "llms", "x y", "_type"),
      fc.string({ maxLength: 6 }),
    );
    const scalar = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.string({ maxLength: 12 }),
      fc.constantFrom("${HOST}", "${PORT:-80}", "${UNSET}", "a: b", "[x", "'q", "- item", "&a", "*a", "!tag"),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", maxDepth: 5 },
        scalar,
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(key, tie("node"), { maxKeys: 4, noNullPrototype: true }),
      ),
    })).node;
    // A document as written (block or flow style, an anchor and aliases), then maybe broken by an edit.
    const document = fc
      .record({
        value: fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5, noNullPrototype: true }),
        flow: fc.boolean(),
        aliases: fc.boolean(),
        edit: fc.option(
          fc.tuple(fc.nat(), fc.constantFrom(":", "\t", "[", "{", '"', "'", "\n  ", "- ", "&a ", "*a", "!x ", "#")),
        ),
      })
      .map(({ value, flow, aliases, edit }) => {
        let text = stringify(value, { collectionStyle: flow ? "flow" : "block", lineWidth: 0 });
        if (aliases) text = `anchor: &a {k: [1, 2]}\n${text}ref1: *a\nref2: [*a, *a]\n`;
        if (edit) {
          const at = edit[0] % (text.length + 1);
          text = text.slice(0, at) + edit[1] + text.slice(at);
        }
        return text;
      });
    const limits = fc.record({
      maxDepth: fc.integer({ min: 1, max: 8 }),
      maxAliasCount: fc.integer({ min: 0, max: 6 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(document, limits, fc.boolean(), async (text, options, json) => {
        const path = await tmp.write(`generated-${run++}.${json ? "json" : "yml"}`, text);
        await expectSame(path, options);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe("the worker path", () => {
  const tmp = useTempDir();

  it("is abandoned by an abort: ABORTED at once, and the next read still works", async () => {
    const path = await tmp.write("large.yml", largeYaml(4000));
    const source = fileSource(path, WORKER);
    try {
      const controller = new AbortController();
      const reading = source.read(controller.signal);
      // Aborted while the worker parses (the file is read by then: the parse takes most of the time).
      setImmediate(() => controller.abort(new Error("shutting down")));
      const error = await reading.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(described(error)).toMatchObject({
        name: "ConfigReloadError",
        code: "ABORTED",
        cause: "Error: shutting down",
      });
      const document = await source.read();
      expect(Object.keys(document.data as object)).toHaveLength(4000);
    } finally {
      await source.close();
    }
  });

  it("stops when the last manager that used it closes, not before", async () => {
    const a = await createConfigManager(await tmp.write("a.yml", largeYaml(10)), { ...WORKER, schema: anything });
    const b = await createConfigManager(await tmp.write("b.yml", largeYaml(10)), { ...WORKER, schema: anything });
    expect(parseThread.running).toBe(true);
    await a.close();
    expect(parseThread.running).toBe(true);
    await b.reloadConfig();
    await b.close();
    expect(parseThread.running).toBe(false);
  });

  it("refuses a read whose signal is already aborted without parsing", async () => {
    const path = await tmp.write("c.yml", "a: 1\n");
    const source = fileSource(path, WORKER);
    const error = await source.read(AbortSignal.abort()).catch((thrown: unknown) => thrown);
    expect(described(error)).toMatchObject({ code: "ABORTED" });
    await source.close();
  });
});

describe("the built package's worker", () => {
  const tmp = useTempDir();
  const dist = new URL("../dist/index.js", import.meta.url).href;

  it("never keeps a process alive: a program that leaves its manager open exits by itself", async () => {
    const path = await tmp.write("large.yml", largeYaml(500));
    // The program reads the file through the worker twice (create, then a reload) and does not close.
    const program = `
      import { createConfigManager } from ${JSON.stringify(dist)};
      const manager = await createConfigManager(${JSON.stringify(path)}, { workerThreshold: 0, schema: { "~standard": { version: 1, vendor: "test", validate: (value) => ({ value }) } } });
      await manager.reloadConfig();
      console.log(Object.keys(manager.currentConfig).length);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", program], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      const [code, signal] = await once(child, "exit");
      expect({ code, signal, output: output.trim() }).toEqual({ code: 0, signal: null, output: "500" });
    } finally {
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  }, 30_000);
});

const anything: StandardSchemaV1<unknown, unknown> = {
  "~standard": { version: 1, vendor: "test", validate: (value) => ({ value }) },
};

function nested(levels: number): string {
  let text = "";
  for (let i = 0; i < levels; i++) text += `${"  ".repeat(i)}k${i}:\n`;
  return `${text}${"  ".repeat(levels)}leaf: 1\n`;
}

function largeYaml(entries: number): string {
  let text = "";
  for (let i = 0; i < entries; i++)
    text += `key_${i}:\n  name: entry ${i}\n  list: [1, 2, 3]\n  nested: {a: b, c: d}\n`;
  return text;
}
