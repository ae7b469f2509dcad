import { describe, expect, it } from "vitest";
import { ReloadLoop } from "./reload-loop.js";

/** A run that the test releases by hand, recording what each run saw. */
function controlledRuns() {
  const releases: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  let value = 0;
  const seen: number[] = [];
  const run = (): Promise<void> => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    const at = value;
    return new Promise<void>((resolve) => {
      releases.push(() => {
        seen.push(at);
        running--;
        resolve();
      });
    });
  };
  return {
    run,
    seen,
    get maxRunning() {
      return maxRunning;
    },
    set value(v: number) {
      value = v;
    },
    release: async () => {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
    get pending() {
      return releases.length;
    },
  };
}

describe("ReloadLoop", () => {
  it("runs once per request when idle", async () => {
    const runs = controlledRuns();
    const loop = new ReloadLoop(runs.run);
    loop.request();
    expect(loop.busy).toBe(true);
    await runs.release();
    await loop.idle();
    expect(runs.seen).toEqual([0]);
    expect(loop.busy).toBe(false);
  });

  it("turns a burst during a run into exactly one more run, which sees the newest value", async () => {
    const runs = controlledRuns();
    const loop = new ReloadLoop(runs.run);
    loop.request();
    for (let i = 1; i <= 50; i++) {
      runs.value = i;
      loop.request();
    }
    await runs.release(); // the first run (saw 0) ends; one more starts and sees 50
    expect(runs.pending).toBe(1);
    await runs.release();
    await loop.idle();
    expect(runs.seen).toEqual([0, 50]);
    expect(runs.maxRunning).toBe(1);
  });

  it("keeps going after a run throws, reporting the error", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const loop = new ReloadLoop(
      async () => {
        calls++;
        if (calls === 1) throw new Error("boom");
      },
      (error) => errors.push(error),
    );
    loop.request();
    await loop.idle();
    loop.request();
    await loop.idle();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it("starts nothing after stop, and stop waits for the running run", async () => {
    const runs = controlledRuns();
    const loop = new ReloadLoop(runs.run);
    loop.request();
    loop.request(); // would run once more
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    loop.request();
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    await runs.release();
    await stopping;
    expect(stopped).toBe(true);
    expect(runs.seen).toEqual([0]);
    expect(runs.pending).toBe(0);
  });
});
