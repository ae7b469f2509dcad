import * as nodePath from "node:path";
import type { DirectoryEntry } from "./directory-index.js";
import type { DirectoryWatchPool } from "./directory-watch-pool.js";
import { isAtomicSwapEntry } from "./editor-files.js";
import type { FileObservation } from "./observe-file.js";
import type { WatchedFile } from "./watched-file.js";

/** What a followed file resolved to last, and the target entry watched for it. */
interface Followed {
  realpath: string;
  target: DirectoryEntry | undefined;
}

/**
 * How a symlinked config is followed, in one place: a watched path that resolves elsewhere also
 * changes when its target does, so the target's name (in its own directory) is watched for it too,
 * moved when the link is retargeted, and released with the file. Internal.
 */
export class SymlinkFollower {
  readonly #pool: DirectoryWatchPool;
  readonly #followed = new Map<WatchedFile, Followed>();

  constructor(pool: DirectoryWatchPool) {
    this.#pool = pool;
  }

  /**
   * After a look at `file`: watches what it resolves to now, if that changed.
   * @returns a promise of a directory closed, when the previous target's was dropped
   */
  follow(file: WatchedFile, observation: FileObservation): Promise<void> | undefined {
    if (observation.kind !== "file") return undefined;
    const followed = this.#followed.get(file);
    if (observation.realpath === (followed?.realpath ?? file.path)) return undefined;
    const next = symlinkTarget(file.path, observation.realpath, this.#pool.get(file.dir)?.real ?? file.dir);
    this.#followed.set(file, { realpath: observation.realpath, target: next });
    const current = followed?.target;
    if (current?.dir === next?.dir && current?.name === next?.name) return undefined;
    const closing = current ? this.#pool.unwatchTarget(file, current) : undefined;
    if (next) this.#pool.watchTarget(file, next);
    return closing;
  }

  /**
   * Stops watching the file's target (the file is no longer watched).
   * @returns a promise of a directory closed, when the target's was dropped
   */
  release(file: WatchedFile): Promise<void> | undefined {
    const target = this.#followed.get(file)?.target;
    this.#followed.delete(file);
    return target ? this.#pool.unwatchTarget(file, target) : undefined;
  }
}

/**
 * Where to watch for changes to a symlinked file's target: its name in its directory; nothing for a
 * plain file, or for a Kubernetes payload (`..<timestamp>/`) whose `..data` swaps already cover it.
 * @param filePath - the watched path
 * @param realpath - what it resolves to now
 * @param ownDirReal - the real path of the watched path's directory
 * @returns the directory and entry name to also watch, if any
 */
export function symlinkTarget(filePath: string, realpath: string, ownDirReal: string): DirectoryEntry | undefined {
  if (realpath === filePath) return undefined;
  const ownDir = nodePath.dirname(filePath);
  const realDir = nodePath.dirname(realpath);
  const name = nodePath.basename(realpath);
  if (realDir === ownDir || realDir === ownDirReal)
    return name === nodePath.basename(filePath) ? undefined : { dir: ownDir, name };
  const relative = nodePath.relative(ownDirReal, realDir);
  const first = relative.split(nodePath.sep)[0] ?? "";
  if (first !== ".." && !nodePath.isAbsolute(relative) && isAtomicSwapEntry(first)) return undefined;
  return { dir: realDir, name };
}
