// A connected service for the runner benchmarks (src/runner.mjs): its own manager on the config file,
// `connectRunner(manager) ?? autoReload(manager)` (hand-off under `aiq-config run`, in-process
// reloads outside it: the baseline), and one `applied <save> <t>` line per config it comes to hold,
// on the shared monotonic clock.
import { createConfigManager } from "@aiq/config-loader";
import { autoReload, connectRunner } from "@aiq/config-watcher";

const now = () => Number(process.hrtime.bigint()) / 1e6;
const say = (line) => process.stdout.write(`[service ${process.pid}] ${line}\n`);
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
const manager = await createConfigManager(process.env.AIQ_CONFIG_FILE ?? process.argv[2]);
manager.subscribe((config) => say(`applied ${config.llms.main_llm.max_tokens - 1000} ${now().toFixed(3)}`));
const connection = connectRunner(manager);
if (connection) await connection.ready;
else await autoReload(manager).ready();
say(`ready ${connection ? "connected" : "autoReload"} ${manager.currentConfig.llms.main_llm.max_tokens - 1000}`);
