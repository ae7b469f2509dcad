/**
 * A trailing debounce: `fire` runs `delayMs` after the last `poke()`, but never later than `maxWaitMs`
 * after the first poke of a burst (so a file rewritten faster than the delay is still read).
 * Internal to the watcher; one per watched file.
 */
export class TrailingDebounce {
  readonly #delayMs: number;
  readonly #maxWaitMs: number;
  readonly #fire: (forced: boolean) => void;
  #timer: NodeJS.Timeout | undefined;
  #burstStart: number | undefined;

  /** `fire` is told whether the max wait, not a quiet period, made it run. */
  constructor(delayMs: number, maxWaitMs: number, fire: (forced: boolean) => void) {
    this.#delayMs = delayMs;
    this.#maxWaitMs = Math.max(maxWaitMs, delayMs);
    this.#fire = fire;
  }

  /** Restarts the delay. */
  poke(): void {
    const now = performance.now();
    this.#burstStart ??= now;
    const untilMaxWait = this.#burstStart + this.#maxWaitMs - now;
    const forced = untilMaxWait < this.#delayMs;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#burstStart = undefined;
        this.#fire(forced);
      },
      Math.max(0, Math.min(this.#delayMs, untilMaxWait)),
    );
  }

  /** True while a fire is scheduled. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** Drops the scheduled fire, if any. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#burstStart = undefined;
  }
}
