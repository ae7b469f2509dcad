export { createCli, runCli } from "./cli.js";
export type { CreateCliOptions } from "./cli.js";
export type { AiqCliContext } from "./context.js";
export { formatSummary, summarizeConfig } from "./summary.js";
export type { ConfigSummary } from "./summary.js";
export { normalizeArgv } from "./argv.js";
