import type { Logger } from "@aiq/config-core";
import { Command, Option, UsageError } from "../clipanion.js";
import type { AiqCliContext } from "../context.js";
import { createStyle, type Style, shouldColor } from "../format.js";
import { createStreamLogger, logLevelFor } from "../logger.js";

/** What every `aiq-config` command shares: `-v`, `--json`, colours, and the error handling. */
export abstract class AiqCommand extends Command<AiqCliContext> {
  verbose = Option.Boolean("-v,--verbose", false, {
    description: "Log each step of a reload with its duration (debug level), on stderr",
  });
  json = Option.Boolean("--json", false, { description: "Print machine-readable JSON on stdout" });

  /** The command's work; returns the exit code. */
  protected abstract run(): Promise<number>;

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (error) {
      return this.reportFailure(error);
    }
  }

  /** Colours for stdout, on only for a terminal without `NO_COLOR`. */
  protected get out(): Style {
    return createStyle(shouldColor(this.context.stdout, this.context.env));
  }

  /** Colours for stderr. */
  protected get err(): Style {
    return createStyle(shouldColor(this.context.stderr, this.context.env));
  }

  /** Writes lines to stdout. */
  protected print(...lines: string[]): void {
    this.context.stdout.write(`${lines.join("\n")}\n`);
  }

  /** Writes a value as JSON on one line of stdout (`--json`). */
  protected printJson(value: unknown): void {
    this.context.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Prints a failure (text on stderr, or JSON on stdout with `--json`) and returns its exit code. */
  protected async reportFailure(error: unknown): Promise<number> {
    // Loaded only when something failed: it pulls in @aiq/config-core.
    const { describeFailure, failureLines } = await import("../failure.js");
    const failure = describeFailure(error);
    if (this.json) {
      this.printJson(failure.json);
      if (failure.stack) this.context.stderr.write(`${failure.stack}\n`);
    } else {
      this.context.stderr.write(`${failureLines(failure, this.err).join("\n")}\n`);
    }
    return failure.exitCode;
  }
}

/** A command that reads a config file: adds `-c/--config` and `-o/--override`. */
export abstract class ConfigCommand extends AiqCommand {
  config = Option.String("-c,--config", { description: "The config file, YAML or JSON: -c config.yml" });
  overrides = Option.Array("-o,--override", [], {
    description: "Override a value: -o llms.main_llm.temperature=0.7 (repeatable)",
  });
  strictKeys = Option.Boolean("--strict-keys", false, {
    description: "Refuse a component key that looks like a typo of a common field (temprature), instead of warning",
  });

  /** The `-c` file, or a usage error saying how to give it. */
  protected requireConfigPath(): string {
    if (this.config === undefined || this.config === "") {
      throw new UsageError(
        `Missing the config file: add -c FILE, e.g. \`aiq-config -c config.yml ${this.path.join(" ")}\`.`,
      );
    }
    return this.config;
  }

  /** The `-o` overrides as a map; a malformed one is a usage error. */
  protected async overrideMap(): Promise<Record<string, string>> {
    const { parseOverrideArguments } = await import("../overrides.js");
    return parseOverrideArguments(this.overrides);
  }

  /** A logger on stderr at the level `-v` / `AIQ_CONFIG_LOG` ask for. */
  protected createLogger(): Logger {
    return createStreamLogger(this.context.stderr, { level: logLevelFor(this.verbose, this.context.env) });
  }
}
