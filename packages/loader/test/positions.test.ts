import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/index.js";

const file = "/cfg/config.yml";
const text = [
  "llms:", //                       1
  "  main_llm:", //                 2
  "    model: gpt-4o", //           3
  "    temperature: 0.7", //        4
  "    stop:", //                   5
  "      - one", //                 6
  "      - two", //                 7
  "    empty:", //                  8
  "  fallback: &f {model: small}", // 9
  "  copy: *f", //                  10
  "'1': numeric key", //            11
  "",
].join("\n");

describe("locate", () => {
  const { locate } = parseConfig(text, { filename: file, env: {} });

  it("gives the 1-based line and column of a nested value, with the file", () => {
    expect(locate(["llms", "main_llm", "temperature"])).toEqual({ line: 4, column: 18, file });
    expect(locate(["llms", "main_llm", "model"])).toEqual({ line: 3, column: 12, file });
  });

  it("gives the place of a mapping or list value where it starts", () => {
    expect(locate(["llms", "main_llm"])).toEqual({ line: 3, column: 5, file });
    expect(locate(["llms", "main_llm", "stop"])).toEqual({ line: 6, column: 7, file });
    expect(locate([])).toEqual({ line: 1, column: 1, file });
  });

  it("indexes lists by number or numeric string", () => {
    expect(locate(["llms", "main_llm", "stop", 1])).toEqual({ line: 7, column: 9, file });
    expect(locate(["llms", "main_llm", "stop", "0"])).toEqual({ line: 6, column: 9, file });
  });

  it("gives the key's place when the value is empty", () => {
    expect(locate(["llms", "main_llm", "empty"])).toEqual({ line: 8, column: 5, file });
  });

  it("follows aliases to where the anchored value was written", () => {
    expect(locate(["llms", "copy", "model"])).toEqual({ line: 9, column: 24, file });
  });

  it("matches keys by the property name they become", () => {
    expect(locate(["1"])).toEqual({ line: 11, column: 6, file });
  });

  it("answers undefined for a path that is not there", () => {
    expect(locate(["llms", "nope"])).toBeUndefined();
    expect(locate(["llms", "main_llm", "stop", 5])).toBeUndefined();
    expect(locate(["llms", "main_llm", "model", "deeper"])).toBeUndefined();
  });
});
