// tests/reliability/README.md is the list that "RELIABILITY scenario 31" and "I3" in the code point to:
// every invariant and scenario has its row, and every file a row names exists and is run by vitest.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const readme = readFileSync(new URL("tests/reliability/README.md", root), "utf8");

interface Row {
  id: string;
  files: string[];
  cell: string;
}

/** The table rows whose first cell is an id (I1, 42), with the backticked paths of their last cell. */
function rows(): Row[] {
  const found: Row[] = [];
  let sectionFiles: string[] = [];
  for (const line of readme.split("\n")) {
    const match = /^\| (I?\d+) \|.*\| ([^|]*) \|$/.exec(line);
    if (!match) continue;
    const [, id = "", cell = ""] = match;
    const named = [...cell.matchAll(/`([\w.-]+(?:\/[\w.*-]+)+\.[a-z]+)`/g)].map((m) => m[1] ?? "");
    // "same two files" in section A means the two files scenario 1 names.
    if (id === "1") sectionFiles = named;
    found.push({ id, cell, files: cell.startsWith("same two files") ? [...sectionFiles, ...named] : named });
  }
  return found;
}

const isRunTest = (file: string): boolean =>
  /^(packages\/[^/]+\/(src|test)\/|tests\/).*\.test\.ts$/.test(file) && !file.includes("*");

describe("tests/reliability/README.md", () => {
  const all = rows();

  it("has one row for each invariant I1-I10 and each scenario 1-60, in order", () => {
    const expected = [
      ...Array.from({ length: 10 }, (_, i) => `I${i + 1}`),
      ...Array.from({ length: 60 }, (_, i) => `${i + 1}`),
    ];
    expect(all.map((row) => row.id)).toEqual(expected);
  });

  it("names, in every row, at least one test file that vitest runs, and no test still in progress", () => {
    const without = all.filter((row) => !row.files.some(isRunTest)).map((row) => `${row.id}: ${row.cell}`);
    expect(without).toEqual([]);
    expect(readme).not.toMatch(/in progress/i);
  });

  it("names only files that exist", () => {
    const named = [...readme.matchAll(/`([\w.-]+(?:\/[\w.*-]+)+\.[a-z]+)`/g)].map((m) => m[1] ?? "");
    expect(named.length).toBeGreaterThan(60);
    expect(named.filter((file) => file.includes("*") || !existsSync(new URL(file, root)))).toEqual([]);
  });
});
