import { ConfigReloadError } from "./errors.js";
import type { SnapshotStore } from "./snapshots.js";
import type { SourceDocument } from "./types.js";

/**
 * The source document of the snapshot `steps` back, for a rollback to re-resolve with today's
 * overrides.
 * @throws ConfigReloadError (code ROLLBACK_RANGE) when fewer snapshots are kept, or `steps` is not a whole number >= 1
 */
export function rollbackDocument<T>(snapshots: SnapshotStore<T>, steps: number, sourceId: string): SourceDocument {
  const target = Number.isInteger(steps) && steps >= 1 ? snapshots.at(steps) : undefined;
  if (!target) {
    const possible = snapshots.length - 1;
    const can =
      possible === 0 ? "no rollback is possible" : `1 to ${possible} step${possible === 1 ? "" : "s"} possible`;
    throw new ConfigReloadError(
      "ROLLBACK_RANGE",
      `Cannot roll back ${steps} step(s): ${snapshots.length} snapshot(s) kept, ${can}.`,
      { sourceId },
    );
  }
  const { data, meta } = target;
  return { data, checksum: meta.checksum, ...(meta.revision === undefined ? {} : { revision: meta.revision }) };
}
