import type { CST } from "yaml";

/** Why a token tree was refused before composing it. */
export interface TokenProblem {
  kind: "depth" | "tag" | "alias" | "directive";
  /** Offset in the text where the problem is. */
  offset: number;
  /** The `%YAML` version, for a directive problem. */
  version?: string;
}

/**
 * Checks yaml's token tree (built without recursion) before it is composed into nodes (which
 * recurses per level): nesting deeper than `maxDepth`, any explicit tag, a `%YAML` directive other
 * than 1.2, and, when aliases are disabled, any alias. Returns the first problem found.
 */
export function checkTokens(
  tokens: readonly CST.Token[],
  limits: { maxDepth: number; aliases: boolean },
): TokenProblem | undefined {
  // Two parallel stacks (token, its depth): no pair allocated per token.
  const stack: CST.Token[] = [];
  const depths: number[] = [];
  const push = (token: CST.Token, depth: number): void => {
    stack.push(token);
    depths.push(depth);
  };
  for (let i = tokens.length - 1; i >= 0; i--) push(tokens[i] as CST.Token, 0);
  while (stack.length > 0) {
    const token = stack.pop() as CST.Token;
    const depth = depths.pop() as number;
    switch (token.type) {
      case "directive": {
        const version = /^%YAML[ \t]+(\S+)/.exec(token.source)?.[1];
        if (version !== undefined && version !== "1.2") return { kind: "directive", offset: token.offset, version };
        break;
      }
      case "document": {
        const tag = findTag(token.start) ?? findTag(token.end);
        if (tag) return tag;
        if (token.value) push(token.value, depth);
        break;
      }
      case "alias":
        if (!limits.aliases) return { kind: "alias", offset: token.offset };
        break;
      case "block-scalar": {
        const tag = findTag(token.props);
        if (tag) return tag;
        break;
      }
      case "block-map":
      case "block-seq":
      case "flow-collection": {
        if (depth + 1 > limits.maxDepth) return { kind: "depth", offset: token.offset };
        const tag = token.type === "flow-collection" ? findTag(token.end) : undefined;
        if (tag) return tag;
        for (let j = token.items.length - 1; j >= 0; j--) {
          const item = token.items[j] as CST.CollectionItem;
          const itemTag = findTag(item.start) ?? findTag(item.sep);
          if (itemTag) return itemTag;
          if (item.value) push(item.value, depth + 1);
          if (item.key) push(item.key, depth + 1);
        }
        break;
      }
      case "tag":
        return { kind: "tag", offset: token.offset };
      default:
        if ("end" in token && Array.isArray(token.end)) {
          const tag = findTag(token.end);
          if (tag) return tag;
        }
    }
  }
  return undefined;
}

function findTag(tokens: readonly CST.Token[] | undefined): TokenProblem | undefined {
  for (const token of tokens ?? []) if (token.type === "tag") return { kind: "tag", offset: token.offset };
  return undefined;
}
