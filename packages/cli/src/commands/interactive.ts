import { Command, UsageError } from "../clipanion.js";
import { EtcdCommand } from "./etcd-base.js";

/** `aiq-config -c FILE interactive`: the guide's interactive reload session. */
export class InteractiveCommand extends EtcdCommand {
  static override paths = [["interactive"]];

  static override usage = Command.Usage({
    description: "Reload, validate and roll back a config from a prompt",
    details: `
      Loads the file given with \`-c\` (with the \`-o\` overrides) and reads commands, one per line: \`r\` reload, \`v\` validate, \`s\` snapshots (the current one is marked), \`b [N]\` roll back N versions, \`c\` clear snapshots, \`i\` info, \`q\` quit, \`help\`.

      With \`--etcd URL --key K\` in place of \`-c\`, the session reads that etcd key: \`r\` reads it again, \`i\` shows its revision; rolling back here is local to the session (\`push --from-revision\` rolls a fleet back). An etcd that cannot be reached at start is exit 4.

      A failed reload or a bad command is reported and the session goes on with the last good config. Commands can also be piped in (see the examples). Ctrl-C and Ctrl-D leave with exit code 0.
    `,
    examples: [
      ["Start a session", "$0 -c config.yml interactive"],
      [
        "Start it with an override that every reload re-applies",
        "$0 -c config.yml interactive -o llms.main_llm.temperature=0.2",
      ],
      ["Script it", "printf 'r\\ns\\nq\\n' | $0 -c config.yml interactive"],
      [
        "A session on the config stored in etcd",
        "$0 interactive --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml",
      ],
    ],
  });

  protected async run(): Promise<number> {
    if (this.json) throw new UsageError("interactive has no --json output; use `reload --json` or `watch --json`.");
    const logger = this.createLogger();
    const [{ createEventManager }, { InteractiveSession, runSession }] = await Promise.all([
      import("@aiq/config-events"),
      import("../session.js"),
    ]);
    const { manager, close } = await this.openManager({ logger, logFailures: false, events: createEventManager() });
    try {
      const write = (lines: string[]): void => {
        this.context.stdout.write(`${lines.join("\n")}\n`);
      };
      const session = new InteractiveSession(manager, write, this.out);
      write(session.banner());
      const end = await runSession(session, {
        input: this.context.stdin,
        output: this.context.stdout,
        signal: this.context.signal,
      });
      // Leaving by Ctrl-C, Ctrl-D or end of input leaves the cursor after the prompt.
      write([end === "quit" ? "Bye." : "\nBye."]);
    } finally {
      await close();
    }
    return 0;
  }
}
