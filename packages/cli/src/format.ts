import * as path from "node:path";
import type { Writable } from "node:stream";

/** The few colours the CLI uses; each is the identity when colours are off. */
export interface Style {
  readonly enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const paint =
  (enabled: boolean, open: number, close: number) =>
  (text: string): string =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/** A style that colours only when asked to. */
export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    red: paint(enabled, 31, 39),
    green: paint(enabled, 32, 39),
    yellow: paint(enabled, 33, 39),
    cyan: paint(enabled, 36, 39),
    dim: paint(enabled, 2, 22),
    bold: paint(enabled, 1, 22),
  };
}

/** True when output to `stream` may be coloured: it is a terminal and `NO_COLOR` is unset or empty. */
export function shouldColor(stream: Writable, env: Record<string, string | undefined>): boolean {
  const noColor = env.NO_COLOR;
  return (stream as { isTTY?: boolean }).isTTY === true && (noColor === undefined || noColor === "");
}

/** A file path as the user would type it: relative to the working directory when it lies under it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

const MAX_VALUE_LENGTH = 80;

/** A config value on one line, shortened past 80 characters: strings quoted, `(absent)` for undefined. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** `1 issue`, `2 issues`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** `HH:MM:SS` in local time. */
export function clock(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
