import type { SourceDocument } from "@aiq/config-core";
import { ConfigEventType, type FileEvent } from "@aiq/config-events";

/** The sha-256 hex of each file's bytes, by absolute path (`SourceDocument.fileChecksums`). */
export type FileChecksums = Readonly<Record<string, string>>;

/**
 * What the watcher last reported of each file: the checksum of the content it saw settle. A reload
 * publishes a read only if it agrees, so a read that lands in the next save (its first part, before
 * the rest is written) is dropped: that save is reported in turn once it has settled, and reloaded.
 */
export class ReportedContent {
  readonly #checksums = new Map<string, string>();
  #reports = 0;

  /** How many reports were recorded: a look that began before a newer report leaves it to that report. */
  get reports(): number {
    return this.#reports;
  }

  /**
   * Records a file event of a watched file: its checksum, or nothing known (deleted, or a watcher
   * that reports no checksum, such as a test's stand-in).
   */
  record(event: FileEvent): void {
    this.#reports++;
    if (event.checksum !== undefined && event.type !== ConfigEventType.FILE_DELETED)
      this.#checksums.set(event.filePath, event.checksum);
    else this.#checksums.delete(event.filePath);
  }

  /**
   * Takes content read twice, a settle time apart, with the same bytes as settled: what the watcher
   * would report (used when it may never report it, e.g. after an identical rewrite).
   */
  adopt(checksums: FileChecksums): void {
    for (const [file, checksum] of Object.entries(checksums)) this.#checksums.set(file, checksum);
  }

  /**
   * Tells whether a read saw what was reported: every file of the read that the watcher reported has
   * the reported checksum. A read without checksums (a source other than files) always agrees.
   */
  agrees(document: Pick<SourceDocument, "fileChecksums">): boolean {
    for (const [file, checksum] of Object.entries(document.fileChecksums ?? {})) {
      const reported = this.#checksums.get(file);
      if (reported !== undefined && reported !== checksum) return false;
    }
    return true;
  }
}

/**
 * Tells whether two reads found the same bytes in the same files.
 * @returns true when both name the same files with the same checksums
 */
export function sameChecksums(a: FileChecksums, b: FileChecksums): boolean {
  const files = Object.keys(a);
  return files.length === Object.keys(b).length && files.every((file) => a[file] === b[file]);
}
