// A vitest setup file (`test.setupFiles`) that makes every test file prove it leaks nothing:
// - an unhandled promise rejection fails the test that was running when it surfaced (vitest alone
//   reports it once for the whole run, unattributed);
// - the handles and requests alive after the file's last test (`process.getActiveResourcesInfo()`:
//   timers, fs watchers, sockets, child processes...) must be back to what was alive before the file
//   was loaded. Resources still closing get a grace period, re-checked on every turn of the event
//   loop (no fixed sleep); only what is still alive at its end is reported.
import { afterAll, afterEach, beforeAll, expect } from "vitest";

/** How long resources may take to finish closing after the last test, in milliseconds. */
const GRACE_MS = Number(process.env.AIQ_LEAK_GRACE_MS ?? 2000);

interface Unhandled {
  reason: unknown;
  test: string | undefined;
}

const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

function countResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** The resources alive now beyond the baseline, as `Name xN`. */
function extraResources(baseline: ReadonlyMap<string, number>): string[] {
  const extra: string[] = [];
  for (const [name, count] of countResources()) {
    const more = count - (baseline.get(name) ?? 0);
    if (more > 0) extra.push(`${name} x${more}`);
  }
  return extra;
}

function describeReasons(list: readonly Unhandled[]): string {
  return list
    .map(
      ({ reason, test }) =>
        `  - ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}${test ? ` (during "${test}")` : ""}`,
    )
    .join("\n");
}

// Measured before the test file is loaded, outside any hook: vitest's hooks run with short-lived timers
// of their own, which a baseline taken inside beforeAll would count as the file's.
await nextTurn();
const baseline = countResources();

const unhandled: Unhandled[] = [];
const onUnhandledRejection = (reason: unknown): void => {
  unhandled.push({ reason, test: expect.getState().currentTestName });
};

beforeAll(() => {
  process.on("unhandledRejection", onUnhandledRejection);
});

afterEach(() => {
  if (unhandled.length === 0) return;
  const found = unhandled.splice(0);
  throw new Error(`${found.length} unhandled promise rejection(s):\n${describeReasons(found)}`);
});

afterAll(async () => {
  const deadline = performance.now() + GRACE_MS;
  await nextTurn();
  let extra = extraResources(baseline);
  while (extra.length > 0 && performance.now() < deadline) {
    await nextTurn();
    extra = extraResources(baseline);
  }
  process.off("unhandledRejection", onUnhandledRejection);
  const late = unhandled.splice(0);
  const problems: string[] = [];
  if (late.length > 0)
    problems.push(`${late.length} unhandled promise rejection(s) after the last test:\n${describeReasons(late)}`);
  if (extra.length > 0) {
    problems.push(
      `resources left alive by this file (not there before it was loaded): ${extra.join(", ")}; close every watcher, manager, timer and child process it started`,
    );
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
});
