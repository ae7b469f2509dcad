import type { BaseContext } from "./clipanion.js";

/** What every `aiq-config` command runs with: clipanion's streams and env, plus a stop signal. */
export type AiqCliContext = BaseContext & {
  /**
   * Ends long-running commands (`watch`, `interactive`) cleanly when aborted; `bin.ts` aborts it on
   * SIGINT/SIGTERM. Without it, those commands run until their input ends.
   */
  signal?: AbortSignal;
};
