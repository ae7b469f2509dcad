import { open, stat } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { type ConfigErrorCode, ConfigReloadError } from "@aiq/config-core";

/** Options of {@link readConfigFile}. */
export interface ReadConfigFileOptions {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Abandons the read. */
  signal?: AbortSignal | undefined;
}

/** A read that may be a write cut short: recent, not empty, and not ending with a newline. */
function mayBeCutShort(read: { bytes: Uint8Array; modifiedMs: number }): boolean {
  const { bytes } = read;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a && Date.now() - read.modifiedMs < RECENT_MS;
}

/** The bytes of a file and their UTF-8 text. */
export interface ConfigFileContent {
  bytes: Uint8Array;
  text: string;
}

const CHUNK = 64 * 1024;
// A read that overlaps an in-place write can see part of it: the kernel copies a write into the file
// page by page and the size grows as it goes, so a read reaching the end of the file mid-write gets a
// prefix, cut mid line at a page boundary (a prefix of YAML usually parses). The file's size and
// times right after the read then differ from before it, or its size from what was read: read
// again, this many times at most.
const MAX_READS = 3;
// Unless the writer is preempted in the middle of its copy: then size and times stay still while it
// waits, and match what was read. Such a prefix is cut mid line (at a page boundary), so a read of a
// file modified in the last RECENT_MS that does not end with a newline is trusted only when a second
// read, RECHECK_MS later, finds the same bytes (a file saved without a final newline costs that wait).
const RECENT_MS = 1000;
const RECHECK_MS = 20;

/**
 * Reads a config file whole, bounded in size, and decodes it as strict UTF-8 (a UTF-8 byte order
 * mark is dropped). A file that changed while it was read is read again (a save in progress), and
 * `READ_FAILED` if it keeps changing. Failures are `ConfigReloadError`s naming the file, never its
 * contents: `ENOENT`, `EACCES`, `EISDIR`, `TOO_LARGE`, `ENCODING`, `ABORTED`, `EIO`, `READ_FAILED`.
 */
export async function readConfigFile(path: string, options: ReadConfigFileOptions): Promise<ConfigFileContent> {
  const { maxBytes, signal } = options;
  checkAborted(path, signal);
  let bytes: Uint8Array;
  try {
    // stat first: a directory, a FIFO or a huge file is refused before it is opened.
    const info = await stat(path);
    if (info.isDirectory()) throw readError("EISDIR", path, "is a directory");
    if (!info.isFile()) throw readError("READ_FAILED", path, "is not a regular file");
    if (info.size > maxBytes) throw tooLarge(path, maxBytes);
    let unconfirmed: Uint8Array | undefined;
    let changes = 0;
    for (;;) {
      const whole = await readBounded(path, maxBytes, signal);
      const same = unconfirmed !== undefined && Buffer.from(unconfirmed).equals(whole.bytes);
      if (!whole.changed && (same || !mayBeCutShort(whole))) {
        bytes = whole.bytes;
        break;
      }
      if (whole.changed || unconfirmed !== undefined) {
        if (++changes === MAX_READS)
          throw readError("READ_FAILED", path, `changed while it was read, ${MAX_READS} times (a save in progress?)`);
      }
      unconfirmed = whole.changed ? undefined : whole.bytes;
      if (unconfirmed) await delay(RECHECK_MS, undefined, { signal }).catch(() => checkAborted(path, signal));
    }
  } catch (error) {
    throw error instanceof ConfigReloadError ? error : fromSystemError(error, path);
  }
  return { bytes, text: decodeUtf8(bytes, path) };
}

/**
 * Reads the file to its end, in one system call when it did not grow since it was opened (a read
 * spread over several calls can interleave with a save that truncates and rewrites the file between
 * them: a mix of two saves). `changed`: its size, modification or change time after the read differ
 * from before it, or from what was read; then the bytes may be part of a write.
 */
