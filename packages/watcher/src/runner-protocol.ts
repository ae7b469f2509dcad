import type { ConfigEventError } from "@aiq/config-events";

/** The environment variable naming the runner's hand-off socket (set by `aiq-config run`). */
export const RUNNER_ENV = "AIQ_CONFIG_RUNNER";

/**
 * What the child sends to `aiq-config run`, one JSON object per line: `hello` once connected, then
 * one answer per `reload` it was handed.
 */
export type RunnerChildMessage =
  | { type: "hello"; pid: number; version: number; sourceId: string }
  | { type: "applied"; id: number; version: number }
  | { type: "refused"; id: number; version: number; error: ConfigEventError };

/** What `aiq-config run` sends to the child, one JSON object per line: reload your config now. */
export interface RunnerReloadMessage {
  type: "reload";
  /** Echoed in the answer. */
  id: number;
}

/**
 * Splits a socket's text into lines and passes each parsed JSON object on; a malformed line is dropped.
 * @param onMessage - receives each object
 * @returns the function to feed each chunk to
 */
export function lineReader(onMessage: (message: unknown) => void): (chunk: string) => void {
  let pending = "";
  return (chunk) => {
    pending += chunk;
    let end = pending.indexOf("\n");
    while (end >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      end = pending.indexOf("\n");
      if (line.trim() === "") continue;
      try {
        onMessage(JSON.parse(line));
      } catch {
        // Not JSON: a peer that is not ours. Ignored.
      }
    }
  };
}
