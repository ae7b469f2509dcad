import type { ConfigChange, ConfigIssue, ConfigManager } from "@aiq/config-core";
import type { ConfigEvent } from "@aiq/config-events";
import { describeChanges, formatChange } from "./changes.js";
import { formatIssueBlock } from "./failure.js";
import { clock, displayPath, plural, type Style } from "./format.js";
import { formatSummary, summarizeConfig } from "./summary.js";

/** `{ revision }` for a store's document (etcd), nothing for a file. */
function revisionOf(revision: string | undefined): { revision?: string } {
  return revision === undefined ? {} : { revision };
}

/** Prints what `watch` sees: text lines, or one JSON object per line with `--json`. */
export class WatchReporter {
  readonly #manager: ConfigManager;
  readonly #write: (text: string) => void;
  readonly #style: Style;
  readonly #json: boolean;
  readonly #terminal: boolean;

  constructor(
    manager: ConfigManager,
    options: { write: (text: string) => void; style: Style; json: boolean; terminal?: boolean },
  ) {
    this.#manager = manager;
    this.#write = options.write;
    this.#style = options.style;
    this.#json = options.json;
    this.#terminal = options.terminal ?? false;
  }

  #lines(lines: string[]): void {
    this.#write(`${lines.join("\n")}\n`);
  }

  #event(value: Record<string, unknown>): void {
    this.#write(`${JSON.stringify(value)}\n`);
  }

  /** The watch has started. */
  ready(): void {
    const { sourceId, version, sourceRevision } = this.#manager.status;
    const summary = summarizeConfig(this.#manager.currentConfig);
    if (this.#json) {
      this.#event({ event: "watching", file: sourceId, version, ...revisionOf(sourceRevision), summary });
      return;
    }
    const revision = sourceRevision === undefined ? "" : `revision ${sourceRevision}, `;
    this.#lines([
      `${this.#style.bold("Watching")} ${displayPath(sourceId)} (${revision}version ${version}; ${formatSummary(summary).join(", ")}). Press Ctrl-C to stop.`,
    ]);
  }

  /** A save was applied. */
  reloaded(config: unknown, change: ConfigChange<unknown>): void {
    const { reloadCount, sourceRevision } = this.#manager.status;
    const changes = describeChanges(change.previous, config, change.changedPaths);
    if (this.#json) {
      const summary = summarizeConfig(config);
      this.#event({
        event: "reloaded",
        reloadCount,
        version: change.version,
        ...revisionOf(sourceRevision),
        reason: change.reason,
        changes,
        summary,
      });
      return;
    }
    const revision = sourceRevision === undefined ? "" : `, revision ${sourceRevision}`;
    this.#lines([
      `${this.#style.dim(clock(new Date()))} ${this.#style.green("Reloaded")} (reload #${reloadCount}, version ${change.version}${revision}): ${plural(changes.length, "path")} changed`,
      ...changes.map((c) => `  ${formatChange(c)}`),
    ]);
  }

  /** A save was refused: the last good config stays. */
  refused(event: ConfigEvent): void {
    const error = event.error;
    const issues: readonly ConfigIssue[] = error?.issues ?? [];
    if (this.#json) {
      this.#event({ event: "refused", version: event.version, error });
      return;
    }
    const lines = [
      `${this.#style.dim(clock(new Date()))} ${this.#style.red("Refused")} ${this.#manager.status.sourceRevision === undefined ? "the save" : "the new value"}: ${issues.length > 0 ? `${plural(issues.length, "issue")}:` : (error?.message ?? "unknown error")}`,
      ...issues.flatMap(formatIssueBlock).map((line) => `  ${line}`),
      `  The last good config (version ${event.version}) is kept.`,
    ];
    this.#lines(lines);
  }

  /** The watch has stopped. */
  stopped(): void {
    if (this.#json) {
      this.#event({ event: "stopped", reloadCount: this.#manager.reloadCount });
      return;
    }
    // In a terminal the Ctrl-C that stopped us was echoed as `^C` with no newline.
    this.#lines([
      `${this.#terminal ? "\n" : ""}Stopped watching after ${plural(this.#manager.reloadCount, "reload")}.`,
    ]);
  }
}
