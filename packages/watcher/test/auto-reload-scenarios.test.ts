import * as fs from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { isConfigReloadError, silentLogger } from "@aiq/config-core";
import { createConfigFixture, waitFor } from "@aiq/config-testing";
import { createConfigManager, parseConfig } from "@aiq/config-loader";
import { describe, expect, it } from "vitest";
import { autoReload } from "../src/index.js";
import { isWhole, MODES_AND_SCHEMAS, reloadFixture, TIMEOUT } from "./helpers.js";
import { configText as text, testSchema } from "./schema.js";

// RELIABILITY scenarios 1-14 and 24 end to end: a real file, the real loader and manager, autoReload
// with a real ConfigWatcher; in native and polling mode, each with the strict test schema and with
// one that accepts anything (issue 17: what keeps an empty or partial config out must not be the
// schema). Each checks how many reloads ran, the config that ends up current, and that no listener
// ever saw an empty, partial or mixed config.
describe.each(MODES_AND_SCHEMAS)(
  "autoReload on real files ($mode, $schema schema)",
  ({ options: watchOptions, schema }) => {
    const options = { ...watchOptions, schema };

    it("1. an in-place write is exactly one reload", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      await r.fixture.save("config.yml", text(2));
      await r.waitForCounter(2);
      await r.settled();
      expect(r.manager.status).toMatchObject({ version: 2, reloadCount: 1, missing: false });
      expect(r.published.map((c) => c.counter)).toEqual([2]);
      expect(r.broken).toEqual([]);
    });

    it("2. truncate-then-write never publishes the empty file", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      await r.fixture.save("config.yml", text(2), { as: "truncate-then-write", gapMs: 30 });
      await r.waitForCounter(2);
      await r.settled();
      expect(r.published.map((c) => c.counter)).toEqual([2]);
      expect(r.manager.status).toMatchObject({ version: 2, reloadCount: 1 });
      expect(r.failures()).toBe(0); // the empty file was not even read as a candidate
      expect(r.broken).toEqual([]);
    });

    it("3. a two-chunk write inside chokidar's throttle publishes the final content", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      const full = text(2);
      const cut = Math.floor(full.length / 2);
      expect(full[cut - 1]).not.toBe("\n"); // cut mid line, as a write of a buffer's first half is
      const handle = await fs.open(r.file, "w");
      await handle.write(full.slice(0, cut));
      await delay(20); // the scenario: the rest lands 20 ms later
      await handle.write(full.slice(cut));
      await handle.close();
      await r.waitForCounter(2);
      await r.settled();
      expect(r.published.map((c) => c.counter)).toEqual([2]);
      expect(r.manager.status).toMatchObject({ version: 2, reloadCount: 1 });
      expect(r.failures()).toBe(0); // the half cut mid line is held back, never even a candidate
      expect(r.broken).toEqual([]);
    });

    it("3b. a two-chunk write cut at a line end: the half may be refused, the final content is published", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      const full = text(2);
      const cut = full.indexOf("\n", full.length / 2) + 1; // the half is whole lines, without `end: true`
      const handle = await fs.open(r.file, "w");
      await handle.write(full.slice(0, cut));
      await delay(20);
      await handle.write(full.slice(cut));
      await handle.close();
      await r.waitForCounter(2);
      await r.settled();
      // Whole lines look finished: the half is read at once (or, on a slow machine, after the rest
      // landed); then the whole is published, and the refusal of the half (if any) is cleared.
      expect(r.manager.status.lastError).toBeUndefined();
      expect(isWhole(r.manager.currentConfig) && r.manager.currentConfig.counter).toBe(2);
      if (schema === "strict") {
        // The strict schema refuses the half (`end: true` is missing): nothing but the whole is published.
        expect(r.failures()).toBeLessThanOrEqual(1);
        expect(r.published.map((c) => c.counter)).toEqual([2]);
        expect(r.manager.status.version).toBe(2);
        expect(r.broken).toEqual([]);
      } else {
        // What is NOT guaranteed (watcher README): a schema that accepts the half gets it for the
        // length of the pause, then the whole. Never empty, never anything but whole lines of the save.
        expect(r.failures()).toBe(0);
        expect(r.published.at(-1)).toEqual(r.manager.currentConfig);
        expect(r.broken.length).toBeLessThanOrEqual(1);
        for (const half of r.broken)
          expect(half).toEqual(parseConfig(full.slice(0, cut), { filename: "half.yml" }).data);
      }
    });

    it("4. a burst of 50 writes in 200 ms ends on the last one, validated far fewer than 50 times", async () => {
      await using r = await reloadFixture({ "config.yml": text(0) }, options);
      const before = r.validations();
      for (let i = 1; i <= 50; i++) {
        await fs.writeFile(r.file, text(i));
        await delay(4);
      }
      await r.waitForCounter(50);
      await r.settled();
      const counters = r.published.map((c) => c.counter);
      expect(counters.at(-1)).toBe(50);
      expect(counters).toEqual([...counters].sort((a, b) => a - b));
      expect(r.versions).toEqual([...r.versions].sort((a, b) => a - b));
      expect(r.validations() - before).toBeLessThan(25);
      expect(r.broken).toEqual([]);
    });

    it("5. three atomic-rename saves are three reloads; an in-place edit after is seen", async () => {
      await using r = await reloadFixture({ "config.yml": text(0) }, options);
      for (const n of [1, 2, 3]) {
        await r.fixture.save("config.yml", text(n), { as: "atomic-rename" });
        await r.waitForCounter(n);
      }
      await r.saveAndExpectReload(4);
      await r.settled();
      expect(r.manager.status).toMatchObject({ version: 5, reloadCount: 4 });
      expect(r.published.map((c) => c.counter)).toEqual([1, 2, 3, 4]);
      expect(r.broken).toEqual([]);
    });

    it("6. a JetBrains safe write is one reload and never a missing file", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      await r.fixture.save("config.yml", text(2), { as: "jetbrains" });
      await r.waitForCounter(2);
      await r.settled();
      expect(r.manager.status).toMatchObject({ version: 2, reloadCount: 1, missing: false });
      expect(r.failures()).toBe(0);
      expect(r.published.map((c) => c.counter)).toEqual([2]);
    });

    it("7. a vim save is one reload; the ~ file is ignored; the next edit is seen", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      await r.fixture.save("config.yml", text(2), { as: "vim" });
      await r.waitForCounter(2);
      await r.saveAndExpectReload(3, { as: "vim" });
      await r.settled();
      expect(r.manager.status).toMatchObject({ version: 3, reloadCount: 2, missing: false });
      expect(r.failures()).toBe(0);
      expect(r.published.map((c) => c.counter)).toEqual([2, 3]);
    });

    it("8. a deletion keeps the last good config, reports missing once, tells no listener", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      await r.fixture.remove("config.yml");
      await waitFor(() => r.manager.status.missing, { timeout: TIMEOUT });
      await r.settled();
      expect(r.manager.currentConfig.counter).toBe(1);
      expect(r.manager.status).toMatchObject({
        version: 1,
        reloadCount: 0,
        missing: true,
        lastError: { code: "ENOENT" },
      });
      expect(r.failures()).toBe(1);
      expect(r.published).toEqual([]);
    });

    it("9. delete, then recreate: the new file is loaded and the next edit is seen", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      await r.fixture.remove("config.yml");
      await waitFor(() => r.manager.status.missing, { timeout: TIMEOUT });
      await r.fixture.save("config.yml", text(2));
      await r.waitForCounter(2);
      expect(r.manager.status.missing).toBe(false);
      await r.saveAndExpectReload(3);
      await r.settled();
      expect(r.published.map((c) => c.counter)).toEqual([2, 3]);
      expect(r.failures()).toBe(1);
    });

    it("10. a file missing while watching starts is loaded when it appears", async () => {
      await using fixture = await createConfigFixture();
      // A manager cannot start without its file: it fails fast.
      const error = await createConfigManager(fixture.path("config.yml"), {
        schema: testSchema,
        logger: silentLogger,
      }).catch((e: unknown) => e);
      expect(isConfigReloadError(error) && error.code).toBe("ENOENT");
      // One that lost its file before autoReload started picks it up once it is created.
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      await r.handle.stop();
      await r.fixture.remove("config.yml");
      const handle = autoReload(r.manager, { logger: r.log, onLook: r.looks.record, ...watchOptions });
      await handle.ready();
      await handle.done;
      expect(r.manager.status.missing).toBe(true);
      await r.fixture.save("config.yml", text(2));
      await r.waitForCounter(2);
      expect(r.manager.status.missing).toBe(false);
      await r.saveAndExpectReload(3);
      await handle.stop();
    });

    it("10b. a save before watching starts is caught up with; an unchanged file is not read again", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      await r.handle.stop();
      const validations = r.validations();
      // Unchanged since the manager's read: the watcher's look at it is enough, no second read.
      const unchanged = autoReload(r.manager, { logger: r.log, onLook: r.looks.record, ...watchOptions });
      await unchanged.ready();
      await unchanged.done;
      await unchanged.stop();
      expect(r.validations()).toBe(validations);
      // Saved while nothing watched: no event will come, the catch-up reloads it.
      await r.fixture.save("config.yml", text(2));
      const handle = autoReload(r.manager, { logger: r.log, onLook: r.looks.record, ...watchOptions });
      await handle.ready();
      await r.waitForCounter(2);
      expect(r.published.map((c) => c.counter)).toEqual([2]);
      await r.saveAndExpectReload(3);
      await handle.stop();
    });

    it("11. the parent directory deleted and recreated: watching resumes", async () => {
      await using r = await reloadFixture({ "conf/config.yml": text(1) }, options, undefined, "conf/config.yml");
      await r.fixture.remove("conf");
      await waitFor(() => r.manager.status.missing, { timeout: TIMEOUT });
      await r.fixture.mkdir("conf");
      await r.fixture.save("conf/config.yml", text(2));
      await r.waitForCounter(2);
      await r.saveAndExpectReload(3, { as: "atomic-rename" });
      await r.saveAndExpectReload(4);
      await r.settled();
      expect(r.manager.status).toMatchObject({ missing: false, watch: { degraded: false } });
      expect(r.published.map((c) => c.counter)).toEqual([2, 3, 4]);
    });

    it("11. the parent directory renamed away and back: watching resumes", async () => {
      await using r = await reloadFixture({ "conf/config.yml": text(1) }, options, undefined, "conf/config.yml");
      await fs.rename(r.fixture.path("conf"), r.fixture.path("conf.away"));
      await waitFor(() => r.manager.status.missing, { timeout: TIMEOUT });
      await fs.rename(r.fixture.path("conf.away"), r.fixture.path("conf"));
      await waitFor(() => !r.manager.status.missing, { timeout: TIMEOUT });
      await r.saveAndExpectReload(2);
      await r.saveAndExpectReload(3, { as: "atomic-rename" });
      await r.settled();
      expect(r.published.map((c) => c.counter)).toEqual([2, 3]);
    });

    it("12. three Kubernetes ConfigMap swaps are each published", async () => {
      await using r = await reloadFixture({}, options, (fixture) =>
        fixture.save("config.yml", text(0), { as: "kubernetes" }),
      );
      for (const n of [1, 2, 3]) await r.saveAndExpectReload(n, { as: "kubernetes" });
      await r.settled();
      expect(r.manager.status).toMatchObject({ version: 4, reloadCount: 3 });
      expect(r.published.map((c) => c.counter)).toEqual([1, 2, 3]);
      expect(r.failures()).toBe(0);
    });

    it("13. a symlink retargeted to identical content reloads (the real path changed)", async () => {
      await using r = await reloadFixture({ "a.yml": text(1), "b.yml": text(1) }, options, (fixture) =>
        fixture.symlink("a.yml", "config.yml"),
      );
      await r.fixture.symlink("b.yml", "config.yml");
      await waitFor(() => r.manager.reloadCount === 1, { timeout: TIMEOUT });
      await r.settled();
      // Same content: the reload counts, but makes no version and tells no listener.
      expect(r.manager.status).toMatchObject({ version: 1, reloadCount: 1 });
      await r.saveAndExpectReload(2, { as: "atomic-rename", name: "b.yml" });
      expect(r.published.map((c) => c.counter)).toEqual([2]);
    });

    it("14. touch, an identical rewrite and an atime-only change reload nothing", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      const later = new Date(Date.now() + 5000);
      for (const noop of [
        () => fs.utimes(r.file, later, later),
        () => fs.writeFile(r.file, text(1)),
        async () => fs.utimes(r.file, new Date(Date.now() + 9000), (await fs.stat(r.file)).mtime),
      ]) {
        const from = r.looks.looks.length;
        await noop();
        await r.looks.waitForLook((look) => look.path === r.file && look.outcome === "unchanged", { from });
        await r.settled(from);
      }
      expect(r.manager.status).toMatchObject({ version: 1, reloadCount: 0 });
      expect(r.manager.getSnapshots()).toHaveLength(1);
      expect(r.published).toEqual([]);
    });

    it("24. an invalid save is retained and tells no listener; the next valid save is published", async () => {
      await using r = await reloadFixture({ "config.yml": text(1) }, options);
      // Invalid for the schema when it checks anything; for one that does not, invalid YAML.
      const invalid =
        schema === "strict"
          ? text(2).replace("counter: 2", "counter: -2")
          : text(2).replace("counter: 2", "counter: [2");
      await r.fixture.save("config.yml", invalid);
      await waitFor(() => r.manager.status.lastError !== undefined, { timeout: TIMEOUT });
      expect(r.manager.status.lastError?.issues?.map((issue) => issue.path)).toEqual(["counter"]);
      expect(r.manager.currentConfig.counter).toBe(1);
      const before = Date.now();
      await r.fixture.save("config.yml", text(3));
      await r.waitForCounter(3);
      expect(r.manager.status.lastError).toBeUndefined();
      expect(r.manager.status.lastSuccessAt?.getTime()).toBeGreaterThanOrEqual(before);
      expect(r.published.map((c) => c.counter)).toEqual([3]);
    });
  },
);
