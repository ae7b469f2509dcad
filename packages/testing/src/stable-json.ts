import { createHash } from "node:crypto";

// Keys sorted at every level, so two equal documents always hash the same whatever their key order.
function stableStringify(value: unknown, seen: Set<object>): string | undefined {
  if (value !== null && typeof value === "object") {
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === "function") return stableStringify(withJson.toJSON(), seen);
    if (seen.has(value)) throw new TypeError("MemorySource: the data contains a cycle and cannot be hashed.");
    seen.add(value);
    try {
      if (Array.isArray(value)) {
        return `[${value.map((item) => stableStringify(item, seen) ?? "null").join(",")}]`;
      }
      const entries: string[] = [];
      for (const key of Object.keys(value).sort()) {
        const item = stableStringify((value as Record<string, unknown>)[key], seen);
        if (item !== undefined) entries.push(`${JSON.stringify(key)}:${item}`);
      }
      return `{${entries.join(",")}}`;
    } finally {
      seen.delete(value);
    }
  }
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(value);
}

/**
 * The sha-256 hex of a key-order-independent JSON form of `data` (what `MemorySource` reports as its checksum).
 * @param data - any JSON-like value
 * @returns 64 hex characters
 */
export function checksumOf(data: unknown): string {
  return createHash("sha256")
    .update(stableStringify(data, new Set()) ?? "undefined")
    .digest("hex");
}
