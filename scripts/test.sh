#!/usr/bin/env bash
# The whole test command (`pnpm test`): what CI runs and what the README promises.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

echo "== build, typecheck, lint (turbo)"
turbo run build typecheck lint --output-logs=errors-only
echo "== format and lint of the whole tree: sources, tests, bench, examples, scripts (biome check)"
biome check .
echo "== typecheck tests and examples against the sources"
tsc -p tsconfig.json
echo "== unit, type, property-based and end-to-end tests"
vitest run
echo "== prototype-pollution tests under --disable-proto=throw"
NODE_OPTIONS=--disable-proto=throw vitest run tests/reliability/pollution.test.ts packages/core/src/override-pollution.test.ts --typecheck.enabled=false
echo "== examples/consumer-app through the published entry points (node:test, then vitest)"
(cd examples/consumer-app && node --test test/node.test.mjs && vitest run --config vitest.config.mjs)
echo "== what would be published: publint + attw"
node scripts/check-packages.mjs
