import { Builtins, Cli } from "./clipanion.js";
import { normalizeArgv } from "./argv.js";
import { InteractiveCommand } from "./commands/interactive.js";
import { PullCommand } from "./commands/pull.js";
import { PushCommand } from "./commands/push.js";
import { ReloadCommand } from "./commands/reload.js";
import { RunCommand } from "./commands/run.js";
import { SchemaCommand } from "./commands/schema.js";
import { VersionCommand } from "./commands/version.js";
import { WatchCommand } from "./commands/watch.js";
import type { AiqCliContext } from "./context.js";
import { shouldColor } from "./format.js";
import { readCliVersion } from "./version.js";

const COMMANDS: ReadonlySet<string> = new Set(["reload", "interactive", "watch", "schema", "run", "push", "pull"]);

/** Options of {@link createCli}. */
export interface CreateCliOptions {
  /**
   * Colour clipanion's help and usage errors.
   * @default false
   */
  colors?: boolean | undefined;
}

/**
 * Builds the `aiq-config` command line: `reload`, `interactive`, `watch`, `schema`, `run`, `push`, `pull`, `--help`, `--version`.
 * @param options colours
 * @returns a clipanion `Cli`; prefer {@link runCli}, which also normalises argv and maps errors to exit codes
 */
export function createCli(options: CreateCliOptions = {}): Cli<AiqCliContext> {
  const cli = new Cli<AiqCliContext>({
    binaryLabel: "aiq-config",
    binaryName: "aiq-config",
    binaryVersion: readCliVersion(),
    enableColors: options.colors ?? false,
  });
  cli.register(ReloadCommand);
  cli.register(InteractiveCommand);
  cli.register(WatchCommand);
  cli.register(SchemaCommand);
  cli.register(RunCommand);
  cli.register(PushCommand);
  cli.register(PullCommand);
  cli.register(Builtins.HelpCommand);
  cli.register(VersionCommand);
  return cli;
}

function isUsageProblem(error: unknown): error is Error {
  const type = (error as { clipanion?: { type?: string } } | null)?.clipanion?.type;
  return error instanceof Error && (type === "usage" || type === "none");
}

/**
 * Runs `aiq-config` with the given arguments and streams, and returns the exit code: 0 success, 1 a
 * failed reload or a user mistake, 2 a usage error, 3 an etcd write conflict, 4 an unreachable etcd.
 * @param argv the arguments after the binary name, e.g. `["-c", "config.yml", "reload"]`
 * @param context streams, env and a stop signal; each defaults to the process's own
 * @example const code = await runCli(["-c", "config.yml", "reload"], { stdout, stderr });
 */
export async function runCli(argv: readonly string[], context: Partial<AiqCliContext> = {}): Promise<number> {
  const full: AiqCliContext = { ...Cli.defaultContext, ...context };
  const colors = shouldColor(full.stdout, full.env);
  full.colorDepth = colors ? Math.max(full.colorDepth, 8) : 1;
  const cli = createCli({ colors });
  if (argv.length === 0) {
    full.stderr.write(`${cli.usage(null, { colored: shouldColor(full.stderr, full.env) })}\n`);
    return 2;
  }
  const asked = argv.some((arg) => COMMANDS.has(arg) || arg === "-h" || arg === "--help" || arg === "--version");
  if (!asked && argv[0]?.startsWith("-")) {
    // Only options (`aiq-config -c config.yml`): clipanion would call the first one unsupported.
    full.stderr.write(
      `error: no command given; add one of: ${[...COMMANDS].join(", ")}, e.g. \`aiq-config ${argv.join(" ")} reload\`.\n`,
    );
    full.stderr.write("hint: Run `aiq-config --help` for the commands.\n");
    return 2;
  }
  let command: ReturnType<typeof cli.process>;
  try {
    command = cli.process(normalizeArgv(argv, COMMANDS), full);
  } catch (error) {
    if (!isUsageProblem(error)) throw error;
    const colored = shouldColor(full.stderr, full.env);
    full.stderr.write(cli.error(error, { colored }));
    full.stderr.write(
      "hint: Run `aiq-config --help` for the commands, `aiq-config <command> --help` for their options.\n",
    );
    return 2;
  }
  if (command.help) {
    // clipanion prints a command's help without a final newline; print it here with one.
    full.stdout.write(`${cli.usage(command, { colored: colors, detailed: true }).trimEnd()}\n`);
    return 0;
  }
  return cli.run(command, full);
}
