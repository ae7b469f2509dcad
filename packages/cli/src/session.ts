import { createInterface } from "node:readline";
import { type ConfigManager, diffConfigs } from "@aiq/config-core";
import { describeChanges, formatChange } from "./changes.js";
import { describeFailure, failureLines } from "./failure.js";
import { clock, displayPath, plural, type Style } from "./format.js";
import { describeOverrides } from "./overrides.js";
import { formatSnapshots } from "./snapshots.js";
import { formatSummary, summarizeConfig } from "./summary.js";

/** The commands of the interactive session, as `help` lists them. */
export const SESSION_HELP: readonly string[] = [
  "Commands:",
  "  r, reload           reload the file (applied only if valid)",
  "  v, validate         check the file without applying it",
  "  s, snapshots        list the versions kept (* marks the current one)",
  "  b, rollback [N]     go back N versions (default 1; `s` shows each one's N)",
  "  c, clear            drop every snapshot but the current one",
  "  i, info             show the file, version, reload count, overrides and summary",
  "  q, quit             leave (also Ctrl-D, Ctrl-C)",
  "  help                this list",
];

type Handler = (args: string[]) => Promise<void> | void;

/**
 * One interactive session over a config manager: turns each typed line into a reload, validation,
 * rollback... and prints what happened. A bad command or a failed reload is reported; the session goes on.
 */
export class InteractiveSession {
  readonly #manager: ConfigManager;
  readonly #write: (lines: string[]) => void;
  readonly #style: Style;
  readonly #handlers: ReadonlyMap<string, Handler>;

  constructor(manager: ConfigManager, write: (lines: string[]) => void, style: Style) {
    this.#manager = manager;
    this.#write = write;
    this.#style = style;
    const handlers: [string[], Handler][] = [
      [["r", "reload"], () => this.#reload()],
      [["v", "validate"], () => this.#validate()],
      [["s", "snapshots"], () => this.#snapshots()],
      [["b", "rollback"], (args) => this.#rollback(args)],
      [["c", "clear"], () => this.#clear()],
      [["i", "info"], () => this.#info()],
      [["help", "h", "?"], () => this.#write([...SESSION_HELP])],
    ];
    this.#handlers = new Map(handlers.flatMap(([names, handler]) => names.map((name) => [name, handler] as const)));
  }

  /** What the session prints first: the file, its version and summary, and the commands. */
  banner(): string[] {
    const { sourceId, version } = this.#manager.status;
    return [
      `${this.#style.bold("aiq-config interactive")}: ${displayPath(sourceId)} (version ${version})`,
      ...this.#summary(this.#manager.currentConfig),
      "Type r to reload, v to validate, s for snapshots, b [N] to roll back, c to clear, i for info, q to quit, help for help.",
    ];
  }

  /**
   * Runs one typed line.
   * @returns false when the user asked to quit
   */
  async handle(line: string): Promise<boolean> {
    const [name, ...args] = line
      .trim()
      .split(/\s+/)
      .filter((word) => word !== "");
    if (name === undefined) return true;
    const command = name.toLowerCase();
    if (command === "q" || command === "quit" || command === "exit") return false;
    const handler = this.#handlers.get(command);
    if (!handler) {
      this.#write([`Unknown command "${name}". Type help for the commands.`]);
      return true;
    }
    if (command !== "b" && command !== "rollback" && args.length > 0) {
      this.#write([`${name} takes no arguments (got "${args.join(" ")}"). Type help for the commands.`]);
      return true;
    }
    try {
      await handler(args);
    } catch (error) {
      this.#failed(error);
    }
    return true;
  }

  #summary(config: unknown): string[] {
    return formatSummary(summarizeConfig(config)).map((line) => `  ${line}`);
  }

  #changes(before: unknown, after: unknown, paths: readonly string[]): string[] {
    return describeChanges(before, after, paths).map((change) => `  ${formatChange(change)}`);
  }

  #failed(error: unknown): void {
    const failure = describeFailure(error);
    const { version } = this.#manager.status;
    const kept = failure.exitCode !== 2 && !failure.stack ? [`The current config (version ${version}) is kept.`] : [];
    this.#write([...failureLines(failure, this.#style), ...kept]);
  }

  async #reload(): Promise<void> {
    const before = this.#manager.currentConfig;
    const after = await this.#manager.reloadConfig();
    const { version, reloadCount } = this.#manager.status;
    const changed = diffConfigs(before, after);
    const what = changed.length === 0 ? "no changes" : `${plural(changed.length, "path")} changed`;
    this.#write([
      `${this.#style.green("Reloaded")} (reload #${reloadCount}, version ${version}): ${what}`,
      ...this.#changes(before, after, changed),
      ...this.#summary(after),
    ]);
  }

  async #validate(): Promise<void> {
    const current = this.#manager.currentConfig;
    const candidate = await this.#manager.reloadConfig({ validateOnly: true });
    const changed = diffConfigs(current, candidate);
    const what = changed.length === 0 ? "same as the current config" : `${plural(changed.length, "path")} would change`;
    this.#write([
      `${this.#style.green("Valid")} (not applied): ${what}`,
      ...this.#changes(current, candidate, changed),
      ...this.#summary(candidate),
    ]);
  }

  #snapshots(): void {
    this.#write(formatSnapshots(this.#manager.getSnapshots(), this.#style));
  }

  async #rollback(args: string[]): Promise<void> {
    const possible = this.#manager.getSnapshots().length - 1;
    const range = possible === 0 ? "there is no older version yet (reload first)" : `1 to ${possible} possible now`;
    if (args.length > 1 || (args[0] !== undefined && !/^[1-9][0-9]*$/.test(args[0]))) {
      this.#write([`Rollback takes one whole number of steps >= 1, e.g. \`b 1\` for the previous version (${range}).`]);
      return;
    }
    const steps = args[0] === undefined ? 1 : Number(args[0]);
    if (steps > possible) {
      // Checked here to explain the counts in the session's terms; core would refuse it too.
      const why =
        possible === 0
          ? "only the current version is kept (reload first to have an older one)"
          : `${possible + 1} snapshots are kept, the current one and ${plural(possible, "older one")}, so \`b ${possible}\` goes furthest back`;
      this.#write([`Cannot roll back ${plural(steps, "step")}: ${why}. \`s\` lists them.`]);
      return;
    }
    const before = this.#manager.currentConfig;
    const target = this.#manager.getSnapshots()[steps];
    const after = await this.#manager.rollbackConfig(steps);
    const { version, reloadCount } = this.#manager.status;
    const changed = diffConfigs(before, after);
    this.#write([
      `${this.#style.green("Rolled back")} ${plural(steps, "step")} to the config of version ${target?.version ?? "?"} (reload #${reloadCount}, now version ${version}): ${plural(changed.length, "path")} changed`,
      ...this.#changes(before, after, changed),
      ...this.#summary(after),
    ]);
  }

  #clear(): void {
    const dropped = this.#manager.getSnapshots().length - 1;
    this.#manager.clearSnapshots();
    const { version } = this.#manager.status;
    this.#write([`Cleared ${plural(dropped, "older snapshot")}; kept the current one (version ${version}).`]);
  }

  #info(): void {
    const status = this.#manager.status;
    const overrides = describeOverrides(this.#manager.configOverrides);
    const last = status.lastError
      ? `failed at ${clock(status.lastError.at)}: ${status.lastError.message.split("\n")[0]}`
      : status.lastSuccessAt
        ? `ok at ${clock(status.lastSuccessAt)}`
        : "none yet";
    this.#write([
      // etcd: the key and the revision read last (files have no revision).
      ...(status.sourceRevision === undefined
        ? [`File:        ${displayPath(status.sourceId)}`]
        : [`Source:      ${status.sourceId}`, `Revision:    ${status.sourceRevision}`]),
      `Version:     ${status.version}`,
      `Reloads:     ${status.reloadCount}`,
      `Snapshots:   ${status.snapshots} kept`,
      `Overrides:   ${overrides.length === 0 ? "none" : overrides.join(", ")}`,
      `Last reload: ${last}`,
      ...this.#summary(this.#manager.currentConfig),
    ]);
  }
}