async function readBounded(
  path: string,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<{ bytes: Uint8Array; changed: boolean; modifiedMs: number }> {
  const handle = await open(path, "r");
  try {
    const before = await handle.stat({ bigint: true });
    // Read at most maxBytes + 1: a file that grew after stat is still caught, and memory stays bounded.
    const limit = maxBytes + 1;
    const chunks: Uint8Array[] = [];
    let total = 0;
    let want = Math.min(limit, Number(before.size) + 1);
    for (;;) {
      checkAborted(path, signal);
      const buffer = new Uint8Array(Math.min(want, limit - total));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(path, maxBytes);
      // Short: the end of the file (a regular file reads short only there). Full: it grew; read on.
      if (bytesRead < buffer.length) break;
      want = CHUNK;
    }
    const after = await handle.stat({ bigint: true });
    const changed =
      after.size !== BigInt(total) || after.mtimeNs !== before.mtimeNs || after.ctimeNs !== before.ctimeNs;
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return { bytes, changed, modifiedMs: Number(after.mtimeNs / 1_000_000n) };
  } finally {
    await handle.close();
  }
}

/**
 * Decodes bytes as UTF-8, refusing anything else: invalid sequences are an error (not U+FFFD), and
 * UTF-16/UTF-32 files (byte order mark, or NUL bytes) get a message saying to save as UTF-8.
 */
export function decodeUtf8(bytes: Uint8Array, path: string): string {
  const [b0, b1, b2, b3] = bytes;
  if ((b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)) {
    throw readError("ENCODING", path, "is UTF-32 (it starts with a UTF-32 byte order mark); save it as UTF-8");
  }
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    const endian = b0 === 0xff ? "UTF-16LE" : "UTF-16BE";
    throw readError("ENCODING", path, `is ${endian} (it starts with a UTF-16 byte order mark); save it as UTF-8`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw readError("ENCODING", path, "is not valid UTF-8; save it as UTF-8", error);
  }
  if (text.includes("\u0000"))
    throw readError("ENCODING", path, "contains NUL characters (UTF-16 without a byte order mark?); save it as UTF-8");
  return text;
}

function checkAborted(path: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(path, signal);
}

/** The error of a read of `path` abandoned through `signal` (code `ABORTED`, the signal's reason as cause). */
export function abortedError(path: string, signal: AbortSignal): ConfigReloadError {
  return new ConfigReloadError("ABORTED", `Reading ${path} was aborted`, { sourceId: path, cause: signal.reason });
}

function tooLarge(path: string, maxBytes: number): ConfigReloadError {
  return readError("TOO_LARGE", path, `is larger than the ${maxBytes}-byte limit (maxBytes)`);
}

function readError(code: ConfigErrorCode, path: string, what: string, cause?: unknown): ConfigReloadError {
  return new ConfigReloadError(code, `Config file ${path} ${what}`, { sourceId: path, cause });
}

const SYSTEM_CODES: Record<string, [ConfigErrorCode, string]> = {
  ENOENT: ["ENOENT", "does not exist"],
  ENOTDIR: ["ENOENT", "does not exist (a parent is not a directory)"],
  EACCES: ["EACCES", "cannot be read: permission denied"],
  EPERM: ["EACCES", "cannot be read: operation not permitted"],
  EISDIR: ["EISDIR", "is a directory"],
  EIO: ["EIO", "cannot be read: I/O error"],
};

function fromSystemError(error: unknown, path: string): ConfigReloadError {
  const systemCode = (error as NodeJS.ErrnoException | undefined)?.code;
  const known =
    systemCode !== undefined && Object.hasOwn(SYSTEM_CODES, systemCode) ? SYSTEM_CODES[systemCode] : undefined;
  const [code, what] = known ?? ["READ_FAILED", `cannot be read (${systemCode ?? "unknown error"})`];
  // The cause is the fs error: it names the path and the system call, never file contents.
  return readError(code, path, what, error);
}
