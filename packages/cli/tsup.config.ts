import { definePackageConfig } from "../../tsup.shared.js";

export default definePackageConfig({ entry: ["src/index.ts", "src/bin.ts"] });
