/** The delays of a {@link TrailingDebounce}, in milliseconds. */
export interface DebounceDelays {
  /** Quiet period after the last poke when nothing fired for `burstWindowMs`: a save is read at once. */
  readonly delayMs: number;
  /** Quiet period after the last poke when the debounce fired less than `burstWindowMs` ago: a burst is coalesced. */
  readonly burstDelayMs: number;
  /** How long after a fire further pokes count as the same burst. */
  readonly burstWindowMs: number;
  /** A file poked without pause is still read this long after the first poke of a burst. */
  readonly maxWaitMs: number;
}

/**
 * A trailing debounce that is short for the first save after a quiet time and longer while saves
 * keep coming: `fire` runs `delayMs` after the last `poke()`, or `burstDelayMs` after it when the
 * debounce fired less than `burstWindowMs` ago, but never later than `maxWaitMs` after the first
 * poke (so a file rewritten faster than the delay is still read). Internal to the watcher; one per
 * watched file.
 */
export class TrailingDebounce {
  readonly #delays: DebounceDelays;
  readonly #fire: (forced: boolean) => void;
  #timer: NodeJS.Timeout | undefined;
  #burstStart: number | undefined;
  #lastFire = Number.NEGATIVE_INFINITY;

  /** `fire` is told whether the max wait, not a quiet period, made it run. */
  constructor(delays: DebounceDelays, fire: (forced: boolean) => void) {
    this.#delays = { ...delays, maxWaitMs: Math.max(delays.maxWaitMs, delays.delayMs, delays.burstDelayMs) };
    this.#fire = fire;
  }

  /** Restarts the delay. */
  poke(): void {
    const now = performance.now();
    const { delayMs, burstDelayMs, burstWindowMs, maxWaitMs } = this.#delays;
    const delay = now - this.#lastFire < burstWindowMs ? burstDelayMs : delayMs;
    this.#burstStart ??= now;
    const untilMaxWait = this.#burstStart + maxWaitMs - now;
    const forced = untilMaxWait < delay;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#burstStart = undefined;
        this.#lastFire = performance.now();
        this.#fire(forced);
      },
      Math.max(0, Math.min(delay, untilMaxWait)),
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
