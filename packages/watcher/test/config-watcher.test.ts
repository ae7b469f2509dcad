import * as fs from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { ConfigEventType } from "@aiq/config-events";
import { describe, expect, it } from "vitest";
import { DEFAULT_BURST_DEBOUNCE_MS, DEFAULT_DEBOUNCE_MS } from "../src/index.js";
import { MODES, sha256, TIMEOUT, watchFixture } from "./helpers.js";

const MODIFIED = ConfigEventType.FILE_MODIFIED;
const CREATED = ConfigEventType.FILE_CREATED;
const DELETED = ConfigEventType.FILE_DELETED;
// Longer than the debounce, shorter than the settle time (max(100 ms, 2 x debounce)).
const GAP_MS = Math.max(MODES[0].options.debounceMs ?? DEFAULT_DEBOUNCE_MS, DEFAULT_BURST_DEBOUNCE_MS) + 20;
const v = (n: number | string): string => `name: v${n}\nllms:\n  main_llm:\n    model: m\n    temperature: 0.${n}\n`;

// RELIABILITY scenarios 1-14 as file events: what the watcher reports for each way a file changes.
// The same scenarios through a ConfigManager and autoReload are in auto-reload-scenarios.test.ts.
describe.each(MODES)("ConfigWatcher ($mode)", ({ options }) => {
  it("1. reports an in-place write once, with the new checksum", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    await w.fixture.save("config.yml", v(2));
    const event = await w.recorder.next(MODIFIED, { timeout: TIMEOUT });
    expect(event).toMatchObject({ type: MODIFIED, filePath: file, checksum: sha256(v(2)) });
    expect(event.timestamp).toBeInstanceOf(Date);
    await w.settled(file);
    expect(w.fileEvents()).toHaveLength(1);
  });

  it("2. never reports the empty file of a truncate-then-write", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    await w.fixture.save("config.yml", v(2), { as: "truncate-then-write", gapMs: 30 });
    await w.recorder.next(MODIFIED, { timeout: TIMEOUT });
    await w.settled(file);
    expect(w.fileEvents().map((e) => e.checksum)).toEqual([sha256(v(2))]);
    expect(w.fileEvents().map((e) => e.checksum)).not.toContain(sha256(""));
  });

  it("2b. never reports an empty file that lasts longer than the debounce (but less than the settle time)", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    await w.fixture.save("config.yml", v(2), { as: "truncate-then-write", gapMs: GAP_MS });
    await w.recorder.next(MODIFIED, { timeout: TIMEOUT });
    await w.settled(file);
    expect(w.fileEvents().map((e) => e.checksum)).toEqual([sha256(v(2))]);
  });

  it("3. sees the second chunk of a write inside chokidar's 50 ms throttle", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    const full = v(2);
    expect(full[19]).not.toBe("\n"); // cut mid line
    const handle = await fs.open(file, "w");
    await handle.write(full.slice(0, 20));
    await delay(20); // the scenario: the rest lands 20 ms later
    await handle.write(full.slice(20));
    await handle.close();
    await expect.poll(() => w.fileEvents().at(-1)?.checksum, { timeout: TIMEOUT }).toBe(sha256(full));
    await w.settled(file);
    // Cut off mid line, the half is held back as transient and superseded: it is never reported.
    expect(w.fileEvents().map((e) => e.checksum)).toEqual([sha256(full)]);
  });

  it("4. reports the last of a burst of 50 writes, never an older one after a newer one", async () => {
    await using w = await watchFixture({ "config.yml": v(0) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    const counterOf = new Map<string, number>();
    for (let i = 1; i <= 50; i++) {
      counterOf.set(sha256(`counter: ${i}\n`), i);
      await fs.writeFile(file, `counter: ${i}\n`);
      await delay(4);
    }
    await expect.poll(() => w.fileEvents().at(-1)?.checksum, { timeout: TIMEOUT }).toBe(sha256("counter: 50\n"));
    await w.settled(file);
    // An empty file that stayed so for the settle time (a save's truncate-then-write gap stretched by
    // a loaded machine) is a state the file really had: reported, and not a save to order.
    const saves = w.fileEvents().filter((e) => e.checksum !== sha256(""));
    const counters = saves.map((e) => counterOf.get(e.checksum ?? "") ?? -1);
    expect(counters.at(-1)).toBe(50);
    expect(counters.length).toBeLessThan(25);
    expect(counters).toEqual([...counters].sort((a, b) => a - b));
  });

  it("5. reports each of 3 atomic-rename saves, then an in-place edit", async () => {
    await using w = await watchFixture({ "config.yml": v(0) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    for (const n of [1, 2, 3]) {
      await w.fixture.save("config.yml", v(n), { as: "atomic-rename" });
      expect((await w.recorder.next(MODIFIED, { timeout: TIMEOUT })).checksum).toBe(sha256(v(n)));
    }
    await w.saveAndExpectEvent("config.yml", v(4));
    await w.settled(file);
    expect(w.fileEvents().map((e) => e.type)).toEqual([MODIFIED, MODIFIED, MODIFIED, MODIFIED]);
  });

  it("6. reports a JetBrains safe write as one modification, never its temp files", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    await w.fixture.save("config.yml", v(2), { as: "jetbrains" });
    await w.recorder.next(MODIFIED, { timeout: TIMEOUT });
    await w.settled(file);
    expect(w.fileEvents()).toMatchObject([{ type: MODIFIED, filePath: file, checksum: sha256(v(2)) }]);
  });

  it("7. reports a vim save (backupcopy=no) once, ignores the ~ file, and sees the next edit", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    await w.fixture.save("config.yml", v(2), { as: "vim" });
    expect((await w.recorder.next(MODIFIED, { timeout: TIMEOUT })).checksum).toBe(sha256(v(2)));
    await w.saveAndExpectEvent("config.yml", v(3), { as: "vim" });
    await w.settled(file);
    expect(w.fileEvents().map((e) => [e.type, e.filePath])).toEqual([
      [MODIFIED, file],
      [MODIFIED, file],
    ]);
  });

  it("7b. does not report a vim save whose file is missing longer than the debounce as a deletion", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    await fs.rename(file, `${file}~`);
    await delay(GAP_MS); // a slow editor: the file is gone for longer than the debounce
    await fs.writeFile(file, v(2));
    await fs.unlink(`${file}~`);
    await w.recorder.next(MODIFIED, { timeout: TIMEOUT });
    await w.settled(file);
    expect(w.fileEvents().map((e) => e.type)).toEqual([MODIFIED]);
  });

  it("8. reports a deletion once (not once per poll)", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    await w.fixture.remove("config.yml");
    const event = await w.recorder.next(DELETED, { timeout: TIMEOUT });
    expect(event.checksum).toBeUndefined();
    await w.settled(file);
    expect(w.fileEvents().map((e) => e.type)).toEqual([DELETED]);
  });

  it("9. reports delete then recreate, and keeps watching the new file", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    await w.fixture.remove("config.yml");
    await w.recorder.next(DELETED, { timeout: TIMEOUT });
    await w.fixture.save("config.yml", v(2));
    expect((await w.recorder.next(CREATED, { timeout: TIMEOUT })).checksum).toBe(sha256(v(2)));
    await w.saveAndExpectEvent("config.yml", v(3));
    await w.settled(file);
    expect(w.fileEvents().map((e) => e.type)).toEqual([DELETED, CREATED, MODIFIED]);
  });

  it("10. watches a file that does not exist yet and reports its creation", async () => {
    await using w = await watchFixture({ "other.yml": "x: 1\n" }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    await w.fixture.save("config.yml", v(1));
    expect(await w.recorder.next(CREATED, { timeout: TIMEOUT })).toMatchObject({
      filePath: file,
      checksum: sha256(v(1)),
    });
    await w.saveAndExpectEvent("config.yml", v(2));
  });

  it("11a. keeps watching when the parent directory is deleted and recreated", async () => {
    await using w = await watchFixture({ "conf/config.yml": v(1) }, ["conf/config.yml"], options);
    const file = w.fixture.path("conf/config.yml");
    await w.fixture.remove("conf");
    await w.recorder.next(DELETED, { timeout: TIMEOUT });
    await w.fixture.mkdir("conf");
    await w.fixture.save("conf/config.yml", v(2));
    expect((await w.recorder.next(CREATED, { timeout: TIMEOUT })).checksum).toBe(sha256(v(2)));
    await w.saveAndExpectEvent("conf/config.yml", v(3), { as: "atomic-rename" });
    await w.saveAndExpectEvent("conf/config.yml", v(4));
    await w.settled(file);
    expect(w.watcher.state().degraded).toBe(false);
  });

  it("11b. keeps watching when the parent directory is renamed away and back", async () => {
    await using w = await watchFixture({ "conf/config.yml": v(1) }, ["conf/config.yml"], options);
    const file = w.fixture.path("conf/config.yml");
    await fs.rename(w.fixture.path("conf"), w.fixture.path("conf.away"));
    await w.recorder.next(DELETED, { timeout: TIMEOUT });
    await fs.rename(w.fixture.path("conf.away"), w.fixture.path("conf"));
    expect((await w.recorder.next(CREATED, { timeout: TIMEOUT })).checksum).toBe(sha256(v(1)));
    await w.saveAndExpectEvent("conf/config.yml", v(2));
    await w.saveAndExpectEvent("conf/config.yml", v(3), { as: "atomic-rename" });
    await w.settled(file);
  });

  it("11c. sees a directory replaced faster than it can look (rm -rf, mkdir, write)", async () => {
    await using w = await watchFixture({ "conf/config.yml": v(1) }, ["conf/config.yml"], options);
    const file = w.fixture.path("conf/config.yml");
    await w.fixture.remove("conf");
    await w.fixture.mkdir("conf");
    await w.fixture.save("conf/config.yml", v(2));
    await expect.poll(() => w.fileEvents().at(-1)?.checksum, { timeout: TIMEOUT }).toBe(sha256(v(2)));
    w.recorder.clear();
    await w.saveAndExpectEvent("conf/config.yml", v(3));
    await w.settled(file);
  });

  it("12. reports each of 3 Kubernetes ConfigMap swaps", async () => {
    await using w = await watchFixture({}, ["config.yml"], options, (fixture) =>
      fixture.save("config.yml", v(0), { as: "kubernetes" }),
    );
    const file = w.fixture.path("config.yml");
    await w.fixture.save("config.yml", v(1), { as: "kubernetes" });
    expect(await w.recorder.next(MODIFIED, { timeout: TIMEOUT })).toMatchObject({
      filePath: file,
      checksum: sha256(v(1)),
    });
    for (const n of [2, 3]) await w.saveAndExpectEvent("config.yml", v(n), { as: "kubernetes" });
    await w.settled(file);
    expect(w.fileEvents().map((e) => e.type)).toEqual([MODIFIED, MODIFIED, MODIFIED]);
  });

  it("12b. reports a ConfigMap swap that keeps the old payload (only ..data changes)", async () => {
    await using w = await watchFixture({}, ["config.yml"], options, (fixture) =>
      fixture.save("config.yml", v(0), { as: "kubernetes" }),
    );
    const file = w.fixture.path("config.yml");
    const payload = w.fixture.path("..payload_2");
    await fs.mkdir(payload);
    await fs.writeFile(`${payload}/config.yml`, v(1));
    await fs.symlink("..payload_2", w.fixture.path("..data_tmp"));
    await fs.rename(w.fixture.path("..data_tmp"), w.fixture.path("..data"));
    expect(await w.recorder.next(MODIFIED, { timeout: TIMEOUT })).toMatchObject({
      filePath: file,
      checksum: sha256(v(1)),
    });
    await w.settled(file);
    expect(w.looks.looks.find((look) => look.path === file && look.event?.type === MODIFIED)?.reason).toBe("event");
  });

  it("13. reports a symlink retarget to identical content, and edits of the new target", async () => {
    const same = v(1);
    await using w = await watchFixture({ "a.yml": same, "b.yml": same }, ["config.yml"], options, (fixture) =>
      fixture.symlink("a.yml", "config.yml"),
    );
    const file = w.fixture.path("config.yml");
    await w.fixture.symlink("b.yml", "config.yml");
    expect(await w.recorder.next(MODIFIED, { timeout: TIMEOUT })).toMatchObject({
      filePath: file,
      checksum: sha256(same),
    });
    await w.settled(file);
    // The new target's own saves: atomic (seen through its name in the directory) and in place.
    for (const [n, as] of [
      [2, "atomic-rename"],
      [3, "in-place"],
    ] as const) {
      await w.fixture.save("b.yml", v(n), { as });
      expect((await w.recorder.next(MODIFIED, { timeout: TIMEOUT })).checksum).toBe(sha256(v(n)));
      await w.settled(file);
    }
    await w.fixture.save("a.yml", v(4)); // the old target no longer matters
    await w.settled(file);
    expect(w.fileEvents()).toHaveLength(3);
  });

  it("14. reports nothing for touch, an identical rewrite or an atime-only change", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    const later = new Date(Date.now() + 5000);
    for (const noop of [
      () => fs.utimes(file, later, later), // touch
      () => fs.writeFile(file, v(1)), // identical bytes
      async () => fs.utimes(file, new Date(Date.now() + 9000), (await fs.stat(file)).mtime), // atime only
    ]) {
      const from = w.looks.looks.length;
      await noop();
      await w.looks.waitForLook((look) => look.path === file && look.outcome === "unchanged", { from });
      await w.settled(file, from);
    }
    expect(w.fileEvents()).toEqual([]);
  });

  it("3b. reports a save without a final newline once it has held for the settle time", async () => {
    await using w = await watchFixture({ "config.yml": v(1) }, ["config.yml"], options);
    const file = w.fixture.path("config.yml");
    const from = w.looks.looks.length;
    const noNewline = v(2).trimEnd();
    await fs.writeFile(file, noNewline);
    // Cut off mid line, it may be a write in chunks: held back first, then reported as it stays.
    await w.looks.waitForLook(
      (look) => look.path === file && look.outcome === "unsettled" && look.checksum === sha256(noNewline),
      { from },
    );
    const event = await w.recorder.next(MODIFIED, { timeout: TIMEOUT });
    expect(event.checksum).toBe(sha256(noNewline));
    await w.settled(file);
    expect(w.fileEvents().map((e) => e.checksum)).toEqual([sha256(noNewline)]);
  });
});
