import { PassThrough, type Readable } from "node:stream";
import { runCli } from "@aiq/config-cli";

/** The secret written in every test config; it must never appear in any output. */
export const CANARY = "sk-CANARY-123";

/** A toolkit-style config: 2 LLMs, 3 functions + 2 tools, 1 workflow; `temperature` on line 7. */
export function validConfig(temperature = 0, apiKey = CANARY): string {
  return `general:
  use_uvloop: true
llms:
  main_llm:
    _type: nim
    model_name: meta/llama-3.1-70b-instruct
    temperature: ${temperature}
    max_tokens: 1024
    api_key: ${apiKey}
  fast_llm:
    _type: openai
    model_name: gpt-4o-mini
    temperature: 0.7
functions:
  internet_search:
    _type: tavily_internet_search
  current_datetime:
    _type: current_datetime
  calculator:
    _type: calculator
tools:
  wiki:
    _type: wiki_search
  code:
    _type: code_execution
workflow:
  _type: react_agent
  tool_names: [internet_search, current_datetime, calculator]
  llm_name: main_llm
  max_iterations: 5
`;
}

/** The valid config with a negative temperature on line 7: one schema issue at `llms.main_llm.temperature`. */
export const INVALID_CONFIG = validConfig(-1);

/** Collects a stream's text and resolves waits as soon as the text matches (no polling, no sleeps). */
export class OutputTail {
  #text = "";
  #waiters = new Set<() => void>();
  #ended = false;
  /** Resolves with the whole text once the stream has ended. */
  readonly finished: Promise<string>;

  constructor(stream: Readable) {
    this.finished = new Promise<string>((resolve) => stream.once("end", () => resolve(this.#text)));
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      this.#text += chunk;
      for (const check of this.#waiters) check();
    });
    stream.on("end", () => {
      this.#ended = true;
      for (const check of this.#waiters) check();
    });
  }

  /** Everything written so far. */
  get text(): string {
    return this.#text;
  }

  /**
   * Resolves when the text written after offset `from` matches; rejects on timeout or at end of stream.
   * @returns the offset just past the match, to wait for what comes next
   */
  waitFor(pattern: RegExp | string, from = 0, timeoutMs = 10_000): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const find = (): number | undefined => {
        const rest = this.#text.slice(from);
        if (typeof pattern === "string") {
          const at = rest.indexOf(pattern);
          return at < 0 ? undefined : from + at + pattern.length;
        }
        const match = pattern.exec(rest);
        return match ? from + match.index + match[0].length : undefined;
      };
      const check = (): void => {
        const end = find();
        if (end !== undefined) done(() => resolve(end));
        else if (this.#ended)
          done(() => reject(new Error(`output ended without ${String(pattern)}; it was:\n${this.#text}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for ${String(pattern)}; output so far:\n${this.#text}`))),
        timeoutMs,
      );
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }
}

/** A CLI run in this process with PassThrough streams. */
export interface CliRun {
  stdin: PassThrough;
  stdout: OutputTail;
  stderr: OutputTail;
  /** The exit code, once the command returns. */
  exit: Promise<number>;
}

/** Options of {@link startCli}. */
export interface StartOptions {
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Text written to stdin before it is ended; omit to keep stdin open. */
  input?: string;
  /** Pretend stdout is a terminal (for the colour checks). */
  tty?: boolean;
}

/** Starts `aiq-config argv...` in-process; streams are PassThroughs. */
export function startCli(argv: string[], options: StartOptions = {}): CliRun {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (options.tty) Object.assign(stdout, { isTTY: true });
  const out = new OutputTail(stdout);
  const err = new OutputTail(stderr);
  if (options.input !== undefined) stdin.end(options.input);
  const exit = runCli(argv, {
    stdin,
    stdout,
    stderr,
    env: options.env ?? {},
    ...(options.signal ? { signal: options.signal } : {}),
  }).finally(() => {
    stdout.end();
    stderr.end();
  });
  return { stdin, stdout: out, stderr: err, exit };
}

/** Runs `aiq-config argv...` to completion in-process. */
export async function runCliText(
  argv: string[],
  options: StartOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startCli(argv, { input: "", ...options });
  const code = await run.exit;
  const [stdout, stderr] = await Promise.all([run.stdout.finished, run.stderr.finished]);
  return { code, stdout, stderr };
}

/** True when a text holds a JavaScript stack trace. */
export function hasStack(text: string): boolean {
  return /\n\s+at .+\(.+:\d+:\d+\)/.test(text) || /\n\s+at .+:\d+:\d+/.test(text);
}
