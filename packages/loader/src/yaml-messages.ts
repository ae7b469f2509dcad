import type { ErrorCode } from "yaml";

// yaml's own messages sometimes quote the source (`Unexpected scalar token in YAML stream: "..."`),
// which may be a secret on that line; these fixed texts say the same without it.
const MESSAGES: Record<ErrorCode, string> = {
  ALIAS_PROPS: "an alias cannot have an anchor or a tag",
  BAD_ALIAS: "invalid alias or anchor",
  BAD_COLLECTION_TYPE: "a collection of the wrong kind for its tag",
  BAD_DIRECTIVE: "invalid directive",
  BAD_DQ_ESCAPE: "invalid escape sequence in a double-quoted string",
  BAD_INDENT: "bad indentation",
  BAD_PROP_ORDER: "an anchor and a tag in the wrong order",
  BAD_SCALAR_START: "a plain value cannot start with this character; quote the value",
  BLOCK_AS_IMPLICIT_KEY: "a block collection cannot be a mapping key",
  BLOCK_IN_FLOW: "a block collection cannot be inside a flow collection ([ ] or { })",
  DUPLICATE_KEY: "duplicate key: each key may appear only once in a mapping",
  IMPOSSIBLE: "the YAML parser reached an impossible state",
  KEY_OVER_1024_CHARS: "a mapping key longer than 1024 characters must be an explicit key (? key)",
  MISSING_CHAR: "a closing quote, bracket or brace is missing",
  MULTILINE_IMPLICIT_KEY: "a mapping key must be on a single line (is a ':' or an indentation wrong?)",
  MULTIPLE_ANCHORS: "a node can have only one anchor",
  MULTIPLE_DOCS: "the file holds more than one YAML document (---); a config file holds exactly one",
  MULTIPLE_TAGS: "a node can have only one tag",
  NON_STRING_KEY: "mapping keys must be strings",
  RESOURCE_EXHAUSTION: "the document is nested too deeply to parse",
  TAB_AS_INDENT: "tabs cannot be used for indentation; use spaces",
  TAG_RESOLVE_FAILED: "tags are not supported",
  UNEXPECTED_TOKEN: "unexpected content (is a ':' missing, or the indentation wrong?)",
};

/** A message for one of yaml's error codes that never contains source text. */
export function yamlErrorMessage(code: ErrorCode): string {
  return MESSAGES[code] ?? "invalid YAML";
}
