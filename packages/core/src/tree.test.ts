import { describe, expect, it } from "vitest";
import { defineOwn, isPlainNode, isTreeNode, ownValueAt } from "./tree.js";

describe("tree helpers", () => {
  it("ownValueAt finds own values by key and list index, never inherited ones", () => {
    const data = { llms: { main: { temperature: 0.7 } }, list: [{ a: 1 }] };
    expect(ownValueAt(data, ["llms", "main", "temperature"])).toEqual({ found: true, value: 0.7 });
    expect(ownValueAt(data, ["list", "0", "a"])).toEqual({ found: true, value: 1 });
    expect(ownValueAt(data, ["list", 0, "a"])).toEqual({ found: true, value: 1 });
    expect(ownValueAt(data, ["llms", "toString"])).toEqual({ found: false });
    expect(ownValueAt(data, ["list", "01"])).toEqual({ found: false });
    expect(ownValueAt(data, ["llms", "main", "temperature", "x"])).toEqual({ found: false });
    expect(ownValueAt(data, [])).toEqual({ found: true, value: data });
  });

  it("defineOwn writes an own key even for __proto__, and no prototype changes", () => {
    const target: Record<string, unknown> = {};
    defineOwn(target, "__proto__", { polluted: true });
    expect(Object.hasOwn(target, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(target)).toEqual(["__proto__"]);
  });

  it("tells walkable nodes from plain ones", () => {
    expect(isTreeNode(new Date())).toBe(true);
    expect(isPlainNode(new Date())).toBe(false);
    expect(isPlainNode(Object.create(null))).toBe(true);
    expect(isPlainNode([])).toBe(true);
    expect(isTreeNode(null)).toBe(false);
  });
});
