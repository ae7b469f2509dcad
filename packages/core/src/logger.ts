/** Where aiq-config writes its log lines. `console` fits. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Log levels from the most to the least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

// One per level: a thousand managers on the default logger share it, so a line about what they
// share (a watched directory) is printed once, not once per manager.
const consoleLoggers = new Map<LogLevel, Logger>();

/**
 * A logger that prints to `console` from `level` up, prefixed with `[aiq-config]`. The same
 * level gives the same logger.
 * @param level the least severe level printed
 * @default level: `AIQ_CONFIG_LOG` when set, else `warn`
 */
export function createConsoleLogger(level: LogLevel = levelFromEnv()): Logger {
  let logger = consoleLoggers.get(level);
  if (!logger) {
    logger = consoleLogger(level);
    consoleLoggers.set(level, logger);
  }
  return logger;
}

function consoleLogger(level: LogLevel): Logger {
  const min = ORDER.indexOf(level);
  const at =
    (lvl: Exclude<LogLevel, "silent">) =>
    (message: string): void => {
      if (ORDER.indexOf(lvl) >= min) console[lvl === "debug" ? "error" : lvl](`[aiq-config] ${lvl}: ${message}`);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function levelFromEnv(): LogLevel {
  const value = (typeof process === "undefined" ? undefined : process.env.AIQ_CONFIG_LOG)?.toLowerCase();
  return ORDER.includes(value as LogLevel) ? (value as LogLevel) : "warn";
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
