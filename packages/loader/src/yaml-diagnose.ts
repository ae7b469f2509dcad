import { formatOverridePath } from "@aiq/config-core";
import type { CST, Document, YAMLError } from "yaml";
import type { Position } from "./errors.js";
import { cstKeyName, findUnclosed, type OpenConstruct, pathAt, placeAt } from "./yaml-cst.js";
import { yamlErrorMessage } from "./yaml-messages.js";

/** What went wrong, at the place of the mistake (not only where the parser gave up). */
export interface Diagnosis {
  offset: number;
  path: string;
  message: string;
}

/** What a diagnosis may look at: the text, its token tree and composed document. */
export interface DiagnoseContext {
  text: string;
  tokens: readonly CST.Token[];
  doc: Document.Parsed;
  position(offset: number): Position;
}

const where = (at: Position): string => `line ${at.line}, column ${at.column}`;

/**
 * Explains one of yaml's errors in words that never quote the text (a value may be a secret): an
 * unclosed bracket or quote is reported where it opened, a line that breaks the structure at its
 * own line, each with the dotted path of the enclosing key and, where one is known, the fix.
 */
export function diagnoseYamlError(error: YAMLError, context: DiagnoseContext): Diagnosis {
  const at = error.pos[0];
  if (error.code !== "DUPLICATE_KEY" && error.code !== "MULTIPLE_DOCS") {
    // The first one opened: what follows it was read as its content.
    const open = findUnclosed(context.tokens, at)[0];
    if (open) return unclosed(open, at, context);
  }
  switch (error.code) {
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY":
      return colonInValue(at, context) ?? overIndented(at, context) ?? missingColon(at, context);
    case "BAD_INDENT":
      return misaligned(at, context);
    case "TAB_AS_INDENT": {
      // A tab says nothing about the intended depth: name the mapping of the line above.
      const line = lineAround(context.text, at);
      const above = previousLine(context.text, line);
      const path = above ? parentPath(context, above.start + above.indent) : "";
      return {
        offset: at,
        path,
        message: "this line is indented with a tab; YAML indents with spaces only: replace the tab with spaces",
      };
    }
    case "DUPLICATE_KEY":
      return duplicateKey(at, context);
    case "BAD_SCALAR_START": {
      const char = context.text[at] ?? "";
      const message = `a plain value cannot start with "${char}" (reserved in YAML); put the value in quotes`;
      return { offset: at, path: pathAt(context.tokens, at), message };
    }
    default:
      return { offset: at, path: pathAt(context.tokens, at), message: yamlErrorMessage(error.code) };
  }
}

const OPENERS: Record<OpenConstruct["kind"], { what: string; close: string; fix: string }> = {
  "[": { what: "list", close: "]", fix: 'add "]" after its last item' },
  "{": { what: "mapping", close: "}", fix: 'add "}" after its last entry' },
  '"': { what: "quoted value", close: '"', fix: 'add the closing " where the value ends' },
  "'": { what: "quoted value", close: "'", fix: "add the closing ' where the value ends" },
};

function unclosed(open: OpenConstruct, at: number, context: DiagnoseContext): Diagnosis {
  const { what, close, fix } = OPENERS[open.kind];
  const opened = context.position(open.offset);
  const broke = context.position(at);
  const message = open.runsOn
    ? `the ${what} opened with ${open.kind} at ${where(opened)} runs on over the next lines (the ${close} is missing on line ${opened.line}; parsing broke at ${where(broke)}): ${fix}`
    : `unclosed ${open.kind}: the ${what} that opens at ${where(opened)} is never closed (parsing broke at ${where(broke)}): ${fix}`;
  return { offset: open.offset, path: pathAt(context.tokens, open.offset), message };
}

interface Line {
  start: number;
  text: string;
  indent: number;
}

function lineAround(text: string, offset: number): Line {
  const start = offset === 0 ? 0 : text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", offset);
  const line = text.slice(start, end === -1 ? text.length : end).replace(/\r$/, "");
  return { start, text: line, indent: /^[ \t]*/.exec(line)?.[0].length ?? 0 };
}

function nextLine(text: string, line: Line): Line | undefined {
  for (let start = line.start + line.text.length + 1; start < text.length; ) {
    const next = lineAround(text, start);
    const trimmed = next.text.trim();
    if (trimmed !== "" && !trimmed.startsWith("#")) return next;
    start = next.start + next.text.length + 1;
  }
  return undefined;
}

