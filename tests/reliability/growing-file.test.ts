// RELIABILITY.md scenario 28, second half: a file that grows past the limit between stat and read.
// The race is made deterministic by letting the real `stat` run and then growing the real file
// before the loader opens it: the loader's size check passed on the stat, so only the bounded read
// can catch it. This file mocks node:fs/promises, so it holds nothing else.
import { statSync, truncateSync } from "node:fs";
import { silentLogger } from "@aiq/config-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectRecovery, expectRetained, fileManager, yamlConfig } from "./helpers.js";

const growth = vi.hoisted(() => ({ file: undefined as string | undefined, to: 0 }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const stat = async (...args: Parameters<typeof actual.stat>) => {
    const info = await actual.stat(...args);
    if (growth.file !== undefined && String(args[0]) === growth.file) {
      // The writer appends after the loader's stat: a sparse file, so the disk is not filled.
      truncateSync(growth.file, growth.to);
      growth.file = undefined;
    }
    return info;
  };
  return { ...actual, stat, default: { ...actual, stat } };
});

afterEach(() => {
  growth.file = undefined;
});

describe("28 a file that grows past maxBytes between stat and read", () => {
  it("is rejected as TOO_LARGE by the bounded read, with memory bounded by maxBytes; retained; recovers", async () => {
    await using setup = await fileManager(yamlConfig(1), { logger: silentLogger });
    const maxBytes = 1024 * 1024;
    await using limited = await fileManager(yamlConfig(1), { maxBytes });
    await setup.save(yamlConfig(2));
    await limited.save(yamlConfig(2));

    // 256 MiB after the stat; reading it whole would show in arrayBuffers.
    growth.file = limited.file;
    growth.to = 256 * 1024 * 1024;
    const buffersBefore = process.memoryUsage().arrayBuffers;
    const error = await expectRetained(limited.manager, () => limited.manager.reloadConfig(), "TOO_LARGE");
    expect(growth.file).toBeUndefined(); // the growth really happened, after the stat
    expect(statSync(limited.file).size).toBe(256 * 1024 * 1024);
    expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeLessThan(16 * maxBytes);
    expect(error.message).toContain(`${maxBytes}-byte limit`);
    await expectRecovery(limited, 3);

    // The same race under the default 10 MiB limit.
    growth.file = setup.file;
    growth.to = 64 * 1024 * 1024;
    await expectRetained(setup.manager, () => setup.manager.reloadConfig(), "TOO_LARGE");
    await expectRecovery(setup, 3);
  });
});
