// The suite under node:test: `node --test test/node.test.mjs`.
import { test } from "node:test";
import { serviceTests, TEST_TIMEOUT_MS } from "./service-tests.mjs";

for (const [name, body] of serviceTests) {
  test(name, { timeout: TEST_TIMEOUT_MS }, () => body());
}
