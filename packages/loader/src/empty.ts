import type { ConfigFormat } from "./parse.js";

// A line with no content: blank, a comment, a directive (`%YAML 1.2`) or a document marker (`---`,
// `...`, with an optional comment). `#` starts a comment at the start of a line or after a blank.
const YAML_EMPTY_LINE = /^(?:[ \t]*(?:#[^\n]*)?|%[^\n]*|(?:---|\.\.\.)(?:[ \t]+(?:#[^\n]*)?)?)$/;
const JSON_BLANK = /^[ \t\r\n]*$/;

/**
 * Tells whether a config text holds no document at all: nothing, or only whitespace (JSON); only
 * blank lines, comments, directives and document markers (YAML, which parses it as `null`). Such a
 * text is what a read sees in the middle of a truncate-then-write save, so it is never a candidate.
 * An explicit `null` or `~` is a document (the schema decides on it), not an empty one.
 * @param text the text, without a byte order mark
 * @param format its format
 */
export function isEmptyDocument(text: string, format: ConfigFormat): boolean {
  if (format === "json") return JSON_BLANK.test(text);
  // Line by line, stopping at the first with content: a real config stops at its first line.
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf("\n", start);
    const stop = end === -1 ? text.length : end;
    const line = text.slice(start, text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop);
    if (!YAML_EMPTY_LINE.test(line)) return false;
    if (end === -1) break;
    start = end + 1;
  }
  return true;
}
