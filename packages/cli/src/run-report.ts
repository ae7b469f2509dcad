import type { ConfigChange } from "@aiq/config-core";
import type { ConfigEventError } from "@aiq/config-events";
import { describeChanges, formatChange } from "./changes.js";
import { describeFailure, failureLines, formatIssueBlock } from "./failure.js";
import { displayPath, plural, type Style } from "./format.js";
import type { ProcessExit, StopOutcome } from "./process-group.js";
import { formatSummary, summarizeConfig } from "./summary.js";

/** What `aiq-config run` counts, for its last line. */
export interface RunCounts {
  starts: number;
  restarts: number;
  handoffs: number;
  refused: number;
  crashes: number;
}

/** The service as the runner last started or handed it a config. */
export interface ServiceState {
  pid: number;
  version: number;
}

const ms = (value: number): string => `${Math.round(value)} ms`;

/** Prints what `aiq-config run` does, as `[aiq-config] ...` lines on stderr. */
export class RunReporter {
  readonly #write: (text: string) => void;
  readonly #style: Style;
  readonly #file: string;

  constructor(options: { write: (text: string) => void; style: Style; file: string }) {
    this.#write = options.write;
    this.#style = options.style;
    this.#file = displayPath(options.file);
  }

  #lines(...lines: string[]): void {
    const prefix = this.#style.dim("[aiq-config]");
    this.#write(lines.map((line) => `${prefix} ${line}\n`).join(""));
  }

  #keeps(service: ServiceState | undefined): string {
    return service
      ? `the service keeps running on version ${service.version} (pid ${service.pid})`
      : "the service is not running; waiting for a valid save";
  }

  /** The config validated at start. */
  validated(config: unknown, version: number, overrides: readonly string[]): void {
    const summary = formatSummary(summarizeConfig(config)).join(", ");
    const shown = overrides.length > 0 ? `; overrides: ${overrides.join(", ")}` : "";
    this.#lines(`${this.#style.green("valid")}: ${this.#file} (version ${version}; ${summary}${shown})`);
  }

  /** The config is invalid at start (or still invalid while waiting for a valid save). */
  invalid(error: unknown, waiting: boolean): void {
    this.#lines(
      ...failureLines(describeFailure(error), this.#style),
      waiting ? "the service is not started until a save is valid" : "not started",
    );
  }

  /** A valid save changed these paths. */
  changed(config: unknown, change: ConfigChange<unknown>): void {
    const changes = describeChanges(change.previous, config, change.changedPaths);
    this.#lines(`${this.#file} changed (version ${change.version}):`, ...changes.map((c) => `  ${formatChange(c)}`));
  }

  /** A save was refused by the runner's validation: the service is left alone. */
  refused(error: ConfigEventError | undefined, service: ServiceState | undefined): void {
    if (error?.code === "ENOENT") {
      this.#lines(`${this.#style.red("refused")}: ${this.#file} is missing; ${this.#keeps(service)}`);
      return;
    }
    const issues = error?.issues ?? [];
    this.#lines(
      `${this.#style.red("refused")} the save to ${this.#file}: ${issues.length > 0 ? `${plural(issues.length, "issue")}` : (error?.message ?? "unknown error")}`,
      ...issues.flatMap(formatIssueBlock).map((line) => `  ${line}`),
      this.#keeps(service),
    );
  }

  /** The service was started (`stopped`: the previous one, when this is a restart). */
  started(
    service: ServiceState,
    command: string,
    stopped?: { pid: number; outcome: StopOutcome; stopMs: number; totalMs: number },
  ): void {
    if (!stopped) {
      this.#lines(`started ${command} (pid ${service.pid}, version ${service.version})`);
      return;
    }
    const how =
      stopped.outcome === "killed"
        ? `SIGKILLed after the grace period, ${ms(stopped.stopMs)}`
        : `stopped in ${ms(stopped.stopMs)}`;
    this.#lines(
      `restarted in ${ms(stopped.totalMs)}: pid ${stopped.pid} ${how}; pid ${service.pid} started (version ${service.version})`,
    );
  }

  /** Not started: the file is invalid now (the refusal was printed). */
  notStarted(): void {
    this.#lines("the service is not started until a save is valid");
  }

  /** A process of the service connected for hand-offs. */
  connected(pid: number): void {
    this.#lines(`pid ${pid} connected`);
  }

  /** Every connected process applied the save. */
  handedOff(pids: readonly number[], version: number, elapsed: number): void {
    this.#lines(`handed version ${version} to pid ${pids.join(", ")}: applied in ${ms(elapsed)}, no restart`);
  }

  /** The service refused the save (its own schema is stricter). */
  serviceRefused(pid: number, error: ConfigEventError, service: ServiceState): void {
    const issues = error.issues ?? [];
    this.#lines(
      `${this.#style.red("refused")} by the service (pid ${pid}): ${issues.length > 0 ? plural(issues.length, "issue") : error.message}`,
      ...issues.flatMap(formatIssueBlock).map((line) => `  ${line}`),
      this.#keeps(service),
    );
  }

  /** The service did not answer a hand-off in time: it is restarted. */
  noAnswer(pids: readonly number[], timeoutMs: number): void {
    this.#lines(`pid ${pids.join(", ")} did not answer the hand-off within ${ms(timeoutMs)}; restarting`);
  }

  /** The service exited on its own. */
  exited(pid: number, exit: ProcessExit, uptimeMs: number, restartsOnSave: boolean): void {
    const how = exit.error
      ? `could not be started: ${exit.error.message}`
      : exit.signal
        ? `was ended by ${exit.signal}`
        : `exited with code ${exit.code}`;
    const next = restartsOnSave ? "; it starts again on the next valid save" : "";
    this.#lines(`${this.#style.red("pid")} ${pid} ${how} after ${ms(uptimeMs)}${next}`);
  }

  /** Three exits in a row, each within 1 s of its start. */
  crashLoop(count: number): void {
    this.#lines(
      `${this.#style.red("crash loop")}: the service exited within 1 s of starting ${count} times in a row; fix it, then save the config to start it again`,
    );
  }

  /** The runner was asked to stop. */
  stopping(signal: NodeJS.Signals, pid: number | undefined): void {
    this.#lines(pid === undefined ? `${signal}: stopping` : `${signal}: stopping the service (pid ${pid})`);
  }

  /** The last line. */
  summary(counts: RunCounts, exitCode: number): void {
    const parts = [
      plural(counts.starts, "start"),
      plural(counts.restarts, "restart"),
      plural(counts.handoffs, "hand-off"),
      plural(counts.refused, "refused save"),
      plural(counts.crashes, "unexpected exit"),
    ];
    this.#lines(`stopped (exit ${exitCode}): ${parts.join(", ")}`);
  }
}
