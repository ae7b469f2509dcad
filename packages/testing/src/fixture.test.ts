import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ConfigFixture, createConfigFixture } from "./fixture.js";
import { SAVE_MODES, type SaveMode } from "./save-modes.js";
import { waitFor } from "./wait.js";

const fixtures: ConfigFixture[] = [];
const open = async (files?: Record<string, string>): Promise<ConfigFixture> => {
  const fixture = await createConfigFixture(files ? { files } : {});
  fixtures.push(fixture);
  return fixture;
};
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

const list = async (dir: string): Promise<string[]> => (await fs.readdir(dir)).sort();
const inode = async (file: string): Promise<number> => (await fs.stat(file)).ino;

describe("createConfigFixture", () => {
  it("creates a fresh aiq-config-* directory under the temp dir with the given files", async () => {
    const fixture = await open({ "config.yml": "a: 1\n", "base/llms.yml": "llms: {}\n" });
    expect(path.basename(fixture.dir)).toMatch(/^aiq-config-/);
    expect(fixture.dir.startsWith(await fs.realpath(os.tmpdir()))).toBe(true);
    expect(await fs.readFile(path.join(fixture.dir, "config.yml"), "utf8")).toBe("a: 1\n");
    expect(await fixture.read("base/llms.yml")).toBe("llms: {}\n");
    expect(fixture.path("config.yml")).toBe(path.join(fixture.dir, "config.yml"));
    expect(path.isAbsolute(fixture.path("x"))).toBe(true);
  });

  it("gives each fixture its own directory", async () => {
    const [a, b] = [await open(), await open()];
    expect(a.dir).not.toBe(b.dir);
  });

  it("refuses names that leave the directory", async () => {
    const fixture = await open();
    expect(() => fixture.path("../escape.yml")).toThrow(/leaves the fixture directory/);
    expect(() => fixture.path("/etc/passwd")).toThrow(/leaves the fixture directory/);
    await expect(fixture.save("../x.yml", "a")).rejects.toThrow(/leaves the fixture directory/);
  });

  it("close() removes the directory, is idempotent and works with await using", async () => {
    const fixture = await createConfigFixture({ files: { "config.yml": "a: 1\n" } });
    await fixture.close();
    expect(existsSync(fixture.dir)).toBe(false);
    await fixture.close();
    await expect(fixture.save("config.yml", "b")).rejects.toThrow(/closed/);

    let dir = "";
    {
      await using scoped = await createConfigFixture();
      dir = scoped.dir;
      expect(existsSync(dir)).toBe(true);
    }
    expect(existsSync(dir)).toBe(false);
  });

  it("close() also removes a directory a test made unreadable", async () => {
    const fixture = await createConfigFixture({ files: { "locked/config.yml": "a: 1\n" } });
    await fixture.chmod("locked", 0o000);
    await fixture.close();
    expect(existsSync(fixture.dir)).toBe(false);
  });

  it("read, remove, chmod and mkdir act on the fixture's files", async () => {
    const fixture = await open({ "config.yml": "a: 1\n" });
    await fixture.chmod("config.yml", 0o600);
    expect((await fs.stat(fixture.path("config.yml"))).mode & 0o777).toBe(0o600);
    await fixture.mkdir("nested/deeper");
    expect((await fs.stat(fixture.path("nested/deeper"))).isDirectory()).toBe(true);
    await fixture.mkdir("nested/deeper");
    await fixture.remove("config.yml");
    await fixture.remove("config.yml");
    await fixture.remove("nested");
    expect(await list(fixture.dir)).toEqual([]);
  });

  it("symlink() retargets like ln -sfn, leaving no temporary link", async () => {
    const fixture = await open({ "a.yml": "a: 1\n", "b.yml": "b: 2\n" });
    await fixture.symlink("a.yml", "config.yml");
    expect(await fs.readlink(fixture.path("config.yml"))).toBe("a.yml");
    expect(await fixture.read("config.yml")).toBe("a: 1\n");
    await fixture.symlink("b.yml", "config.yml");
    expect(await fs.readlink(fixture.path("config.yml"))).toBe("b.yml");
    expect(await fixture.read("config.yml")).toBe("b: 2\n");
    expect(await list(fixture.dir)).toEqual(["a.yml", "b.yml", "config.yml"]);
  });
});

