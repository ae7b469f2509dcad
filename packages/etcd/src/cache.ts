import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, rm, writeFile } from "node:fs/promises";
import type { Logger } from "@aiq/config-core";

/** What the cache file holds: the last applied value of one key, raw (placeholders unresolved). */
export interface CacheEntry {
  key: string;
  clusterId: string;
  revision: string;
  value: string;
}

const FORMAT = "aiq-config-etcd-cache/1";

/**
 * Reads the cache file for `key`. A missing file is silently nothing; a corrupt one, or one written
 * for another key, is ignored with a warning (never trusted, never deleted).
 */
export async function readCache(file: string, key: string, logger: Logger): Promise<CacheEntry | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      logger.warn(`etcd cache file ${file} cannot be read (${(error as Error).message}); ignored`);
    return undefined;
  }
  let entry: Partial<CacheEntry> & { format?: unknown };
  try {
    entry = JSON.parse(text) as typeof entry;
  } catch {
    logger.warn(`etcd cache file ${file} is corrupt (not JSON); ignored`);
    return undefined;
  }
  const { key: storedKey, clusterId, revision, value } = entry ?? {};
  if (
    entry?.format !== FORMAT ||
    typeof storedKey !== "string" ||
    typeof clusterId !== "string" ||
    typeof revision !== "string" ||
    typeof value !== "string"
  ) {
    logger.warn(`etcd cache file ${file} is not an aiq-config etcd cache (format ${FORMAT}); ignored`);
    return undefined;
  }
  if (storedKey !== key) {
    logger.warn(`etcd cache file ${file} holds key ${storedKey}, not ${key}; ignored`);
    return undefined;
  }
  return { key, clusterId, revision, value };
}

/** Writes the cache file atomically (a temporary file renamed over it), readable by its owner only (0600). */
export async function writeCache(file: string, entry: CacheEntry): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify({ format: FORMAT, ...entry }), { mode: 0o600 });
    await chmod(temporary, 0o600); // whatever the umask
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
