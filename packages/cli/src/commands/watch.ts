import { Command } from "../clipanion.js";
import { EtcdCommand } from "./etcd-base.js";

/** `aiq-config -c FILE watch`: reloads on every save and prints what changed or why a save was refused. */
export class WatchCommand extends EtcdCommand {
  static override paths = [["watch"]];

  static override usage = Command.Usage({
    description: "Reload on every save and print what changed (development mode)",
    details: `
      Loads the file given with \`-c\`, then watches it (and the files of its \`base:\` chain). Each save that validates becomes the current config and the changed paths are printed as \`path: old -> new\` (secrets as \`***\`); a save that does not validate is refused with its issues, and the last good config is kept.

      With \`--etcd URL --key K\` in place of \`-c\`, watches that etcd key instead: each new revision is validated and applied or refused the same way (lines show the revision), exactly as every process of a fleet on that key does. An etcd that cannot be reached at start is exit 4.

      Stop with Ctrl-C (exit code 0). With \`--json\`, one JSON object per line: \`watching\`, \`reloaded\`, \`refused\`, \`stopped\`.
    `,
    examples: [
      ["Watch a config while editing it", "$0 -c config.yml watch"],
      ["Watch it with an override re-applied on every reload", "$0 -c config.yml watch -o llms.main_llm.temperature=0"],
      ["Stream events as JSON lines", "$0 -c config.yml watch --json"],
      ["Watch the config a fleet takes from etcd", "$0 watch --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml"],
    ],
  });

  protected async run(): Promise<number> {
    const etcd = this.requireOneSource() === "etcd";
    const logger = this.createLogger();
    const [events, { WatchReporter }] = await Promise.all([import("@aiq/config-events"), import("../watch-report.js")]);
    const bus = events.createEventManager();
    const { manager, close } = await this.openManager({ logger, logFailures: false, events: bus });
    try {
      const reporter = new WatchReporter(manager, {
        write: (text) => this.context.stdout.write(text),
        style: this.out,
        json: this.json,
        terminal: (this.context.stdout as { isTTY?: boolean }).isTTY === true,
      });
      manager.subscribe((config, change) => reporter.reloaded(config, change));
      bus.registerHandler((event) => reporter.refused(event), events.ConfigEventType.CONFIG_RELOAD_FAILED);
      const stopped = untilAborted(this.context.signal);
      // etcd: the watch starts at the revision just read, so a put made from now on is never missed.
      const handle = etcd
        ? (await import("@aiq/config-etcd")).watchEtcd(manager)
        : (await import("@aiq/config-watcher")).autoReload(manager, { logger });
      await handle.ready();
      reporter.ready();
      await stopped;
      await handle.stop();
      reporter.stopped();
    } finally {
      await close();
    }
    return 0;
  }
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  // Without a signal (embedding without one), watch runs until the process ends.
  if (!signal) return new Promise<void>(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
