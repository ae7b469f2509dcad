/** Where a JSON text first goes wrong, and how, in words that never quote the text. */
export interface JsonSyntaxError {
  /** Where the mistake is: for a string never closed, where it opens. */
  offset: number;
  message: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Finds the first syntax error of a JSON text. `JSON.parse` says whether the text is valid, but its
 * message quotes the text around the error (possibly a secret) and not always the position; this
 * scanner is only run once `JSON.parse` has failed. Nesting is already bounded by the caller.
 * @returns the error, or undefined if the scanner finds the text valid
 */
export function findJsonError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const fail = (message: string): never => {
    throw new Stop(i, i >= text.length ? "unexpected end of input (is a bracket, brace or quote missing?)" : message);
  };
  const string = (): void => {
    const start = i;
    i++;
    for (;;) {
      // A string that reaches the end of its line (or of the text) was never closed: say where it opens.
      if (i >= text.length || text[i] === "\n" || text[i] === "\r") {
        throw new Stop(start, "unclosed string: the string that opens here has no closing '\"' on its line; add it");
      }
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return;
      }
      if (code < 0x20) fail("control character in a string (use an escape such as \\t)");
      if (code === 0x5c) {
        const next = text[i + 1];
        if (next === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("invalid \\u escape in a string");
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else fail("invalid escape in a string");
      } else i++;
    }
  };
  const number = (): void => {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;
    match.lastIndex = i;
    if (!match.exec(text)) fail("invalid number");
    i = match.lastIndex;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail("unexpected character (strings need double quotes)");
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") object();
    else if (ch === "[") array();
    else if (ch === '"') string();
    else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) number();
    else if (ch === "t") literal("true");
    else if (ch === "f") literal("false");
    else if (ch === "n") literal("null");
    else fail("expected a value");
  };
  const object = (): void => {
    i++;
    ws();
    if (text[i] === "}") {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail("expected a double-quoted property name (no trailing commas in JSON)");
      string();
      ws();
      if (text[i] !== ":") fail("expected ':' after a property name");
      i++;
      value();
      ws();
      if (text[i] === ",") i++;
      else if (text[i] === "}") {
        i++;
        return;
      } else fail("expected ',' or '}' after a property value");
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === "]") {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      if (text[i] === ",") {
        i++;
        ws();
        if (text[i] === "]") fail("trailing comma in an array");
      } else if (text[i] === "]") {
        i++;
        return;
      } else fail("expected ',' or ']' after an array element");
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail("unexpected content after the JSON value");
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return { offset: Math.min(error.offset, text.length), message: error.message };
    throw error;
  }
}

/**
 * The deepest bracket nesting of a JSON text, scanning without recursion, stopping as soon as it
 * passes `limit`.
 * @returns the offset of the first bracket deeper than `limit`, or -1
 */
export function findJsonTooDeep(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return i;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return -1;
}
