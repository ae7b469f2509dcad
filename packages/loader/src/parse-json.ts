import { type ConfigIssue, formatIssue, formatOverridePath } from "@aiq/config-core";
import type { Document } from "yaml";
import { framedFailure, issueAt, type Position } from "./errors.js";
import { type ConfigEnv, interpolateEnv } from "./interpolate.js";
import { findJsonError, findJsonTooDeep } from "./json-errors.js";
import { type ParseContext, type ParsedFile, composeYaml } from "./parse-yaml.js";
import { pathAt } from "./yaml-cst.js";
import { createFileLocator, type FileLocator } from "./positions.js";
import { encodePositions } from "./position-index.js";

/**
 * Parses JSON text: `JSON.parse` decides validity and builds the data (so JSON means exactly JSON);
 * the same text composed as YAML (JSON is YAML 1.2) finds duplicate keys and keeps positions.
 * Strings are interpolated and always stay strings (JSON has no unquoted scalars).
 * Throws `ConfigValidationError`.
 */
export function parseJson(text: string, context: ParseContext): ParsedFile {
  const { file } = context;
  const tooDeep = findJsonTooDeep(text, context.maxDepth);
  if (tooDeep >= 0) {
    const issue = issueAt(file, `nesting deeper than ${context.maxDepth} levels (maxDepth)`, positionIn(text, tooDeep));
    throw framedFailure("RESOURCE_LIMIT", [issue], file, { text, secretKeys: context.secretKeys });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // V8's message quotes the text around the error: never pass it on, not even as the cause.
    throw framedFailure("SYNTAX", [jsonSyntaxIssue(text, file)], file, { text, secretKeys: context.secretKeys });
  }
  const { compose, lineCounter, tokens } = composeYaml(text);
  const doc = compose()[0] as Document.Parsed;
  const duplicates = doc.errors.filter((error) => error.code === "DUPLICATE_KEY");
  if (duplicates.length > 0) {
    const issues = duplicates.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const message = "duplicate key: each key may appear only once in an object";
      return issueAt(file, message, { line, column: col }, pathAt(tokens, error.pos[0]));
    });
    throw framedFailure("DUPLICATE_KEY", issues, file, { text, secretKeys: context.secretKeys });
  }
  // Valid JSON that yaml reads differently (rare) keeps its data but loses positions.
  const locate: FileLocator =
    doc.errors.length === 0 ? createFileLocator(doc, lineCounter, file) : () => ({ kind: "missing" });
  const warnings: string[] = [];
  data = interpolateJson(data, [], { env: context.env, file, locate, warnings });
  const positions = () => (doc.errors.length === 0 ? encodePositions(doc, lineCounter) : undefined);
  return { data, locate, warnings, positions };
}

function jsonSyntaxIssue(text: string, file: string): ConfigIssue {
  const found = findJsonError(text);
  if (!found) return issueAt(file, "invalid JSON");
  // yaml's token tree of the same text (JSON is YAML) names the key around the error.
  const path = pathAt(composeYaml(text).tokens, found.offset);
  return issueAt(file, `invalid JSON: ${found.message}`, positionIn(text, found.offset), path);
}

interface JsonWalk {
  env: ConfigEnv;
  file: string;
  locate: FileLocator;
  warnings: string[];
}

function interpolateJson(value: unknown, path: (string | number)[], walk: JsonWalk): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    const result = interpolateEnv(value, walk.env);
    for (const name of result.unset) {
      const found = walk.locate(path);
      const at = found.kind === "found" ? found.location : undefined;
      const message = `environment variable ${name} is not set and has no default; using ""`;
      walk.warnings.push(formatIssue(issueAt(walk.file, message, at, formatOverridePath(path))));
    }
    return result.value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = interpolateJson(value[i], [...path, i], walk);
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    // JSON.parse made every key (even "__proto__") an own data property, so assignment stays on it.
    for (const key of Object.keys(record)) record[key] = interpolateJson(record[key], [...path, key], walk);
  }
  return value;
}

/** The 1-based line and column of an offset in a text. */
export function positionIn(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
