import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { replaceSymlink, type SaveOptions, saveFile } from "./save-modes.js";

/** Options of {@link createConfigFixture}. */
export interface ConfigFixtureOptions {
  /**
   * Files to write (in place) before the fixture is returned: relative name to content; parent directories are created.
   * @default {}
   */
  files?: Record<string, string>;
}

/** A fresh temporary directory holding config files, with saves that replay real editors. */
export interface ConfigFixture extends AsyncDisposable {
  /** The absolute path of the temporary directory. */
  readonly dir: string;
  /**
   * Resolves a name relative to the fixture directory.
   * @param name - a relative path such as `config.yml` or `base/llms.yml`
   * @returns the absolute path; throws if `name` would leave the directory
   */
  path(name: string): string;
  /**
   * Saves `content` to `name` the way `options.as` does it on disk.
   * @param name - the relative file name
   * @param content - the new text of the file
   * @param options - the save mode (default `in-place`) and its tuning
   * @returns once the whole save sequence is on disk
   * @example await fixture.save("config.yml", "llms: {}\n", { as: "vim" });
   */
  save(name: string, content: string, options?: SaveOptions): Promise<void>;
  /**
   * Reads a file of the fixture as UTF-8 (following symlinks).
   * @param name - the relative file name
   * @returns its text
   */
  read(name: string): Promise<string>;
  /**
   * Deletes a file, symlink or directory of the fixture (`rm -rf`); a missing one is fine.
   * @param name - the relative name
   */
  remove(name: string): Promise<void>;
  /**
   * Changes the permissions of a file of the fixture.
   * @param name - the relative name
   * @param mode - e.g. `0o000` to make a read fail with EACCES (not as root), `0o644` to restore
   */
  chmod(name: string, mode: number): Promise<void>;
  /**
   * Creates a directory (and its parents) in the fixture; an existing one is fine.
   * @param name - the relative name
   */
  mkdir(name: string): Promise<void>;
  /**
   * Points the symlink `name` at `target`, like `ln -sfn target name`, atomically (temporary link + rename).
   * @param target - stored verbatim: relative to the link's directory, or absolute
   * @param name - the relative name of the link
   */
  symlink(target: string, name: string): Promise<void>;
  /** Removes the directory and everything in it; idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a fresh temporary directory (`aiq-config-*` under `os.tmpdir()`) with the given files.
 * @param options - the files to write first
 * @returns the fixture; `await using` or `close()` removes it
 * @example
 * await using fixture = await createConfigFixture({ files: { "config.yml": "llms: {}\n" } });
 * await fixture.save("config.yml", "llms: { a: {} }\n", { as: "atomic-rename" });
 */
export async function createConfigFixture(options: ConfigFixtureOptions = {}): Promise<ConfigFixture> {
  // realpath: on macOS tmpdir() is a symlink (/var -> /private/var) and watchers report real paths.
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "aiq-config-")));
  let closing: Promise<void> | undefined;

  const resolve = (name: string): string => {
    const resolved = path.resolve(dir, name);
    const relative = path.relative(dir, resolved);
    // `..data` (Kubernetes) is a fine name; only a `..` segment leaves the directory.
    if (relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw new Error(`Fixture path ${JSON.stringify(name)} leaves the fixture directory ${dir}.`);
    }
    return resolved;
  };
  const open = (name: string): string => {
    if (closing) throw new Error(`The config fixture ${dir} is closed; create a new one.`);
    return resolve(name);
  };

  const fixture: ConfigFixture = {
    dir,
    path: resolve,
    // async everywhere, so a bad name or a closed fixture rejects instead of throwing synchronously.
    save: async (name, content, saveOptions) => saveFile(open(name), content, saveOptions),
    read: async (name) => fs.readFile(open(name), "utf8"),
    remove: async (name) => fs.rm(open(name), { recursive: true, force: true }),
    chmod: async (name, mode) => fs.chmod(open(name), mode),
    mkdir: async (name) => {
      await fs.mkdir(open(name), { recursive: true });
    },
    symlink: async (target, name) => replaceSymlink(target, open(name)),
    close: () => {
      closing ??= removeDirectory(dir);
      return closing;
    },
    [Symbol.asyncDispose]: () => fixture.close(),
  };

  try {
    for (const [name, content] of Object.entries(options.files ?? {})) {
      const file = resolve(name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, content);
    }
  } catch (error) {
    await fixture.close();
    throw error;
  }
  return fixture;
}

async function removeDirectory(dir: string): Promise<void> {
  try {
    await fs.rm(dir, { recursive: true, force: true });
  } catch {
    // A test may have left a directory unreadable (chmod 000); give it back and try again.
    await restorePermissions(dir);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function restorePermissions(dir: string): Promise<void> {
  await fs.chmod(dir, 0o700).catch(() => undefined);
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await restorePermissions(path.join(dir, entry.name));
  }
}
