/**
 * A trailing debounce: `fire` runs `delayMs` after the last `poke()`, but never later than `maxWaitMs`
 * after the first poke of a burst (so a file rewritten faster than the delay is still read).
 * Internal to the watcher; one per watched file.
 */
export class TrailingDebounce {
  readonly #delayMs: number;
  readonly #maxWaitMs: number;
  readonly #fire: () => void;
  #timer: NodeJS.Timeout | undefined;
  #burstStart: number | undefined;

  constructor(delayMs: number, maxWaitMs: number, fire: () => void) {
    this.#delayMs = delayMs;
    this.#maxWaitMs = Math.max(maxWaitMs, delayMs);
    this.#fire = fire;
  }

  /** Restarts the delay. */
  poke(): void {
    const now = performance.now();
    this.#burstStart ??= now;
    const left = Math.min(this.#delayMs, this.#burstStart + this.#maxWaitMs - now);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#burstStart = undefined;
      this.#fire();
    }, Math.max(0, left));
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
