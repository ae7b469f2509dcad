import { createHash } from "node:crypto";
import { constants, promises as fs } from "node:fs";

/** What one look at a watched path found. */
export type FileObservation =
  | { kind: "missing" }
  | { kind: "unreadable"; code: string }
  | { kind: "file"; checksum: string; realpath: string; size: number; endsInNewline: boolean };

const CHUNK_BYTES = 256 * 1024;

/**
 * Reads a file through its symlinks and hashes it (sha-256), in bounded memory.
 * @param path - the watched path (may be a symlink, may not exist)
 * @returns what is there: the content hash and the real path, `missing`, or `unreadable` with the error code
 */
export async function observeFile(path: string): Promise<FileObservation> {
  let real: string;
  try {
    real = await fs.realpath(path);
  } catch (error) {
    return fromError(error);
  }
  let handle: fs.FileHandle | undefined;
  try {
    // O_NONBLOCK: a FIFO at the config path must not hang a thread-pool thread.
    handle = await fs.open(real, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = await handle.stat();
    if (!stats.isFile()) return { kind: "unreadable", code: stats.isDirectory() ? "EISDIR" : "ENOTREG" };
    const hash = createHash("sha256");
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(stats.size + 1, 1024)));
    let size = 0;
    let last = -1;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
      last = buffer[bytesRead - 1] ?? -1;
    }
    return { kind: "file", checksum: hash.digest("hex"), realpath: real, size, endsInNewline: last === 0x0a };
  } catch (error) {
    return fromError(error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Tells whether two observations describe the same state: same content at the same real path.
 * @returns true when nothing a reader could see has changed
 */
export function sameObservation(a: FileObservation, b: FileObservation): boolean {
  if (a.kind === "file" && b.kind === "file") return a.checksum === b.checksum && a.realpath === b.realpath;
  if (a.kind === "unreadable" && b.kind === "unreadable") return a.code === b.code;
  return a.kind === b.kind;
}

/**
 * Tells whether an observation may be the middle of a save: the file is missing (an editor renamed
 * it away), empty (truncated, content not written yet) or does not end in a newline (cut off mid
 * line: a write in chunks that is not finished; editors and YAML writers end a file with one).
 * Such a state is reported only once it held for the settle time; a file that ends in a newline is
 * reported at once.
 */
export function isTransient(observation: FileObservation): boolean {
  return observation.kind === "missing" || (observation.kind === "file" && !observation.endsInNewline);
}

function fromError(error: unknown): FileObservation {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "EIO";
  // ENOTDIR: a path component became a file; ELOOP is a broken chain, not a missing file.
  if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
  return { kind: "unreadable", code };
}