describe("save modes on disk", () => {
  const fileModes = SAVE_MODES.filter((mode) => mode !== "kubernetes");

  it.each(fileModes)("%s: replaces the content and leaves only the file", async (mode) => {
    const fixture = await open({ "config.yml": "version: 1\n", "other.yml": "x: 1\n" });
    await fixture.save("config.yml", "version: 2\n", { as: mode });
    expect(await fixture.read("config.yml")).toBe("version: 2\n");
    expect((await fs.lstat(fixture.path("config.yml"))).isFile()).toBe(true);
    expect(await list(fixture.dir)).toEqual(["config.yml", "other.yml"]);
    await fixture.save("config.yml", "version: 3\n", { as: mode });
    expect(await fixture.read("config.yml")).toBe("version: 3\n");
    expect(await list(fixture.dir)).toEqual(["config.yml", "other.yml"]);
  });

  it.each(fileModes)("%s: creates a file that does not exist yet", async (mode) => {
    const fixture = await open();
    await fixture.save("config.yml", "a: 1\n", { as: mode });
    expect(await fixture.read("config.yml")).toBe("a: 1\n");
    expect(await list(fixture.dir)).toEqual(["config.yml"]);
  });

  it("in-place and truncate-then-write keep the inode; rename-based saves replace it", async () => {
    const expected: Record<Exclude<SaveMode, "kubernetes">, boolean> = {
      "in-place": true,
      "truncate-then-write": true,
      "atomic-rename": false,
      vim: false,
      jetbrains: false,
    };
    for (const [mode, keeps] of Object.entries(expected)) {
      const fixture = await open({ "config.yml": "a: 1\n" });
      const before = await inode(fixture.path("config.yml"));
      await fixture.save("config.yml", "a: 2\n", { as: mode as SaveMode });
      expect((await inode(fixture.path("config.yml"))) === before, mode).toBe(keeps);
    }
  });

  it("truncate-then-write leaves the file empty for the gap", async () => {
    const fixture = await open({ "config.yml": "version: 1\n" });
    const file = fixture.path("config.yml");
    const saving = fixture.save("config.yml", "version: 2\n", { as: "truncate-then-write", gapMs: 150 });
    await waitFor(async () => (await fs.stat(file)).size === 0, { message: "the file was never seen empty" });
    await saving;
    expect(await fixture.read("config.yml")).toBe("version: 2\n");
  });

  it("defaults to in-place", async () => {
    const fixture = await open({ "config.yml": "a: 1\n" });
    const before = await inode(fixture.path("config.yml"));
    await fixture.save("config.yml", "a: 2\n");
    expect(await inode(fixture.path("config.yml"))).toBe(before);
    expect(await fixture.read("config.yml")).toBe("a: 2\n");
  });

  it("rejects an unknown mode with the list of modes", async () => {
    const fixture = await open();
    await expect(fixture.save("config.yml", "a", { as: "emacs" as SaveMode })).rejects.toThrow(
      /Unknown save mode "emacs"; expected one of in-place, atomic-rename/,
    );
  });
});

describe("kubernetes save mode", () => {
  const layout = async (fixture: ConfigFixture): Promise<{ payloads: string[]; data: string; entries: string[] }> => {
    const entries = await list(fixture.dir);
    const payloads = entries.filter((entry) => /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/.test(entry));
    return { payloads, data: await fs.readlink(fixture.path("..data")), entries };
  };

  it("creates the ConfigMap layout on the first save", async () => {
    const fixture = await open();
    await fixture.save("config.yml", "version: 1\n", { as: "kubernetes" });
    const { payloads, data, entries } = await layout(fixture);
    expect(payloads).toHaveLength(1);
    expect(data).toBe(payloads[0]);
    expect(entries).toEqual([...payloads, "..data", "config.yml"].sort());
    expect(await fs.readlink(fixture.path("config.yml"))).toBe(path.join("..data", "config.yml"));
    expect(await fixture.read("config.yml")).toBe("version: 1\n");
    expect(await fs.realpath(fixture.path("config.yml"))).toBe(path.join(fixture.dir, data, "config.yml"));
  });

  it("swaps ..data to a new payload on each save and removes the old one", async () => {
    const fixture = await open();
    await fixture.save("config.yml", "version: 1\n", { as: "kubernetes" });
    const seen = new Set<string>();
    for (const version of [2, 3, 4]) {
      const before = (await layout(fixture)).data;
      seen.add(before);
      await fixture.save("config.yml", `version: ${version}\n`, { as: "kubernetes" });
      const after = await layout(fixture);
      expect(after.data).not.toBe(before);
      expect(seen.has(after.data)).toBe(false);
      expect(after.payloads).toEqual([after.data]);
      expect(after.entries).toEqual([after.data, "..data", "config.yml"].sort());
      expect(await fixture.read("config.yml")).toBe(`version: ${version}\n`);
      expect(await fs.readlink(fixture.path("config.yml"))).toBe(path.join("..data", "config.yml"));
    }
  });

  it("keeps the other keys of the ConfigMap across saves", async () => {
    const fixture = await open();
    await fixture.save("config.yml", "version: 1\n", { as: "kubernetes" });
    await fixture.save("base.yml", "base: 1\n", { as: "kubernetes" });
    await fixture.save("config.yml", "version: 2\n", { as: "kubernetes" });
    const { data, entries } = await layout(fixture);
    expect(entries).toEqual([data, "..data", "base.yml", "config.yml"].sort());
    expect(await list(path.join(fixture.dir, data))).toEqual(["base.yml", "config.yml"]);
    expect(await fixture.read("base.yml")).toBe("base: 1\n");
    expect(await fixture.read("config.yml")).toBe("version: 2\n");
  });

  it("replaces a regular file with the symlink layout", async () => {
    const fixture = await open({ "config.yml": "plain: true\n" });
    await fixture.save("config.yml", "version: 1\n", { as: "kubernetes" });
    expect((await fs.lstat(fixture.path("config.yml"))).isSymbolicLink()).toBe(true);
    expect(await fixture.read("config.yml")).toBe("version: 1\n");
    expect((await layout(fixture)).entries).toHaveLength(3);
  });

  it("works in a subdirectory (the mount point is the file's directory)", async () => {
    const fixture = await open();
    await fixture.mkdir("mount");
    await fixture.save("mount/config.yml", "version: 1\n", { as: "kubernetes" });
    await fixture.save("mount/config.yml", "version: 2\n", { as: "kubernetes" });
    expect(await fixture.read("mount/config.yml")).toBe("version: 2\n");
    expect(await list(fixture.dir)).toEqual(["mount"]);
    expect(await list(fixture.path("mount"))).toHaveLength(3);
  });
});
