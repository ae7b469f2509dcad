import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isConfigError } from "@aiq/config-core";
import { afterEach, beforeEach } from "vitest";

/** The folder of this package's fixture files. */
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** A temporary directory owned by one test, removed after it. */
export interface TempDir {
  dir: string;
  path(name: string): string;
  /** Writes a file (creating folders) and returns its absolute path. */
  write(name: string, content: string | Uint8Array): Promise<string>;
}

/** Gives each test of the calling suite its own temporary directory. */
export function useTempDir(): TempDir {
  const state = { dir: "" };
  beforeEach(async () => {
    state.dir = await mkdtemp(join(tmpdir(), "aiq-loader-"));
  });
  afterEach(async () => {
    await rm(state.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return state.dir;
    },
    path: (name) => join(state.dir, name),
    async write(name, content) {
      const file = join(state.dir, name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
      return file;
    },
  };
}

/** Runs `fn` and returns what it threw (failing the test when it does not throw). */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw, but nothing was thrown");
}

/** Everything an error would show a user or a log: message, issues, cause chain, stack. */
export function everythingShown(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? "");
      if (isConfigError(current)) parts.push(JSON.stringify(current));
      if ("issues" in current) parts.push(JSON.stringify(current.issues));
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join("\n");
}
