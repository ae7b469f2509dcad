/**
 * Runs one reload at a time, and if more are requested while one runs, exactly one more after it:
 * a burst of requests costs at most two runs, and the last run starts after the last request, so it
 * reads the newest content. This is the loop behind `autoReload` (files), `watchEtcd` (etcd) and
 * the dev runner. The run function must not throw (a thrown error is passed to `onError` and the
 * loop goes on); after `stop()` no run starts.
 * @example
 * const loop = new ReloadLoop(() => manager.reloadConfig().then(() => undefined, report));
 * watcher.on("change", () => loop.request());
 * await loop.stop();
 */
export class ReloadLoop {
  readonly #run: () => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #chain: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  /**
   * @param run - one reload; called again only after the previous call settled
   * @param onError - receives what `run` threw (default: ignored)
   */
  constructor(run: () => Promise<void>, onError: (error: unknown) => void = () => undefined) {
    this.#run = run;
    this.#onError = onError;
  }

  /** Asks for a reload: now when idle, else once after the running one. Ignored once stopped. */
  request(): void {
    if (this.#stopped) return;
    this.#again = true;
    if (this.#chain) return;
    this.#chain = (async () => {
      while (this.#again && !this.#stopped) {
        this.#again = false;
        try {
          await this.#run();
        } catch (error) {
          this.#onError(error);
        }
      }
    })().finally(() => {
      this.#chain = undefined;
      // A request that landed between the loop's last check and here still gets its run.
      if (this.#again) this.request();
    });
  }

  /** True while a run is in progress or queued. */
  get busy(): boolean {
    return this.#chain !== undefined;
  }

  /**
   * Resolves once no run is in progress or queued (including runs requested meanwhile). Never rejects.
   * @returns a promise of the loop being idle
   */
  async idle(): Promise<void> {
    while (this.#chain) await this.#chain;
  }

  /**
   * Lets no further run start and waits for the running one. Idempotent.
   * @returns a promise that resolves once nothing runs
   */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.idle();
  }
}
