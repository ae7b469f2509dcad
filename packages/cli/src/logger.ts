import type { Writable } from "node:stream";
import type { Logger, LogLevel } from "@aiq/config-core";

const ORDER: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/** Options of {@link createStreamLogger}. */
export interface StreamLoggerOptions {
  /** The least severe level printed. */
  level: LogLevel;
}

/** A logger writing `[aiq-config] level: message` lines to a stream (the command's stderr). */
export function createStreamLogger(stream: Writable, options: StreamLoggerOptions): Logger {
  const min = ORDER.indexOf(options.level);
  const at =
    (level: Exclude<LogLevel, "silent">) =>
    (message: string): void => {
      if (ORDER.indexOf(level) < min) return;
      stream.write(`[aiq-config] ${level}: ${message}\n`);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** `debug` with `-v`, else `AIQ_CONFIG_LOG` when it names a level, else `warn`. */
export function logLevelFor(verbose: boolean, env: Record<string, string | undefined>): LogLevel {
  if (verbose) return "debug";
  const fromEnv = env.AIQ_CONFIG_LOG?.toLowerCase();
  return ORDER.includes(fromEnv as LogLevel) ? (fromEnv as LogLevel) : "warn";
}
