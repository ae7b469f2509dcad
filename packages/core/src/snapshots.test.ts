import { describe, expect, it } from "vitest";
import { deepFreeze } from "./share.js";
import { applyPatch, patchBetween } from "./patches.js";
import { createSnapshotMeta, SnapshotStore } from "./snapshots.js";

const meta = (version: number) =>
  createSnapshotMeta({ version, reason: "reload", overrides: {}, checksum: `c${version}`, secretKeys: [] });
const state = <C extends object>(version: number, config: C) => ({
  meta: meta(version),
  config: deepFreeze(config),
  data: deepFreeze(structuredClone(config)),
});

describe("patches", () => {
  it("turn one value into another, copying only along the changed paths", () => {
    const shared = { big: true };
    const from = deepFreeze({ a: { b: 1, c: shared }, gone: 1, list: [1, 2] });
    const to = deepFreeze({ a: { b: 2, c: shared }, added: { x: 1 }, list: [1, 2, 3] });
    const patch = patchBetween(from, to);
    const rebuilt = applyPatch(from, patch);
    expect(rebuilt).toEqual(to);
    expect(rebuilt.a.c).toBe(shared);
    expect(Object.isFrozen(rebuilt.a)).toBe(true);
    expect(patch.map((p) => p.path.join("."))).toEqual(["a.b", "added", "list", "gone"]);
  });
});

describe("SnapshotStore", () => {
  it("rebuilds every kept version exactly, newest first, and stays bounded", () => {
    const store = new SnapshotStore<{ n: number; fixed: { deep: number[] } }>(3);
    for (let n = 1; n <= 5; n++) store.push(state(n, { n, fixed: { deep: [1, 2, 3] } }));
    expect(store.length).toBe(3);
    expect(store.list().map((s) => [s.version, s.config.n])).toEqual([
      [5, 5],
      [4, 4],
      [3, 3],
    ]);
    expect(store.at(2)?.data).toEqual({ n: 3, fixed: { deep: [1, 2, 3] } });
    expect(store.list()[2]?.config.fixed).toBe(store.list()[0]?.config.fixed);
  });

  it("replaces the rolled-back-to version and keeps older ones rebuildable", () => {
    const store = new SnapshotStore<{ n: number }>(10);
    for (let n = 1; n <= 4; n++) store.push(state(n, { n }));
    store.replaceFrom(2, state(5, { n: 20 }));
    expect(store.list().map((s) => [s.version, s.config.n])).toEqual([
      [5, 20],
      [1, 1],
    ]);
    store.clear();
    expect(store.length).toBe(1);
  });
});
