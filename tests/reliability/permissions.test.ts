// RELIABILITY.md scenario 35, EACCES: `chmod 000` -> EACCES, retained, `lastError.code === 'EACCES'`;
// `chmod 644` + a save -> recovers. Root reads a 000 file anyway, so as root (CI containers) the
// in-process test cannot fail a read; the same scenario then runs in a child process as the
// unprivileged user `nobody`, against the built packages (dist/, what a user installs), bundled
// into the fixture's directory: `nobody` may not be able to enter the checkout (a clone in a 0700
// `mktemp -d` directory).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { createConfigFixture } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { expectRecovery, expectRetained, fileManager, yamlConfig } from "./helpers.js";

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const loaderDist = fileURLToPath(new URL("../../packages/loader/dist/index.js", import.meta.url));

/** Bundles the built loader with its dependencies into one file at `outfile` (esbuild, through tsup). */
async function bundleLoader(outfile: string): Promise<void> {
  const requireFromRoot = createRequire(new URL("../../package.json", import.meta.url));
  const esbuild: { build(options: object): Promise<unknown> } = requireFromRoot(
    createRequire(requireFromRoot.resolve("tsup")).resolve("esbuild"),
  );
  await esbuild.build({
    entryPoints: [loaderDist],
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
    outfile,
    // Some dependencies are CommonJS and require() Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  await chmod(outfile, 0o644);
}

describe("35 EACCES", () => {
  it.skipIf(isRoot)("chmod 000 -> EACCES, retained; chmod 644 + save -> recovers", async () => {
    await using setup = await fileManager(yamlConfig(1));
    await chmod(setup.file, 0o000);
    await expectRetained(setup.manager, () => setup.manager.reloadConfig(), "EACCES");
    expect(setup.manager.status.lastError?.message).toContain("permission denied");
    await chmod(setup.file, 0o644);
    await expectRecovery(setup, 2);
  });

  it.runIf(isRoot && existsSync(loaderDist))(
    "as root: the same scenario as the unprivileged user nobody, in a child process on the built packages",
    async () => {
      await using fixture = await createConfigFixture();
      // The child (uid nobody) creates and owns the file; it cannot read it once it is 000.
      await chmod(fixture.dir, 0o777);
      const file = fixture.path("config.yml");
      const loader = fixture.path("loader.mjs");
      await bundleLoader(loader);
      const script = `
        import { createConfigManager } from ${JSON.stringify(pathToFileURL(loader).href)};
        import { chmod, writeFile } from "node:fs/promises";
        const file = ${JSON.stringify(file)};
        const yaml = (counter) => "name: reliability\\ncounter: " + counter + "\\nend: true\\n";
        const schema = { "~standard": { version: 1, vendor: "test", validate: (value) => ({ value }) } };
        const logger = { debug() {}, info() {}, warn() {}, error() {} };
        await writeFile(file, yaml(1));
        const manager = await createConfigManager(file, { schema, logger });
        const before = { config: manager.currentConfig, version: manager.status.version, snapshots: manager.getSnapshots().length };
        await chmod(file, 0o000);
        const error = await manager.reloadConfig().then(() => undefined, (e) => e);
        const failed = {
          code: error?.code,
          name: error?.name,
          sameConfig: manager.currentConfig === before.config,
          version: manager.status.version,
          snapshots: manager.getSnapshots().length,
          lastError: manager.status.lastError?.code,
        };
        await chmod(file, 0o644);
        await writeFile(file, yaml(2));
        const recovered = await manager.reloadConfig();
        const after = { counter: recovered.counter, version: manager.status.version, lastError: manager.status.lastError ?? null };
        await manager.close();
        console.log(JSON.stringify({ uid: process.getuid(), before: { version: before.version, snapshots: before.snapshots }, failed, after }));
      `;
      const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
        uid: NOBODY,
        gid: NOBODY,
        cwd: fixture.dir,
        env: { PATH: process.env.PATH ?? "" },
      });
      const result = JSON.parse(stdout);
      expect(result).toEqual({
        uid: NOBODY,
        before: { version: 1, snapshots: 1 },
        failed: {
          code: "EACCES",
          name: "ConfigReloadError",
          sameConfig: true,
          version: 1,
          snapshots: 1,
          lastError: "EACCES",
        },
        after: { counter: 2, version: 2, lastError: null },
      });
    },
  );
});
