// The same suite under vitest: `vitest run --config vitest.config.mjs` (no aliases, so the
// @aiq/config-* imports resolve through node_modules to each package's dist/).
import { it } from "vitest";
import { serviceTests, TEST_TIMEOUT_MS } from "./service-tests.mjs";

for (const [name, body] of serviceTests) {
  it(name, () => body(), TEST_TIMEOUT_MS);
}
