import type { ConfigChangeReason } from "@aiq/config-events";
import type { ConfigStatus, ConfigStatusError, WatchState } from "./types.js";

/** What a manager reports about itself beyond its counters: where, watched how, snapshots, closed. */
export interface StatusContext {
  sourceId: string;
  watch: WatchState | undefined;
  snapshots: number;
  closed: boolean;
}

/**
 * A manager's bookkeeping of its operations, as `status` reports it: the version and reload count,
 * when the last one ran and succeeded, the last failure, whether the source is missing, the store
 * revision last read. Internal.
 */
export class StatusRecord {
  /** The current version: 1 after create, +1 per applied change. */
  version = 0;
  /** Successful reloads + rollbacks. */
  reloadCount = 0;
  #lastReloadAt: Date | undefined;
  #lastSuccessAt: Date | undefined;
  #lastError: ConfigStatusError | undefined;
  #missing = false;
  #sourceRevision: string | undefined;

  /** An operation succeeded: the failure and the missing source are behind it. */
  succeeded(reason: ConfigChangeReason, revision: string | undefined, countsAsReload: boolean): void {
    // A read (not a rollback or new overrides) tells which store revision is current there.
    if (revision !== undefined && (reason === "initial" || reason === "reload")) this.#sourceRevision = revision;
    if (countsAsReload) this.reloadCount++;
    const now = new Date();
    this.#lastReloadAt = now;
    this.#lastSuccessAt = now;
    this.#lastError = undefined;
    this.#missing = false;
  }

  /** An operation failed, as described (redacted); nothing else changed. */
  failed(described: ConfigStatusError): void {
    this.#lastReloadAt = described.at;
    this.#lastError = described;
    if (described.code === "ENOENT") this.#missing = true;
  }

  /** The status: plain, redacted data. */
  status(context: StatusContext): ConfigStatus {
    return {
      sourceId: context.sourceId,
      version: this.version,
      reloadCount: this.reloadCount,
      ...(this.#lastReloadAt ? { lastReloadAt: this.#lastReloadAt } : {}),
      ...(this.#lastSuccessAt ? { lastSuccessAt: this.#lastSuccessAt } : {}),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
      missing: this.#missing,
      ...(this.#sourceRevision === undefined ? {} : { sourceRevision: this.#sourceRevision }),
      ...(context.watch ? { watch: context.watch } : {}),
      snapshots: context.snapshots,
      closed: context.closed,
    };
  }
}
