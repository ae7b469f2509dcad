import { describe, expect, it } from "vitest";
import { collectSecrets, isSecretKey, isSecretPath, redactConfig, redactText } from "./redact.js";

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
