import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";

/**
 * How a save reaches the disk: each mode replays what that kind of client really does.
 *
 * - `in-place`: `fs.writeFile` (most programs, `echo > file`).
 * - `atomic-rename`: write `<name>.tmp-<random>` beside it, then `rename` it over the file.
 * - `truncate-then-write`: open with `w`, leave the empty file visible for `gapMs`, then write (VS Code).
 * - `vim`: vim with `backupcopy=no`: rename to `<name>~`, write a new `<name>`, delete `<name>~`.
 * - `jetbrains`: JetBrains safe write with `___jb_tmp___` and `___jb_old___` files.
 * - `kubernetes`: a ConfigMap volume: `<name> -> ..data/<name>`, `..data -> ..<timestamp>`, swapped atomically.
 */
export type SaveMode = "in-place" | "atomic-rename" | "truncate-then-write" | "vim" | "jetbrains" | "kubernetes";

/** Options of one save. */
export interface SaveOptions {
  /**
   * The client whose save sequence is replayed.
   * @default "in-place"
   */
  as?: SaveMode;
  /**
   * How long `truncate-then-write` leaves the empty file visible, in milliseconds.
   * @default 30
   */
  gapMs?: number;
}

/** The save modes, in the order of {@link SaveMode}; handy for `it.each`. */
export const SAVE_MODES: readonly SaveMode[] = Object.freeze([
  "in-place",
  "atomic-rename",
  "truncate-then-write",
  "vim",
  "jetbrains",
  "kubernetes",
]);

const DEFAULT_GAP_MS = 30;

const randomSuffix = (): string => randomBytes(4).toString("hex");

const exists = async (file: string): Promise<boolean> => {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
};

/** Writes `content` to the absolute `file` the way `options.as` does (internal; the fixture exposes it). */
export async function saveFile(file: string, content: string, options: SaveOptions = {}): Promise<void> {
  const mode = options.as ?? "in-place";
  switch (mode) {
    case "in-place":
      return fs.writeFile(file, content);
    case "atomic-rename":
      return saveAtomicRename(file, content);
    case "truncate-then-write":
      return saveTruncateThenWrite(file, content, options.gapMs ?? DEFAULT_GAP_MS);
    case "vim":
      return saveVim(file, content);
    case "jetbrains":
      return saveJetBrains(file, content);
    case "kubernetes":
      return saveKubernetes(file, content);
    default:
      throw new Error(`Unknown save mode ${JSON.stringify(mode)}; expected one of ${SAVE_MODES.join(", ")}.`);
  }
}

async function saveAtomicRename(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${randomSuffix()}`;
  await fs.writeFile(tmp, content);
  await fs.rename(tmp, file);
}

async function saveTruncateThenWrite(file: string, content: string, gapMs: number): Promise<void> {
  const handle = await fs.open(file, "w");
  try {
    // The gap is the point: a watcher may see (and read) the empty file before the content lands.
    await delay(gapMs);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

async function saveVim(file: string, content: string): Promise<void> {
  const backup = `${file}~`;
  const hadFile = await exists(file);
  if (hadFile) await fs.rename(file, backup);
  await fs.writeFile(file, content);
  if (hadFile) await fs.unlink(backup);
}

async function saveJetBrains(file: string, content: string): Promise<void> {
  const tmp = `${file}___jb_tmp___`;
  const old = `${file}___jb_old___`;
  await fs.writeFile(tmp, content);
  const hadFile = await exists(file);
  if (hadFile) await fs.rename(file, old);
  await fs.rename(tmp, file);
  if (hadFile) await fs.unlink(old);
}

/** `ln -sfn target link`, atomically: a temporary link renamed over `link`. */
export async function replaceSymlink(target: string, link: string): Promise<void> {
  const tmp = `${link}.tmp-link-${randomSuffix()}`;
  await fs.symlink(target, tmp);
  try {
    await fs.rename(tmp, link);
  } catch (error) {
    await fs.unlink(tmp).catch(() => undefined);
    throw error;
  }
}

// kubelet names its payload directories `..<UTC timestamp>.<random>` (atomic_writer.go).
const timestampDirName = (): string => {
  const iso = new Date().toISOString(); // 2024-01-02T03:04:05.678Z
  const stamp = iso.slice(0, 19).replace(/[-T:]/g, "_");
  return `..${stamp}.${randomBytes(4).readUInt32BE(0)}`;
};

async function saveKubernetes(file: string, content: string): Promise<void> {
  const mount = path.dirname(file);
  const name = path.basename(file);
  const dataLink = path.join(mount, "..data");

  let previous: string | undefined;
  try {
    previous = await fs.readlink(dataLink);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }

  // 1. A new payload directory: the previous payload with this one file replaced.
  const next = timestampDirName();
  const nextDir = path.join(mount, next);
  if (previous !== undefined) {
    await fs.cp(path.resolve(mount, previous), nextDir, { recursive: true, verbatimSymlinks: true });
  } else {
    await fs.mkdir(nextDir);
  }
  await fs.writeFile(path.join(nextDir, name), content);

  // 2. `ln -sfn <next> ..data_tmp && mv -T ..data_tmp ..data`: the one atomic step readers see.
  const dataTmp = path.join(mount, "..data_tmp");
  await fs.rm(dataTmp, { force: true });
  await fs.symlink(next, dataTmp);
  await fs.rename(dataTmp, dataLink);

  // 3. The user-visible link, created once; a regular file there is replaced atomically.
  const linkTarget = path.join("..data", name);
  let current: string | undefined;
  try {
    current = await fs.readlink(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EINVAL: a regular file (or directory) is in the way.
    if (code !== "ENOENT" && code !== "EINVAL") throw error;
  }
  if (current !== linkTarget) await replaceSymlink(linkTarget, file);

  // 4. The old payload goes last, so a reader following the old `..data` never hits a hole mid-swap.
  if (previous !== undefined && previous !== next) {
    await fs.rm(path.resolve(mount, previous), { recursive: true, force: true });
  }
}
