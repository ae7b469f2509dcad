import * as nodePath from "node:path";
import type { FSWatcher } from "chokidar";
import type { RawEventDetails } from "./chokidar-internals.js";
import { isAtomicSwapEntry, isEditorTempFile } from "./editor-files.js";
import type { WatchedFile } from "./watched-file.js";

/** A name in a directory: what a symlinked file's target is watched by. */
export interface DirectoryEntry {
  dir: string;
  name: string;
}

/** One directory chokidar watches for the files in (or linked from) it, and its watch's state. Internal. */
export interface DirectoryWatch {
  readonly path: string;
  /** The files whose parent directory this is: a `..data` swap here concerns them all. */
  readonly ownFiles: Set<WatchedFile>;
  /** Entry name -> the files an event on it concerns (the file itself, a symlink's target). */
  readonly names: Map<string, Set<WatchedFile>>;
  state: "starting" | "watching" | "missing" | "dropped";
  /** Bumped on every (re)start or stop, so that a stale start gives up. */
  epoch: number;
  /** Its own chokidar instance, while it is watched (or being started). */
  fsw?: FSWatcher | undefined;
  /** Its real path, to recognise a symlink target in it. */
  real?: string;
  /** Its identity when watching started (ext4 reuses a deleted directory's inode number at once). */
  ino?: number;
  dev?: number;
  birth?: number;
  /** An event said the directory itself went away: start over even if it is back. */
  suspect: boolean;
  presence?: NodeJS.Timeout | undefined;
  validating?: Promise<void> | undefined;
}

/** What adding an entry to the index did: the directory, and whether it is new (to be started). */
export interface Added {
  dir: DirectoryWatch;
  created: boolean;
}

/**
 * Which directories to watch and which files an event on a path concerns: the watched names in
 * each directory, plus Kubernetes' `..data` entries. Pure bookkeeping; no file system. Internal.
 */
export class DirectoryIndex {
  readonly #dirs = new Map<string, DirectoryWatch>();

  get(path: string): DirectoryWatch | undefined {
    return this.#dirs.get(path);
  }

  values(): IterableIterator<DirectoryWatch> {
    return this.#dirs.values();
  }

  /** Makes events on the file's own name, and on `..data` swaps in its directory, concern it. */
  addFile(file: WatchedFile): Added {
    const added = this.#addEntry({ dir: file.dir, name: file.name }, file);
    added.dir.ownFiles.add(file);
    return added;
  }

  /** Makes events on `target` (a symlinked file's target) concern `file`. */
  addTarget(file: WatchedFile, target: DirectoryEntry): Added {
    return this.#addEntry(target, file);
  }

  /**
   * Undoes {@link addFile}.
   * @returns the directory when nothing is left to watch in it (it was removed from the index)
   */
  removeFile(file: WatchedFile): DirectoryWatch | undefined {
    this.#dirs.get(file.dir)?.ownFiles.delete(file);
    return this.#removeEntry({ dir: file.dir, name: file.name }, file);
  }

  /**
   * Undoes {@link addTarget}.
   * @returns the directory when nothing is left to watch in it (it was removed from the index)
   */
  removeTarget(file: WatchedFile, target: DirectoryEntry): DirectoryWatch | undefined {
    return this.#removeEntry(target, file);
  }

  #addEntry(entry: DirectoryEntry, file: WatchedFile): Added {
    let dir = this.#dirs.get(entry.dir);
    const created = dir === undefined;
    if (!dir) {
      dir = { path: entry.dir, ownFiles: new Set(), names: new Map(), state: "starting", epoch: 0, suspect: false };
      this.#dirs.set(entry.dir, dir);
    }
    const files = dir.names.get(entry.name) ?? new Set<WatchedFile>();
    dir.names.set(entry.name, files);
    files.add(file);
    return { dir, created };
  }

  #removeEntry(entry: DirectoryEntry, file: WatchedFile): DirectoryWatch | undefined {
    const dir = this.#dirs.get(entry.dir);
    if (!dir) return undefined;
    const files = dir.names.get(entry.name);
    files?.delete(file);
    if (files?.size === 0) dir.names.delete(entry.name);
    if (dir.names.size > 0 || dir.ownFiles.size > 0) return undefined;
    this.#dirs.delete(entry.dir);
    return dir;
  }

  /** Every file an event in `dir` may concern. */
  filesOf(dir: DirectoryWatch): Set<WatchedFile> {
    const files = new Set(dir.ownFiles);
    for (const set of dir.names.values()) for (const file of set) files.add(file);
    return files;
  }

  /** Whether chokidar should watch `path` at all (everything else in the directories is ignored). */
  isRelevant(path: string): boolean {
    if (this.#dirs.has(path)) return true;
    const dir = this.#dirs.get(nodePath.dirname(path));
    if (!dir) return false;
    const name = nodePath.basename(path);
    return dir.names.has(name) || (dir.ownFiles.size > 0 && isAtomicSwapEntry(name));
  }

  /**
   * The files a chokidar event concerns; `unlinkDir` of a watched directory marks it suspect.
   * @param event - chokidar's event name (`add`, `change`, `unlink`, `addDir`, `unlinkDir`)
   * @param path - the full path it is about
   */
  routeEvent(event: string, path: string): Iterable<WatchedFile> {
    if (event === "unlinkDir") this.#suspect(path, undefined);
    return this.concerned(path);
  }

  /**
   * The files a chokidar `raw` event concerns (raw events are not subject to its 50 ms `change`
   * throttle). Native: `(entry name, { watchedPath })`, where an event under the directory's own
   * name is the directory itself going away; polling: `(full path, { curr, prev })`.
   */
  routeRaw(path: string | null | undefined, details: RawEventDetails): Iterable<WatchedFile> {
    const { watchedPath, curr } = details;
    if (typeof watchedPath === "string") {
      const dir = this.#dirs.get(watchedPath);
      if (!dir) return this.concerned(watchedPath); // not a directory of ours (an instance being replaced)
      if (!path || path === nodePath.basename(watchedPath)) {
        // The directory itself moved or went away: every file in it looks (and finds it gone).
        this.#suspect(watchedPath, undefined);
        return this.filesOf(dir);
      }
      return this.concerned(nodePath.join(watchedPath, path));
    }
    if (typeof path !== "string") return [];
    this.#suspect(path, curr);
    return this.concerned(path);
  }

  // The directory itself may have been deleted or replaced: its next check starts it over.
  #suspect(path: string, now: RawEventDetails["curr"]): void {
    const dir = this.#dirs.get(path);
    if (dir?.state !== "watching") return;
    if (!now || now.mtimeMs === 0 || now.ino !== dir.ino || now.birthtimeMs !== dir.birth) dir.suspect = true;
  }

  /** The files an event on `path` concerns. */
  concerned(path: string): Iterable<WatchedFile> {
    const asDir = this.#dirs.get(path);
    if (asDir) return this.filesOf(asDir);
    const dir = this.#dirs.get(nodePath.dirname(path));
    if (!dir) return [];
    const name = nodePath.basename(path);
    const files = dir.names.get(name);
    if (files) return files;
    // `..data` swapped (Kubernetes): every file of the directory may now read differently.
    if (isAtomicSwapEntry(name) && !isEditorTempFile(name)) return dir.ownFiles;
    return [];
  }
}
