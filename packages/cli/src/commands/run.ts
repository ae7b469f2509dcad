import { constants } from "node:os";
import * as path from "node:path";
import { Command, Option, UsageError } from "../clipanion.js";
import { ConfigCommand } from "./base.js";

function milliseconds(option: string, value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isInteger(number) || number < 0)
    throw new UsageError(`${option} takes a whole number of milliseconds, e.g. ${option} 2000 (got "${value}").`);
  return number;
}

function signalName(value: string): NodeJS.Signals {
  const name = (
    value.toUpperCase().startsWith("SIG") ? value.toUpperCase() : `SIG${value.toUpperCase()}`
  ) as NodeJS.Signals;
  if (!(name in constants.signals))
    throw new UsageError(`--signal: unknown signal "${value}"; use a name such as SIGTERM, SIGINT or SIGHUP.`);
  return name;
}

/** `aiq-config -c FILE run -- COMMAND...`: runs a service and lets each valid save reach it. */
export class RunCommand extends ConfigCommand {
  static override paths = [["run"]];

  static override usage = Command.Usage({
    description: "Run a service and apply each valid config save to it (development mode)",
    details: `
      Validates the file given with \`-c\` (with the \`-o\` overrides and \`--schema\`), then starts the command in a process group of its own, with \`AIQ_CONFIG_FILE\` (the absolute config path), \`AIQ_CONFIG_RUNNER\` (the hand-off socket) and, with \`-o\`, \`AIQ_CONFIG_OVERRIDES\` (JSON, applied by \`createConfigManager\` to that file) in its environment.

      Each save is validated first: a save that does not validate (a syntax error, a schema issue, an empty or deleted file) is printed as \`file:line:column path: message\` and never touches the service. A valid save that changes something is handed to the service when it called \`connectRunner(manager)\` (applied in place, no restart; no answer within \`--handoff-timeout\` means a restart), else the service is restarted: \`--signal\` to its whole group, SIGKILL after \`--grace\`, then a new start once no process of the group is left. A service that exits on its own starts again on the next valid save.

      Ctrl-C sends one SIGINT to the service's group and exits 0 once it has stopped (130 when it had to be killed); a second Ctrl-C kills the group at once (exit 130). SIGTERM and SIGHUP do the same with SIGTERM. The runner's lines go to stderr, prefixed \`[aiq-config]\`; the service's output passes through. Everything after \`--\` is the service's command, passed unchanged.
    `,
    examples: [
      ["Run a Node service, restarting it on each valid save", "$0 -c config.yml run -- node server.js"],
      ["Any command, through a shell or a package script", "$0 -c config.yml run -- npm run start"],
      [
        "A service that needs SIGINT and 10 s to stop",
        "$0 -c config.yml run --signal SIGINT --grace 10000 -- python -m my_agent",
      ],
      [
        "An override the service gets too (AIQ_CONFIG_OVERRIDES)",
        "$0 -c config.yml run -o llms.main_llm.temperature=0 -- node server.js",
      ],
      [
        "Validate with the service's own schema",
        "$0 -c config.yml run --schema ./src/schema.mjs#configSchema -- node server.js",
      ],
      ["In a script: exit with the service's exit code", "$0 -c config.yml run --exit-with-child -- node job.js"],
    ],
  });

  signal = Option.String("--signal", "SIGTERM", {
    description: "The signal that stops the service for a restart (default SIGTERM)",
  });
  grace = Option.String("--grace", "5000", {
    description: "Milliseconds between the signal and SIGKILL (default 5000)",
  });
  handoffTimeout = Option.String("--handoff-timeout", "2000", {
    description: "Milliseconds a connected service has to apply a save before it is restarted (default 2000)",
  });
  exitWithChild = Option.Boolean("--exit-with-child", false, {
    description: "Exit when the service exits, with its exit code (128 + n for signal n)",
  });
  schema = Option.String("--schema", {
    description: "MODULE[#export]: the service's own Standard Schema to validate with (default: the AIQ schema)",
  });
  command = Option.Rest({ required: 1, name: "command" });

  protected async run(): Promise<number> {
    const file = path.resolve(this.requireConfigPath());
    const [command, ...args] = this.command;
    if (command === undefined)
      throw new UsageError(
        "Missing the service's command: add it after --, e.g. `aiq-config -c config.yml run -- node server.js`.",
      );
    if (this.json) throw new UsageError("run prints its lines on stderr; --json is not supported.");
    const restartSignal = signalName(this.signal);
    const graceMs = milliseconds("--grace", this.grace);
    const handoffTimeoutMs = milliseconds("--handoff-timeout", this.handoffTimeout);
    const overrides = await this.overrideMap();
    const [{ DevRunner }, { RunReporter }, { loadSchemaModule }] = await Promise.all([
      import("../dev-runner.js"),
      import("../run-report.js"),
      import("../schema-module.js"),
    ]);
    const schema = this.schema === undefined ? undefined : await loadSchemaModule(this.schema, process.cwd());
    const { stdout, stderr } = this.context;
    const inherited = stdout === process.stdout && stderr === process.stderr;
    const runner = new DevRunner({
      file,
      command,
      args,
      overrides,
      schema,
      strictKeys: this.strictKeys,
      restartSignal,
      graceMs,
      handoffTimeoutMs,
      exitWithChild: this.exitWithChild,
      env: this.context.env,
      // The service's group is not the terminal's foreground group: it could not read a terminal.
      stdio: [
        process.stdin.isTTY ? "ignore" : "inherit",
        inherited ? "inherit" : "pipe",
        inherited ? "inherit" : "pipe",
      ],
      ...(inherited
        ? {}
        : {
            onSpawn: (child) => {
              child.stdout?.pipe(stdout, { end: false });
              child.stderr?.pipe(stderr, { end: false });
            },
          }),
      reporter: new RunReporter({ write: (text) => stderr.write(text), style: this.err, file }),
      logger: this.createLogger(),
      stop: this.context.signal,
    });
    return runner.run();
  }
}
