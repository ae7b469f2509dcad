#!/usr/bin/env node
// One process of the fleet: takes its config from etcd and logs each revision it applies or refuses.
// Usage: AIQ_ETCD_ENDPOINTS=http://127.0.0.1:23790 node service.mjs NAME [KEY]   (SIGINT/SIGTERM stop it)
import { createConsoleLogger, formatIssue } from "@aiq/config-core";
import { createEtcdConfigManager } from "@aiq/config-etcd";
import { ConfigEventType, createEventManager } from "@aiq/config-events";

const name = process.argv[2] ?? `pid ${process.pid}`;
const key = process.argv[3] ?? "aiq/demo/agent.yml";
const log = (line) => console.log(`${new Date().toISOString().slice(11, 23)} [${name}] ${line}`);
const events = createEventManager();
const manager = await createEtcdConfigManager({ key, events, logger: createConsoleLogger("error") });
const temperature = () => manager.currentConfig.llms.main_llm.temperature;

log(`started on revision ${manager.status.sourceRevision}: temperature ${temperature()}`);
manager.subscribe(() => log(`applied revision ${manager.status.sourceRevision}: temperature ${temperature()}`));
events.registerHandler((event) => {
  const issues = event.error?.issues?.map((issue) => formatIssue(issue)).join("; ") ?? event.error?.message;
  log(`refused ${issues}; keeping revision ${manager.status.sourceRevision}`);
}, ConfigEventType.CONFIG_RELOAD_FAILED);

const stop = async () => {
  await manager.close();
  log("stopped");
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
