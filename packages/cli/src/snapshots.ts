import type { ConfigSnapshot } from "@aiq/config-core";
import { clock, type Style } from "./format.js";

/**
 * The snapshot list of the interactive `s` command: version, reason, time, checksum prefix, and the
 * `b N` that returns to each; the current one is marked with `*`.
 * @param snapshots newest first, `[0]` current
 */
export function formatSnapshots(snapshots: readonly ConfigSnapshot<unknown>[], style: Style): string[] {
  const lines = [`Snapshots (${snapshots.length} kept, newest first; * is current):`];
  snapshots.forEach((snapshot, index) => {
    const mark = index === 0 ? "*" : " ";
    const version = `v${snapshot.version}`.padEnd(5);
    const reason = snapshot.reason.padEnd(9);
    const where = index === 0 ? style.green("current") : `b ${index}`;
    lines.push(
      `  ${mark} ${version} ${reason} ${clock(snapshot.timestamp)}  ${snapshot.checksum.slice(0, 8)}  ${where}`,
    );
  });
  return lines;
}
