// A vitest setup file (`test.setupFiles`) that makes every test file prove it leaks nothing:
// - an unhandled promise rejection fails the test that was running when it surfaced (vitest would
//   only report it for the whole run, unattributed);
// - the handles and requests alive after the file's last test (`process.getActiveResourcesInfo()`:
//   timers, fs watchers, sockets, child processes...) must be back to what was alive before its
//   first test. Resources that are still closing get a short grace period, checked on each turn of
//   the event loop, never a fixed sleep.
import { afterAll, afterEach, beforeAll, expect } from "vitest";

/** How long resources may take to finish closing after the last test, in milliseconds. */
const GRACE_MS = Number(process.env.AIQ_LEAK_GRACE_MS ?? 2000);

interface Unhandled {
  reason: unknown;
  test: string | undefined;
}

const unhandled: Unhandled[] = [];
const onUnhandledRejection = (reason: unknown): void => {
  unhandled.push({ reason, test: expect.getState().currentTestName });
};

function describeReasons(list: readonly Unhandled[]): string {
  return list
    .map(({ reason, test }) => `  - ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}${test ? ` (during "${test}")` : ""}`)
    .join("\n");
}

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

let baseline: Map<string, number> = new Map();

beforeAll(() => {
  process.on("unhandledRejection", onUnhandledRejection);
  baseline = countResources();
});

afterEach(() => {
  if (unhandled.length === 0) return;
  const found = unhandled.splice(0);
  throw new Error(`${found.length} unhandled promise rejection(s):\n${describeReasons(found)}`);
});

afterAll(async () => {
  const deadline = performance.now() + GRACE_MS;
  let extra = extraResources(baseline);
  while (extra.length > 0 && performance.now() < deadline) {
    // One turn of the event loop lets closing handles (fs.close, watcher.close) finish.
    await new Promise<void>((resolve) => setImmediate(resolve));
    extra = extraResources(baseline);
  }
  process.off("unhandledRejection", onUnhandledRejection);
  const late = unhandled.splice(0);
  const problems: string[] = [];
  if (late.length > 0) problems.push(`${late.length} unhandled promise rejection(s) after the last test:\n${describeReasons(late)}`);
  if (extra.length > 0) problems.push(`resources left alive by this file (not there before its first test): ${extra.join(", ")}`);
  if (problems.length > 0) throw new Error(problems.join("\n"));
});
