import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  collectSecrets,
  collectSecretsInSlices,
  isSecretKey,
  isSecretPath,
  redactConfig,
  redactText,
  type SecretKeyPattern,
} from "./redact.js";

describe("isSecretKey", () => {
  it.each([
    "api_key",
    "API_KEY",
    "openai_api_key",
    "token",
    "access_token",
    "password",
    "db_password",
    "secret",
    "client_secret",
    "private_key",
  ])("treats %s as secret", (key) => expect(isSecretKey(key)).toBe(true));
  it.each(["max_tokens", "temperature", "model_name", "keys", "tokenizer", "llm_name"])("treats %s as plain", (key) =>
    expect(isSecretKey(key)).toBe(false),
  );
  it("takes extra keys and patterns", () => {
    expect(isSecretKey("endpoint", ["ENDPOINT"])).toBe(true);
    expect(isSecretKey("session_cookie", [/cookie/])).toBe(true);
    expect(isSecretPath(["llms", "a", "endpoint"], ["llms.*.endpoint"])).toBe(true);
    expect(isSecretPath(["tools", "a", "endpoint"], ["llms.*.endpoint"])).toBe(false);
  });
});

describe("redaction", () => {
  const config = { llms: { a: { api_key: "sk-CANARY-123", model: "m" } }, list: [{ token: "tok-abcdef" }] };
  it("collects secret values and hides them in any text", () => {
    const secrets = collectSecrets(config);
    expect([...secrets].sort()).toEqual(["sk-CANARY-123", "tok-abcdef"]);
    expect(redactText('expected /^x/ but received "sk-CANARY-123"', secrets)).toBe('expected /^x/ but received "***"');
  });
  it("copies a config with secret values replaced and the original untouched", () => {
    const shown = redactConfig(config);
    expect(shown.llms.a).toEqual({ api_key: "***", model: "m" });
    expect(shown.list[0]).toEqual({ token: "***" });
    expect(config.llms.a.api_key).toBe("sk-CANARY-123");
    expect(JSON.stringify(shown)).not.toContain("CANARY");
  });
  it("leaves empty secrets visible as empty, so a missing key is diagnosable", () => {
    expect(redactConfig({ api_key: "" })).toEqual({ api_key: "" });
  });
});

describe("isSecretPath: the one rule core and the CLI share", () => {
  it("hides a value at or anywhere under a secret key", () => {
    expect(isSecretPath(["llms", "main_llm", "api_key"])).toBe(true);
    expect(isSecretPath(["credentials", "user"])).toBe(true);
    expect(isSecretPath(["llms", "main_llm", "temperature"])).toBe(false);
  });

  it("hides a value at or under a dotted pattern, and only there", () => {
    expect(isSecretPath(["llms", "a", "endpoint"], ["llms.*.endpoint"])).toBe(true);
    expect(isSecretPath(["llms", "a", "endpoint", "host"], ["llms.*.endpoint"])).toBe(true);
    expect(isSecretPath(["llms", "a"], ["llms.*.endpoint"])).toBe(false);
  });
});

describe("collectSecrets", () => {
  // The rule as written: a value is secret when isSecretPath says so for its whole path.
  function reference(value: unknown, extra: readonly (string | RegExp)[], path: (string | number)[] = []): string[] {
    if (typeof value !== "object" || value === null) return [];
    return Object.entries(value).flatMap(([key, child]) => {
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      if (isSecretPath(at, extra) && (typeof child === "string" || typeof child === "number")) {
        const text = String(child);
        return text.length >= 4 && text !== "***" ? [text] : [];
      }
      return reference(child, extra, at);
    });
  }

  it("collects exactly the values whose path isSecretPath calls secret", () => {
    const key = fc.constantFrom("api_key", "token", "llms", "endpoint", "name", "credentials", "x", "0");
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", maxDepth: 4 },
        fc.oneof(fc.string({ minLength: 3, maxLength: 6 }), fc.integer({ min: 999, max: 99_999 }), fc.constant(null)),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    const extra = fc.subarray(["name", "llms.*.endpoint", "*.x", /^end/]);
    fc.assert(
      fc.property(tree, extra, (value, patterns) => {
        expect([...collectSecrets(value, patterns)].sort()).toEqual([...new Set(reference(value, patterns))].sort());
      }),
    );
  });
});

// Small trees over few keys, secret and not, so secrets sit at every depth and repeat.
const secretTree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("value-1", "value-22", "sk-333333", 12345, "", null),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("api_key", "name", "token", "list", "inner"), tie("node"), { maxKeys: 3 }),
  ),
})).node;

describe("collectSecretsInSlices", () => {
  it("finds the values collectSecrets finds, in the same order, pausing between subtrees", async () => {
    await fc.assert(
      fc.asyncProperty(
        secretTree,
        fc.constantFrom<SecretKeyPattern[]>([], ["name"], ["inner.*.name", "list.0"]),
        async (value, extra) => {
          const whole = [...collectSecrets(value, extra)];
          const sliced = await collectSecretsInSlices(
            value,
            extra,
            () => new Promise((resolve) => setImmediate(resolve)),
          );
          expect([...sliced]).toEqual(whole);
        },
      ),
    );
  });
});
