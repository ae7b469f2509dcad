// Worker: one service process of the etcd benchmarks. `aiq` follows the key with
// createEtcdConfigManager (the built @aiq/config-etcd); `floor` is the least a process can do: a bare
// etcd3 watcher that yaml.parses each value. Each reports, on the shared monotonic clock, when it
// came to hold each revision ({ type: "applied", revision, t }); `aiq` also reports degraded changes.
import { fatal, workerConfig } from "../lib/child.mjs";
import { nowMs } from "../lib/stats.mjs";

process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

const cfg = await workerConfig();
const applied = (revision) => process.send({ type: "applied", revision, t: nowMs() });

if (cfg.mode === "floor") {
  const [{ Etcd3 }, { parse }] = await Promise.all([import("etcd3"), import("yaml")]);
  const client = new Etcd3({ hosts: cfg.endpoints });
  const watcher = await client.watch().key(cfg.key).create();
  watcher.on("error", () => undefined);
  watcher.on("put", (kv) => {
    parse(kv.value.toString("utf8"));
    applied(String(kv.mod_revision));
  });
  process.on("message", async (m) => {
    if (m.type === "finish") {
      await watcher.cancel();
      client.close();
      process.send({ type: "finish!" }, () => process.exit(0));
    }
  });
  process.send({ type: "ready" });
} else {
  const [{ createEtcdConfigManager }, { createEventManager }] = await Promise.all([
    import("@aiq/config-etcd"),
    import("@aiq/config-events"),
  ]);
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const manager = await createEtcdConfigManager({
    endpoints: cfg.endpoints,
    key: cfg.key,
    events: createEventManager(),
    logger: quiet,
    ...cfg.options,
  });
  let revision = manager.status.sourceRevision;
  let degraded = manager.status.watch?.degraded;
  const check = () => {
    const status = manager.status;
    if (status.sourceRevision !== revision) {
      revision = status.sourceRevision;
      applied(revision);
    }
    if (status.watch?.degraded !== degraded) {
      degraded = status.watch?.degraded;
      process.send({ type: "degraded", degraded, t: nowMs() });
    }
  };
  // A new config reaches listeners in the swap: the time of the apply. The fault benchmarks also
  // poll for degraded (and for revisions that changed nothing); convergence does not, so the
  // processes spend no CPU the floor's do not.
  manager.subscribe(check);
  const poll = cfg.poll ? setInterval(check, 10) : undefined;
  process.on("message", async (m) => {
    if (m.type === "reload") {
      const started = nowMs();
      const outcome = await manager.reloadConfig().then(
        () => "ok",
        (e) => e.code,
      );
      process.send({ type: "reload!", ms: nowMs() - started, outcome });
    } else if (m.type === "finish") {
      clearInterval(poll);
      await manager.close();
      process.send({ type: "finish!" }, () => process.exit(0));
    }
  });
  await new Promise((resolve) => {
    const wait = () => (manager.status.watch?.connected ? resolve() : setTimeout(wait, 5));
    wait();
  });
  process.send({ type: "ready", revision });
}
