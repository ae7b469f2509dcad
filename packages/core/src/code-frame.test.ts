import { describe, expect, it } from "vitest";
import { rejectedValidationError } from "../../../tests/support/validation-error.js";
import { formatCodeFrame } from "./code-frame.js";
import { resolveConfig } from "./pipeline.js";

const TEXT = [
  "llms:",
  "  main_llm:",
  "    _type: nim",
  "    api_key: sk-CANARY-1",
  "    temprature: 0.5",
  "    max_tokens: 0",
  "",
].join("\n");

describe("formatCodeFrame", () => {
  it("shows two lines around the position with a caret, secret values masked", () => {
    expect(formatCodeFrame(TEXT, { line: 5, column: 5 })).toBe(
      [
        "  3 |     _type: nim",
        "  4 |     api_key: ***",
        "> 5 |     temprature: 0.5",
        "    |     ^",
        "  6 |     max_tokens: 0",
      ].join("\n"),
    );
  });

  it("masks what is nested under a secret key, flow mappings, JSON and a line whose colon is missing", () => {
    const text = [
      "credentials:",
      "  user: CANARY-a",
      "private_key: |",
      "  CANARY-b",
      "x: {model: m, token: CANARY-c}",
      '{"password": "CANARY-d"}',
      "    api_key CANARY-e",
      "    secret:CANARY-f",
    ].join("\n");
    const frame = formatCodeFrame(text, { line: 4, column: 1 }, { linesAround: 10 });
    expect(frame).not.toContain("CANARY");
    expect(frame).toContain("  2 |   ***");
    expect(frame).toContain("  5 | x: {model: m, token: ***");
    expect(frame).toContain('  6 | {"password": ***');
    expect(frame).toContain("  7 |     api_key ***");
  });

  it("masks the manager's secretKeys (a dotted pattern by its last key) and known secret values anywhere", () => {
    const text = "llms:\n  a:\n    endpoint: https://CANARY-1.example\n    model: CANARY-2\n";
    const frame = formatCodeFrame(text, { line: 3 }, { secretKeys: ["llms.*.endpoint"], secrets: ["CANARY-2"] });
    expect(frame).toBe(["  1 | llms:", "  2 |   a:", "> 3 |     endpoint: ***", "  4 |     model: ***"].join("\n"));
  });

  it("masks tokens that look like credentials under any key; ordinary long words stay", () => {
    const text =
      "workflow:\n  llm_name: nvapi-CANARY_x1\n  note: ghp_CANARY2 and 9f8e7d6c5b4a39281706aBcD\n  prompt: internationalization\n";
    const frame = formatCodeFrame(text, { line: 2, column: 13 });
    expect(frame).not.toContain("CANARY");
    expect(frame).toContain("  3 |   note: *** and ***");
    expect(frame).toContain("  4 |   prompt: internationalization");
  });

  it("keeps the caret under its column on a long line and shows tabs as arrows", () => {
    const long = `key: ${"x".repeat(300)}`;
    const frame = formatCodeFrame(long, { line: 1, column: 250 });
    const [line, caret] = frame.split("\n") as [string, string];
    expect(line.startsWith("> 1 | …")).toBe(true);
    expect(line.length).toBeLessThan(140);
    expect(caret.indexOf("^")).toBeGreaterThan(0);
    expect(line[caret.indexOf("^")]).toBe("x");
    expect(formatCodeFrame("a:\n\tb: 1", { line: 2, column: 1 })).toBe(
      ["  1 | a:", "> 2 | →b: 1", "    | ^"].join("\n"),
    );
  });

  it("is empty for a line outside the text", () => {
    expect(formatCodeFrame("a: 1\n", { line: 2 })).toBe("");
    expect(formatCodeFrame("a: 1", { line: 0 })).toBe("");
  });
});

describe("frames of a failed resolve", () => {
  it("puts a frame, built from the document's text, under each schema issue; none without the text", async () => {
    const data = { llms: { main_llm: { _type: "nim", api_key: "sk-CANARY-1", temprature: 0.5, max_tokens: 0 } } };
    const locate = (path: readonly (string | number)[]) =>
      path.join(".") === "llms.main_llm.max_tokens" ? { line: 6, column: 17 } : undefined;
    const failure = (document: Parameters<typeof resolveConfig>[0]) =>
      rejectedValidationError(resolveConfig(document, { sourceId: "config.yml" }));
    const framed = await failure({
      data,
      checksum: "x",
      locate,
      sourceText: (file) => (file === "config.yml" ? TEXT : undefined),
    });
    expect(framed.issues).toEqual([
      expect.objectContaining({
        path: "llms.main_llm.max_tokens",
        line: 6,
        column: 17,
        frame: expect.stringContaining("> 6 |     max_tokens: 0"),
      }),
    ]);
    expect(JSON.stringify(framed.issues)).not.toContain("CANARY");
    const plain = await failure({ data, checksum: "x", locate });
    expect(plain.issues[0]?.frame).toBeUndefined();
  });
});
