// A service process of the fleet tests and the bench: follows one etcd key through the BUILT
// @aiq/config-etcd (dist/, what a user installs) and reports on stdout, one JSON object a line:
//   { event: "ready", status }            once the manager is created and the watch is up
//   { event: "status", status, t }        whenever revision, version, degraded, connected or the error changes
//   { event: "unhandled", message }       an unhandled rejection (then exit 70)
// stdin: "status" answers with a status line; "exit" closes the manager and exits 0.
// Environment: AIQ_ETCD_ENDPOINTS, AIQ_TEST_KEY, AIQ_TEST_OPTIONS (JSON, more createEtcdConfigManager options).
import { createInterface } from "node:readline";
import { createEventManager } from "@aiq/config-events";
import { createEtcdConfigManager } from "../dist/index.js";

const now = () => performance.timeOrigin + performance.now();
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
process.on("unhandledRejection", (reason) => {
  send({ event: "unhandled", message: String(reason?.stack ?? reason) });
  process.exit(70);
});

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const manager = await createEtcdConfigManager({
  key: process.env.AIQ_TEST_KEY,
  events: createEventManager(),
  logger: quiet,
  ...JSON.parse(process.env.AIQ_TEST_OPTIONS ?? "{}"),
});

const brief = () => {
  const { sourceRevision, version, watch, lastError, missing } = manager.status;
  return {
    sourceRevision,
    version,
    missing,
    watch,
    lastError: lastError ? { code: lastError.code, message: lastError.message } : undefined,
  };
};
let last = "";
const report = () => {
  const status = brief();
  const text = JSON.stringify(status);
  if (text === last) return;
  last = text;
  send({ event: "status", status, t: now() });
};
// A change applied reaches listeners at once: report it with its time; the poll catches the rest
// (a reload that changed nothing but the revision, degraded on and off).
manager.subscribe(() => report());
const poll = setInterval(report, 5);

await new Promise((resolve) => {
  const check = () => (manager.status.watch?.connected ? resolve() : setTimeout(check, 5));
  check();
});
send({ event: "ready", status: brief() });

createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line === "status") send({ event: "status", status: brief(), t: now() });
  if (line === "exit") {
    clearInterval(poll);
    await manager.close();
    process.exit(0);
  }
});
