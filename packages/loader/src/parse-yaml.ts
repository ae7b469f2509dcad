import type { ConfigErrorCode, ConfigIssue, SecretKeyPattern } from "@aiq/config-core";
import { type CST, Composer, type Document, isScalar, LineCounter, Parser, type YAMLError } from "yaml";
import { framedFailure, issueAt, parseFailure, type Position } from "./errors.js";
import type { ConfigEnv } from "./interpolate.js";
import { encodePositions, type PositionIndex } from "./position-index.js";
import { createFileLocator, type FileLocator, keyString } from "./positions.js";
import { checkTokens, type TokenProblem } from "./yaml-check.js";
import { pathAt } from "./yaml-cst.js";
import { type DiagnoseContext, diagnoseYamlError } from "./yaml-diagnose.js";
import { walkDocument } from "./yaml-walk.js";

/** Limits and environment of one parse. */
export interface ParseContext {
  file: string;
  maxDepth: number;
  maxAliasCount: number;
  env: ConfigEnv;
  /** Extra keys whose values code frames mask. */
  secretKeys: readonly SecretKeyPattern[];
}

/** One parsed file: its data, where its values are, and what it warned about. */
export interface ParsedFile {
  data: unknown;
  locate: FileLocator;
  warnings: string[];
  /** The positions as transferable data (what a worker thread hands back); undefined when it has none. */
  positions(): PositionIndex | undefined;
}

/** Keys compare as the property names they become, so `1:` and `"1":` are duplicates too. */
function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return isScalar(a) && isScalar(b) && keyString(a.value) === keyString(b.value);
}

/** YAML 1.2 core schema: no `<<` merge keys, duplicate keys are errors, messages never quote the source. */
export const YAML_OPTIONS = {
  version: "1.2",
  schema: "core",
  merge: false,
  uniqueKeys: sameKey,
  strict: true,
  prettyErrors: false,
  logLevel: "error",
  intAsBigInt: false,
} as const;

/** Tokenizes and composes YAML text into one document, with its line counter. */
export function composeYaml(text: string): {
  tokens: CST.Token[];
  compose(): Document.Parsed[];
  lineCounter: LineCounter;
} {
  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  return {
    tokens,
    lineCounter,
    compose: () => Array.from(new Composer(YAML_OPTIONS).compose(tokens, true, text.length)),
  };
}

/**
 * Parses YAML text: YAML 1.2 core schema, one document, no tags, `%YAML 1.2` only, bounded depth
 * and alias expansion, `${VAR}` interpolated in values. Throws `ConfigValidationError`.
 */
export function parseYaml(text: string, context: ParseContext): ParsedFile {
  const { file } = context;
  const { tokens, compose, lineCounter } = composeYaml(text);
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problem = checkTokens(tokens, { maxDepth: context.maxDepth, aliases: context.maxAliasCount !== 0 });
  if (problem) throw tokenFailure(problem, context, { text, tokens, position });

  const docs = compose();
  const doc = docs[0] as Document.Parsed;
  const errors: YAMLError[] = [...doc.errors];
  const second = docs[1];
  if (second) errors.push({ code: "MULTIPLE_DOCS", pos: [second.range[0], second.range[1]] } as YAMLError);
  if (errors.length > 0) throw yamlFailure(errors, context, { text, tokens, doc, position });

  const walked = walkDocument(doc, lineCounter, file, context.env);
  if (walked.issues.length > 0)
    throw framedFailure("SYNTAX", walked.issues, file, { text, secretKeys: context.secretKeys });
  if (walked.height > context.maxDepth) {
    const message = `nesting deeper than ${context.maxDepth} levels once aliases are expanded (maxDepth)`;
    throw parseFailure("RESOURCE_LIMIT", [issueAt(file, message)], file);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: context.maxAliasCount });
  } catch (error) {
    // yaml throws a ReferenceError when alias expansion passes maxAliasCount (a "billion laughs").
    if (error instanceof ReferenceError || error instanceof RangeError) {
      const message = `aliases expand too many times (more than maxAliasCount ${context.maxAliasCount})`;
      throw parseFailure("RESOURCE_LIMIT", [issueAt(file, message)], file, error);
    }
    throw error;
  }
  return {
    data,
    locate: createFileLocator(doc, lineCounter, file),
    warnings: walked.warnings,
    positions: () => encodePositions(doc, lineCounter),
  };
}

function tokenFailure(problem: TokenProblem, context: ParseContext, at: Omit<DiagnoseContext, "doc">): Error {
  const { file } = context;
  const fail = (code: ConfigErrorCode, message: string): Error =>
    framedFailure(
      code,
      [issueAt(file, message, at.position(problem.offset), pathAt(at.tokens, problem.offset))],
      file,
      {
        text: at.text,
        secretKeys: context.secretKeys,
      },
    );
  switch (problem.kind) {
    case "depth":
      return fail("RESOURCE_LIMIT", `nesting deeper than ${context.maxDepth} levels (maxDepth)`);
    case "alias":
      return fail("RESOURCE_LIMIT", "aliases are disabled (maxAliasCount: 0)");
    case "directive":
      return fail(
        "SYNTAX",
        `YAML ${problem.version} is not supported (%YAML directive); config files are YAML 1.2, where 'no' is a string and '<<' an ordinary key`,
      );
    case "tag":
      return fail(
        "UNSUPPORTED_TAG",
        "explicit tags (!tag, !!type) are not supported; only plain values, lists and mappings",
      );
  }
}

function yamlFailure(errors: readonly YAMLError[], context: ParseContext, diagnose: DiagnoseContext): Error {
  const issues: ConfigIssue[] = [];
  const lines = new Set<number>();
  for (const error of errors) {
    const found = diagnoseYamlError(error, diagnose);
    const at = diagnose.position(found.offset);
    // yaml often reports one mistake several times along its line (and an unclosed bracket at each
    // line it swallows, all diagnosed at the bracket): one issue per line.
    if (lines.has(at.line)) continue;
    lines.add(at.line);
    issues.push(issueAt(context.file, found.message, at, found.path));
  }
  const code = errors.every((error) => error.code === "DUPLICATE_KEY")
    ? "DUPLICATE_KEY"
    : errors.some((error) => error.code === "RESOURCE_EXHAUSTION")
      ? "RESOURCE_LIMIT"
      : "SYNTAX";
  return framedFailure(code, issues, context.file, { text: diagnose.text, secretKeys: context.secretKeys });
}
