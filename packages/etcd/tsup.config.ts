import { definePackageConfig } from "../../tsup.shared.js";

export default definePackageConfig();
