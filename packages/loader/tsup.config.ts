import { definePackageConfig } from "../../tsup.shared.js";

// The parse worker is an entry of its own (the bundle starts it from dist/parse-worker.js), with no
// types: nothing imports it.
export default definePackageConfig({
  entry: ["src/index.ts", "src/parse-worker.ts"],
  dts: { entry: "src/index.ts" },
});
