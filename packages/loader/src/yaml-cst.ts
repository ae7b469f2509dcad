import { formatOverridePath, isSecretKey } from "@aiq/config-core";
import type { CST } from "yaml";

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

/** Where an offset sits in yaml's token tree: the dotted path of the enclosing key, and its collection. */
export interface CstPlace {
  /** Keys and indexes down to the innermost item holding the offset. */
  segments: (string | number)[];
  /** The innermost collection holding the offset, if any. */
  collection?: Collection;
}

function isCollection(token: CST.Token | undefined): token is Collection {
  return token?.type === "block-map" || token?.type === "block-seq" || token?.type === "flow-collection";
}

function itemStart(item: CST.CollectionItem): number {
  const first = item.start[0] ?? item.key ?? item.sep?.[0] ?? item.value;
  return first?.offset ?? Number.POSITIVE_INFINITY;
}

/** The name a key token stands for (quotes removed); keys are names, never secret values. */
export function cstKeyName(token: CST.Token | null | undefined): string {
  if (!token) return "";
  if (token.type === "scalar") return token.source.trim();
  if (token.type === "double-quoted-scalar" || token.type === "single-quoted-scalar") return token.source.slice(1, -1);
  return "";
}

/**
 * Finds the innermost item of the token tree that holds `offset`, by offsets alone (the tree exists
 * even for a document that does not compose), and the path of keys and indexes leading to it.
 */
export function placeAt(tokens: readonly CST.Token[], offset: number): CstPlace {
  const document =
    tokens.find((token): token is CST.Document => token.type === "document" && token.offset <= offset) ??
    tokens.find((token): token is CST.Document => token.type === "document");
  const place: CstPlace = { segments: [] };
  let token: CST.Token | undefined = document?.value;
  let inFlow = false;
  while (isCollection(token)) {
    // A block collection inside a flow one is how yaml recovers from broken text: not real structure.
    if (inFlow && token.type !== "flow-collection") break;
    inFlow = token.type === "flow-collection";
    // Past the closing bracket of a flow collection is no longer inside it.
    if (
      token.type === "flow-collection" &&
      token.end.some((end) => (end.type === "flow-map-end" || end.type === "flow-seq-end") && end.offset < offset)
    )
      break;
    place.collection = token;
    let index = -1;
    token.items.forEach((item, i) => {
      if (itemStart(item) <= offset) index = i;
    });
    const item = token.items[index];
    if (!item) break;
    // Past the end of a plain value (on a later line, say) is no longer inside its item.
    const value = item.value;
    if (value && !isCollection(value) && "source" in value && offset > value.offset + value.source.length) break;
    const mapping =
      token.type === "block-map" || (token.type === "flow-collection" && token.start.type === "flow-map-start");
    const segment = mapping ? cstKeyName(item.key) : index;
    // In a broken document a value can be read as a key: name no key that is empty or spans lines,
    // and nothing below a secret key (what is there may be the secret itself).
    if (typeof segment === "string" && (segment === "" || /[\r\n]/.test(segment))) break;
    place.segments.push(segment);
    if (isSecretKey(segment)) break;
    token = item.value && item.value.offset <= offset ? item.value : undefined;
  }
  return place;
}

/** The dotted path of the key enclosing `offset`. */
export function pathAt(tokens: readonly CST.Token[], offset: number): string {
  return formatOverridePath(placeAt(tokens, offset).segments);
}

/** A construct that opens and must be closed: a flow collection or a quoted value. */
export interface OpenConstruct {
  kind: "[" | "{" | '"' | "'";
  offset: number;
  /** True when it is closed, but only after running on past a line that looks like a `key:`. */
  runsOn: boolean;
}

const KEY_LINE = /\n[ \t]*[A-Za-z0-9_.-]+:(?:[ \t]|$)/m;

/**
 * The constructs opened before `limit` that are never closed (or, for quotes, are closed only after
 * swallowing a `key:` line): the usual reason a parser breaks far below the real mistake.
 */
export function findUnclosed(tokens: readonly CST.Token[], limit: number): OpenConstruct[] {
  const found: OpenConstruct[] = [];
  const stack: CST.Token[] = [...tokens];
  while (stack.length > 0) {
    const token = stack.pop() as CST.Token;
    if (token.offset > limit) continue;
    switch (token.type) {
      case "document":
        if (token.value) stack.push(token.value);
        break;
      case "block-map":
      case "block-seq":
      case "flow-collection":
        if (
          token.type === "flow-collection" &&
          !token.end.some((t) => t.type === "flow-map-end" || t.type === "flow-seq-end")
        ) {
          found.push({ kind: token.start.type === "flow-map-start" ? "{" : "[", offset: token.offset, runsOn: false });
        }
        for (const item of token.items) {
          if (item.key) stack.push(item.key);
          if (item.value) stack.push(item.value);
        }
        break;
      case "double-quoted-scalar":
      case "single-quoted-scalar": {
        const quote = token.type === "double-quoted-scalar" ? '"' : "'";
        const closed =
          quote === '"' ? /[^\\](?:\\\\)*"$/.test(token.source) : (token.source.match(/'/g)?.length ?? 0) % 2 === 0;
        if (!closed || KEY_LINE.test(token.source)) found.push({ kind: quote, offset: token.offset, runsOn: closed });
        break;
      }
      default:
        break;
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}