// A `key:` at the start of a line (after a `- ` list marker), the colon followed by a space or the end.
const LINE_KEY = /^[ \t]*(?:-[ \t]+)?(?:"[^"]*"|'[^']*'|[^\s:#'"][^:#]*?)[ \t]*:(?=[ \t]|$)/;

function parentPath(context: DiagnoseContext, offset: number): string {
  return formatOverridePath(placeAt(context.tokens, offset).segments.slice(0, -1));
}

/** `key: a value: with a colon`: the value holds `: ` and needs quotes. */
function colonInValue(at: number, context: DiagnoseContext): Diagnosis | undefined {
  const line = lineAround(context.text, at);
  const key = LINE_KEY.exec(line.text);
  if (!key) return undefined;
  const rest = line.text.slice(key[0].length);
  const colon = /:(?=[ \t]|$)/.exec(rest.replace(/[ \t]#.*$/, ""));
  if (!colon || rest.trim().startsWith('"') || rest.trim().startsWith("'")) return undefined;
  const valueStart = line.start + key[0].length + (rest.length - rest.trimStart().length);
  const colonAt = context.position(line.start + key[0].length + colon.index);
  const message = `this value holds ": " (at column ${colonAt.column}), which YAML reads as the start of a nested mapping: put the whole value in quotes ("..." or '...')`;
  return { offset: valueStart, path: pathAt(context.tokens, line.start + line.indent), message };
}

/** A line indented deeper than the key above it continues that key's value: the usual slip. */
function overIndented(at: number, context: DiagnoseContext): Diagnosis | undefined {
  const line = lineAround(context.text, at);
  const next = nextLine(context.text, line);
  if (!next || next.indent <= line.indent || !LINE_KEY.test(next.text)) return undefined;
  const above = context.position(line.start + line.indent);
  const message = `this line is indented ${next.indent} spaces, deeper than the key on line ${above.line} (${line.indent}), so YAML reads it as part of that key's value: indent it ${line.indent} spaces like its siblings, or nest it under a key that ends with ":"`;
  return { offset: next.start + next.indent, path: parentPath(context, line.start + line.indent), message };
}

/** The path of the key a line is nested under: the nearest line above it that is indented less. */
function ownerPath(context: DiagnoseContext, line: Line): string {
  for (let above = previousLine(context.text, line); above; above = previousLine(context.text, above)) {
    if (above.indent < line.indent) return pathAt(context.tokens, above.start + above.indent);
  }
  return "";
}

/** `key value` or `key:value`: no `: ` on the line, so it is not a pair. */
function missingColon(at: number, context: DiagnoseContext): Diagnosis {
  const line = lineAround(context.text, at);
  const offset = line.start + line.indent;
  const path = ownerPath(context, line);
  const noSpace = /^[ \t]*(?:-[ \t]+)?[A-Za-z0-9_.-]+:[^\s]/.test(line.text);
  const message = noSpace
    ? 'this line has a ":" with no space after it, so YAML reads the line as one plain word, not a key and its value: write "key: value"'
    : 'this line is not a "key: value" pair: a ":" is missing after the key (or the line belongs to the value above and needs quotes there)';
  return { offset, path, message };
}

function previousLine(text: string, line: Line): Line | undefined {
  for (let end = line.start - 1; end >= 0; ) {
    const previous = lineAround(text, end);
    const trimmed = previous.text.trim();
    if (trimmed !== "" && !trimmed.startsWith("#")) return previous;
    end = previous.start - 1;
  }
  return undefined;
}

/** A line whose indentation matches neither the mapping above it nor its parent. */
function misaligned(at: number, context: DiagnoseContext): Diagnosis {
  const line = lineAround(context.text, at);
  const offset = line.start + line.indent;
  const above = previousLine(context.text, line);
  if (
    above &&
    !line.text.trimStart().startsWith("-") &&
    above.text.trimStart().startsWith("-") &&
    above.indent === line.indent
  ) {
    const path = parentPath(context, above.start + above.indent);
    const message = `this line sits in the list ${path || "(root)"} but is not an item: start it with "- ", or indent it under the item above`;
    return { offset, path, message };
  }
  if (above && above.indent !== line.indent) {
    const path = parentPath(context, above.start + above.indent);
    const message = `this line is indented ${line.indent} spaces, but the line above it (a key of ${path || "the top level"}) is indented ${above.indent}: align it with the keys of the mapping it belongs to`;
    return { offset, path, message };
  }
  return { offset, path: pathAt(context.tokens, offset), message: yamlErrorMessage("BAD_INDENT") };
}

function duplicateKey(at: number, context: DiagnoseContext): Diagnosis {
  const place = placeAt(context.tokens, at);
  const name = place.segments.at(-1);
  const first =
    place.collection?.type === "block-map" || place.collection?.type === "flow-collection"
      ? place.collection.items.find((item) => item.key && item.key.offset < at && name === cstKeyName(item.key))
      : undefined;
  const earlier = first?.key ? ` (first set on line ${context.position(first.key.offset).line})` : "";
  const message = `duplicate key${earlier}: a key may appear only once in a mapping; remove one, or merge the two`;
  return { offset: at, path: formatOverridePath(place.segments), message };
}
