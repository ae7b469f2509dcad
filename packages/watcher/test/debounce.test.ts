import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TrailingDebounce } from "../src/debounce.js";

// The debounce alone, on fake time: short for the first save after a quiet time, longer while
// saves keep coming, and never longer than the max wait.
describe("TrailingDebounce", () => {
  const delays = { delayMs: 5, burstDelayMs: 30, burstWindowMs: 100, maxWaitMs: 1000 };
  let fired: { at: number; forced: boolean }[];
  let debounce: TrailingDebounce;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    fired = [];
    debounce = new TrailingDebounce(delays, (forced) => fired.push({ at: performance.now(), forced }));
  });
  afterEach(() => {
    debounce.cancel();
    vi.useRealTimers();
  });

  it("fires delayMs after the last poke of a quiet file; pokes before it coalesce", () => {
    const start = performance.now();
    debounce.poke();
    vi.advanceTimersByTime(3);
    debounce.poke(); // the write after the truncate of the same save
    vi.advanceTimersByTime(4);
    expect(fired).toEqual([]);
    expect(debounce.pending).toBe(true);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([{ at: start + 8, forced: false }]);
    expect(debounce.pending).toBe(false);
  });

  it("waits burstDelayMs for quiet when it fired less than burstWindowMs ago, delayMs again after", () => {
    debounce.poke();
    vi.advanceTimersByTime(5);
    expect(fired).toHaveLength(1);
    const second = performance.now() + 20;
    vi.advanceTimersByTime(20);
    debounce.poke(); // 20 ms after the first fire: a burst
    vi.advanceTimersByTime(29);
    expect(fired).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(fired.at(-1)).toEqual({ at: second + 30, forced: false });
    vi.advanceTimersByTime(100); // quiet for the window
    const third = performance.now();
    debounce.poke();
    vi.advanceTimersByTime(5);
    expect(fired.at(-1)).toEqual({ at: third + 5, forced: false });
  });

  it("fires after maxWaitMs when pokes never pause, and says it was forced", () => {
    const start = performance.now();
    for (let t = 0; t < 1200; t += 2) {
      debounce.poke();
      vi.advanceTimersByTime(2);
    }
    expect(fired[0]).toEqual({ at: start + 1000, forced: true });
  });

  it("cancel() drops the scheduled fire", () => {
    debounce.poke();
    debounce.cancel();
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
    expect(debounce.pending).toBe(false);
  });
});