/** Where a session reads commands and writes answers. */
export interface SessionStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Ends the session as `q` would. */
  signal?: AbortSignal | undefined;
}

/** How a session ended: `q`, end of input (Ctrl-D, a pipe's end), or Ctrl-C / the stop signal. */
export type SessionEnd = "quit" | "end" | "interrupt";

/**
 * Reads commands line by line until `q`, end of input, Ctrl-C, Ctrl-D or `signal`. In a terminal it
 * uses readline's line editing and history; on a pipe it reads the lines as they come.
 * @param session what each line runs
 * @param streams input, output and a stop signal
 * @returns how the session ended
 */
export async function runSession(session: InteractiveSession, streams: SessionStreams): Promise<SessionEnd> {
  const terminal =
    (streams.input as { isTTY?: boolean }).isTTY === true && (streams.output as { isTTY?: boolean }).isTTY === true;
  const rl = createInterface({
    input: streams.input,
    output: streams.output,
    terminal,
    prompt: "aiq-config> ",
    historySize: terminal ? 500 : 0,
    removeHistoryDuplicates: true,
  });
  let end: SessionEnd = "end";
  const interrupt = (): void => {
    end = "interrupt";
    rl.close();
  };
  // Ctrl-C in a terminal (raw mode) reaches readline as a key, not as a signal.
  rl.on("SIGINT", interrupt);
  streams.signal?.addEventListener("abort", interrupt, { once: true });
  try {
    if (streams.signal?.aborted) return "interrupt";
    rl.prompt();
    for await (const line of rl) {
      if (!(await session.handle(line))) {
        end = "quit";
        break;
      }
      // Lines already buffered when Ctrl-C came are not run.
      if ((end as SessionEnd) === "interrupt") break;
      rl.prompt();
    }
    return end;
  } finally {
    streams.signal?.removeEventListener("abort", interrupt);
    rl.close();
  }
}
