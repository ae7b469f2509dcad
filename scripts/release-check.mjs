// The whole release path through a real registry (`pnpm release:check`, run by .ci/run):
//  1. copy the workspace (tracked and untracked, not ignored files) into a temp dir, install
//     offline, commit it on `main` in a fresh git repo;
//  2. `pnpm version-packages`, commit; `pnpm changeset status` must then have nothing to release,
//     and every public package has a CHANGELOG.md entry for its new version;
//  3. start Verdaccio on a free loopback port with a temp storage and `pnpm release` to it, with a
//     temp npmrc (the user's ~/.npmrc is never read or written);
//  4. every public package is in the registry at its new version and no `workspace:` range reached
//     a published manifest;
//  5. in a fresh temp project, `npm i` the five user-facing packages by name from that registry,
//     type-check the README's TypeScript example with tsc, run it, and `npx aiq-config --help`.
// Any failing step fails the check (exit 1) and says which step. Every process started here is
// awaited or, for the registry, stopped by its pid; the temp dir is removed (AIQ_RELEASE_KEEP=1 keeps it).
import { spawn } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const INSTALL = [
  "@aiq/config-core",
  "@aiq/config-loader",
  "@aiq/config-watcher",
  "@aiq/config-cli",
  "@aiq/config-testing",
];
// Only a safety net: on a loaded 2-core machine the build alone has taken 90 s.
const STEP_TIMEOUT_MS = 600_000;
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), "aiq-release-"));
const copy = join(work, "repo");
const app = join(work, "app");
const tsc = join(root, "node_modules/typescript/bin/tsc");
let registry;

const log = (line) => console.log(`[release-check ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

/**
 * Runs a command to its end in a process group of its own; rejects with its output on a non-zero exit,
 * or after the timeout, when the whole group (turbo, tsup, npm's children) is killed by its id.
 */
function run(command, args, { cwd, env = process.env, timeout = STEP_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const stdout = [];
    const stderr = [];
    child.stdout.on("data", (chunk) => stdout.push(chunk));
    child.stderr.on("data", (chunk) => stderr.push(chunk));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, timeout);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(" ")} (in ${cwd}) did not start: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString();
      if (code === 0 && !killed) return resolve(out);
      const how = killed ? `was killed after ${timeout} ms` : `exited with ${code ?? signal}`;
      reject(new Error(`${command} ${args.join(" ")} (in ${cwd}) ${how}:\n${out}${Buffer.concat(stderr)}`));
    });
  });
}

async function step(name, action) {
  log(name);
  try {
    return await action();
  } catch (error) {
    throw new Error(`step "${name}" failed:\n${error instanceof Error ? error.message : String(error)}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const git = (args) =>
  run(
    "git",
    [
      "-c",
      "user.name=release-check",
      "-c",
      "user.email=release-check@localhost",
      "-c",
      "commit.gpgsign=false",
      ...args,
    ],
    { cwd: copy },
  );

async function copyWorkspace() {
  const listed = (
    await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root })
  ).split("\0");
  for (const file of listed) {
    const from = join(root, file);
    if (file === "" || !existsSync(from) || lstatSync(from).isDirectory()) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(from, join(copy, file), { verbatimSymlinks: true });
  }
}

/** The workspace's public packages (name, version, dir), from pnpm itself: new packages join without a change here. */
async function publicPackages() {
  const listed = JSON.parse(await run("pnpm", ["ls", "-r", "--depth", "-1", "--json"], { cwd: copy }));
  return listed
    .filter((pkg) => pkg.private !== true && pkg.path !== copy)
    .map(({ name, version, path }) => ({ name, version, path }));
}

async function startRegistry() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const dir = join(work, "verdaccio");
  mkdirSync(dir);
  // Only @aiq/* lives here, published by anyone; everything else comes from the usual registry.
  writeFileSync(
    join(dir, "config.yaml"),
    [
      `storage: ${join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "    max_users: -1",
      "uplinks: {}",
      "packages:",
      "  '@aiq/*':",
      "    access: $all",
      "    publish: $all",
      "    unpublish: $all",
      "web:",
      "  enable: false",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  const output = [];
  const child = spawn(
    join(root, "node_modules/.bin/verdaccio"),
    ["--config", join(dir, "config.yaml"), "--listen", `127.0.0.1:${port}`],
    {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout.on("data", (chunk) => output.push(chunk));
  child.stderr.on("data", (chunk) => output.push(chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  registry = { url, child, exited, output };
  // Ready when it answers its ping; an early exit or the deadline fails the step.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}:\n${Buffer.concat(output)}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) return registry;
    } catch {
      // not listening yet
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  throw new Error(`verdaccio did not answer on ${url} within 60 s:\n${Buffer.concat(output)}`);
}

async function stopRegistry() {
  if (!registry || registry.child.exitCode !== null) return;
  try {
    process.kill(-registry.child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-registry.child.pid, "SIGKILL");
    } catch {}
  }, 5_000);
  await registry.exited;
  clearTimeout(timer);
}

/** A temp npmrc: the registry the user normally installs from, @aiq/* from the local one, a token for it. */
async function npmEnv(url) {
  const usual = (await run("npm", ["config", "get", "registry"], { cwd: work })).trim();
  const npmrc = join(work, "npmrc");
  const host = url.replace(/^http:/, "");
  writeFileSync(
    npmrc,
    [
      `registry=${usual}`,
      `@aiq:registry=${url}`,
      `${host}:_authToken=release-check`,
      "fund=false",
      "audit=false",
      "update-notifier=false",
      "",
    ].join("\n"),
  );
  return {
    ...process.env,
    NPM_CONFIG_USERCONFIG: npmrc,
    npm_config_userconfig: npmrc,
    npm_config_cache: join(work, "npm-cache"),
  };
}

/** The ```ts blocks of the README's "The guide, in TypeScript": the example, then the error handling that uses its `manager`. */
function readmeExamples() {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("## The guide, in TypeScript");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert(
    start >= 0 && blocks.length === 2,
    `README.md: expected 2 \`\`\`ts blocks under "## The guide, in TypeScript", found ${blocks.length}`,
  );
  return blocks;
}

async function main() {
  await step("copy the workspace and install it offline", async () => {
    await copyWorkspace();
    await run("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], { cwd: copy });
    await git(["init", "-q", "-b", "main"]);
    await git(["add", "-A"]);
    await git(["commit", "-q", "-m", "the workspace"]);
  });

  const packages = await step("pnpm version-packages; then pnpm changeset status has nothing left", async () => {
    const before = await publicPackages();
    await run("pnpm", ["version-packages"], { cwd: copy });
    await git(["add", "-A"]);
    await git(["commit", "-q", "-m", "Version Packages"]);
    await run("pnpm", ["changeset", "status", "--output", "status.json"], { cwd: copy });
    const status = JSON.parse(readFileSync(join(copy, "status.json"), "utf8"));
    assert(
      status.changesets.length === 0 && status.releases.length === 0,
      `changeset status is not clean: ${JSON.stringify(status)}`,
    );
    const after = await publicPackages();
    assert(
      after.length === before.length && after.length >= INSTALL.length,
      `public packages: ${after.map((p) => p.name)}`,
    );
    for (const pkg of after) {
      const changelog = readFileSync(join(pkg.path, "CHANGELOG.md"), "utf8");
      assert(changelog.includes(`\n## ${pkg.version}\n`), `${pkg.name}: CHANGELOG.md has no "## ${pkg.version}" entry`);
    }
    log(`versions: ${after.map((p) => `${p.name}@${p.version}`).join(", ")}`);
    return after;
  });

  const { url } = await step("start verdaccio on a free loopback port", startRegistry);
  const env = await npmEnv(url);

  await step(`pnpm release to ${url}`, async () => {
    await run("pnpm", ["release"], { cwd: copy, env: { ...env, npm_config_registry: url } });
  });

  await step("every public package is published, with no workspace: range", async () => {
    for (const pkg of packages) {
      const response = await fetch(`${url}${pkg.name.replace("/", "%2f")}`);
      assert(response.ok, `${pkg.name}: not in the registry (${response.status})`);
      const packument = await response.json();
      const manifest = packument.versions?.[pkg.version];
      assert(manifest, `${pkg.name}@${pkg.version}: not published (has ${Object.keys(packument.versions ?? {})})`);
      assert(
        packument["dist-tags"]?.latest === pkg.version,
        `${pkg.name}: latest is ${packument["dist-tags"]?.latest}`,
      );
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"]) {
        for (const [name, range] of Object.entries(manifest[field] ?? {})) {
          assert(
            !String(range).startsWith("workspace:"),
            `${pkg.name}@${pkg.version} publishes ${field}.${name}: "${range}"`,
          );
        }
      }
    }
  });

  await step(`npm i ${INSTALL.join(" ")} in a fresh project`, async () => {
    mkdirSync(join(app, "examples"), { recursive: true });
    writeFileSync(
      join(app, "package.json"),
      `${JSON.stringify({ name: "release-check-app", private: true, type: "module" }, null, 2)}\n`,
    );
    await run("npm", ["install", "--no-audit", "--no-fund", ...INSTALL], { cwd: app, env });
    const typesNode = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies["@types/node"];
    await run("npm", ["install", "--no-audit", "--no-fund", "--save-dev", `@types/node@${typesNode}`], {
      cwd: app,
      env,
    });
    for (const name of INSTALL) {
      const installed = JSON.parse(readFileSync(join(app, "node_modules", name, "package.json"), "utf8"));
      const published = packages.find((pkg) => pkg.name === name);
      assert(
        installed.version === published?.version,
        `${name}: installed ${installed.version}, published ${published?.version}`,
      );
    }
  });

  const installed = await step(
    "tsc: the README's TypeScript examples and an import of every installed @aiq package",
    async () => {
      cpSync(join(root, "examples/config.yml"), join(app, "examples/config.yml"));
      const [example, errors] = readmeExamples();
      writeFileSync(join(app, "example.ts"), example);
      // The error handling block is type-checked only: it continues the example, so it is given its `manager`.
      writeFileSync(
        join(app, "errors.ts"),
        `import type { ConfigManager } from "@aiq/config-core";\ndeclare const manager: ConfigManager;\n${errors}`,
      );
      const installed = packages.filter((pkg) => existsSync(join(app, "node_modules", pkg.name, "package.json")));
      assert(installed.length >= INSTALL.length, `installed: ${installed.map((pkg) => pkg.name)}`);
      const imports = installed.map((pkg, i) => `import * as p${i} from "${pkg.name}";`);
      imports.push(
        `for (const [name, exports] of Object.entries({ ${installed.map((pkg, i) => `"${pkg.name}": p${i}`).join(", ")} })) {`,
      );
      imports.push(
        '  if (Object.keys(exports).length === 0) throw new Error(name + " exports nothing");',
        '  console.log("ok " + name);',
        "}",
      );
      writeFileSync(join(app, "imports.ts"), `${imports.join("\n")}\n`);
      const tsconfig = {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          types: ["node"],
          outDir: "out",
        },
        include: ["*.ts"],
      };
      writeFileSync(join(app, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
      await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: app });
      return installed;
    },
  );

  await step("run the README's example", async () => {
    const output = await run(process.execPath, ["out/example.js"], { cwd: app, timeout: 60_000 });
    assert(output.includes("meta/llama-3.1-70b-instruct"), `the example printed no main_llm:\n${output}`);
  });

  await step("import every installed @aiq package by name", async () => {
    const output = await run(process.execPath, ["out/imports.js"], { cwd: app, timeout: 60_000 });
    for (const pkg of installed) assert(output.includes(`ok ${pkg.name}`), `${pkg.name}: not imported:\n${output}`);
  });

  await step("npx aiq-config --help", async () => {
    const output = await run("npx", ["--no-install", "aiq-config", "--help"], { cwd: app, env, timeout: 60_000 });
    assert(/aiq-config (reload|watch)/.test(output), `aiq-config --help printed:\n${output}`);
  });
}

let failed = false;
try {
  await main();
  log(`release check passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  failed = true;
  console.error(`[release-check] FAILED ${error instanceof Error ? error.message : String(error)}`);
  if (registry)
    console.error(`[release-check] verdaccio output:\n${Buffer.concat(registry.output).toString().slice(-4000)}`);
} finally {
  await stopRegistry();
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a debugging switch of this script, not of a turbo task
  if (process.env.AIQ_RELEASE_KEEP === "1") log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
