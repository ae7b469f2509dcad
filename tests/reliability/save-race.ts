// Issue 17's reproduction: a manager over a real YAML file, `autoReload` with default options, a
// writer saving in place (`fs.promises.writeFile`: truncate, then write) faster than a reload, and a
// schema that accepts anything, so nothing but the loader and the watcher stands between a read that
// falls into a save's truncate-then-write gap and the program. Every config a listener is given must
// be a document some save wrote whole; the last save must be the one held at the end.
import { spawn } from "node:child_process";
import { open, writeFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import { silentLogger } from "@aiq/config-core";
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { createConfigManager, fileSource } from "@aiq/config-loader";
import { createConfigFixture, passThroughSchema, waitFor } from "@aiq/config-testing";
import { autoReload } from "@aiq/config-watcher";

const LLMS = 15;

/** The data of save `counter`: about 50 lines of YAML (with 15 `llms`), `end: true` last. */
export function saveData(counter: number, count = LLMS): Record<string, unknown> {
  const llms: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) llms[`llm_${i}`] = { model: `model-${i}`, temperature: i / 10 };
  return { name: `save ${counter}`, counter, llms, end: true };
}

/** The YAML text of {@link saveData}. */
export function saveText(counter: number, count = LLMS): string {
  const llms = Array.from(
    { length: count },
    (_, i) => `  llm_${i}:\n    model: model-${i}\n    temperature: ${i / 10}\n`,
  ).join("");
  return `name: save ${counter}\ncounter: ${counter}\nllms:\n${llms}end: true\n`;
}

/**
 * How the writer saves: bursts of 5 saves with quiet between, a save every 0-6 ms, or a save every
 * 0-6 ms written in two parts 0-3 ms apart (cut mid line or at a line end, in turn), as a program
 * streaming its output to the file does.
 */
export type WriterPlan =
  | { kind: "bursts"; trials: number; quietMs: number }
  | { kind: "steady"; seconds: number }
  | { kind: "parts"; seconds: number };

/** What the listeners were given while the writer ran. */
export interface RaceOutcome {
  saves: number;
  /** Configs given to listeners (new versions). */
  published: number;
  /** Of those, `null`/`undefined` or not an object: an empty document. */
  empty: number;
  /** Of those, an object that is not exactly a document some save wrote: a partial read. */
  partial: number;
  /** Reloads refused while the writer ran (an empty read is refused, `EMPTY`). */
  refused: number;
  /** The counter of the config held at the end (it must be the last save's). */
  held: unknown;
}

/** The offsets of the 5 saves of a burst, in ms from its start (the schedule). */
const BURST = [0, 5, 11, 15, 20];

/**
 * Runs the writer `plan` against a fresh manager + autoReload, then waits until the last save is
 * current (or `settleTimeoutMs` passes: then `held` says what is held instead). `llms` sets the
 * document's size (15: ~50 lines, 1.1 KiB; 1000: 37 KiB, nine pages).
 */
export async function runSaveRace(
  plan: WriterPlan,
  { llms = LLMS, settleTimeoutMs = 10_000 } = {},
): Promise<RaceOutcome> {
  await using fixture = await createConfigFixture({ files: { "config.yml": saveText(0, llms) } });
  const file = fixture.path("config.yml");
  const events = createEventManager();
  await using manager = await createConfigManager<unknown>(file, {
    schema: passThroughSchema(),
    events,
    logger: silentLogger,
  });
  const outcome: RaceOutcome = { saves: 0, published: 0, empty: 0, partial: 0, refused: 0, held: undefined };
  manager.subscribe((config) => {
    outcome.published++;
    if (typeof config !== "object" || config === null) outcome.empty++;
    else if (!isDeepStrictEqual(config, saveData((config as { counter?: number }).counter ?? -1, llms)))
      outcome.partial++;
  });
  events.registerHandler(() => {
    outcome.refused++;
  }, ConfigEventType.CONFIG_RELOAD_FAILED);
  const handle = autoReload(manager, { logger: silentLogger });
  await handle.ready();
  const save = async (): Promise<void> => {
    outcome.saves++;
    const text = saveText(outcome.saves, llms);
    if (plan.kind !== "parts") return writeFile(file, text);
    const middle = Math.floor(text.length / 2);
    const cut = outcome.saves % 2 === 0 ? text.indexOf("\n", middle) + 1 : middle;
    const handle = await open(file, "w");
    try {
      await handle.write(text.slice(0, cut));
      await delay(Math.floor(Math.random() * 4));
      await handle.write(text.slice(cut));
    } finally {
      await handle.close();
    }
  };
  if (plan.kind === "steady" || plan.kind === "parts") {
    const end = performance.now() + plan.seconds * 1000;
    while (performance.now() < end) {
      await save();
      await delay(Math.floor(Math.random() * 7));
    }
  } else {
    for (let trial = 0; trial < plan.trials; trial++) {
      const start = performance.now();
      for (const offset of BURST) {
        await delay(Math.max(0, start + offset - performance.now()));
        await save();
      }
      await delay(plan.quietMs);
    }
  }
  const last = outcome.saves;
  const counterOf = (): unknown => (manager.currentConfig as { counter?: unknown } | null)?.counter;
  await waitFor(() => counterOf() === last, { timeout: settleTimeoutMs }).catch(() => undefined);
  await handle.done;
  outcome.held = counterOf();
  return outcome;
}

/** What `fileSource` returned while a file was saved in place without pause. */
export interface TornReadOutcome {
  saves: number;
  /** Reads that returned the whole of some save. */
  whole: number;
  /** Reads that returned data that is not a whole save: part of a write (must be 0). */
  partial: number;
  /** Reads refused, by code (`EMPTY`: between truncate and write; `READ_FAILED`: changed while read). */
  refused: Record<string, number>;
}

/**
 * Saves a `bytes`-long YAML file in place without pause while reading it through `fileSource` for
 * `seconds`. A write of more than a page is copied into the file page by page, so a read can end
 * inside it: before the fix such a read returned the prefix (cut mid line, parsed) as data.
 */
export async function runTornReads(seconds: number, bytes: number): Promise<TornReadOutcome> {
  await using fixture = await createConfigFixture();
  const file = fixture.path("config.yml");
  const keys = Math.ceil(bytes / 66);
  const text = (n: number): string =>
    Array.from({ length: keys }, (_, i) => `k${i}: ${String(n).repeat(60)}\n`).join("");
  await writeFile(file, text(1));
  const outcome: TornReadOutcome = { saves: 0, whole: 0, partial: 0, refused: {} };
  let writing = true;
  const writer = (async () => {
    while (writing) await writeFile(file, text((++outcome.saves % 9) + 1));
  })();
  const source = fileSource(file);
  const end = performance.now() + seconds * 1000;
  try {
    while (performance.now() < end) {
      try {
        const data = (await source.read()).data as Record<string, string>;
        const whole = Object.keys(data).length === keys && new Set(Object.values(data)).size === 1;
        if (whole) outcome.whole++;
        else outcome.partial++;
      } catch (error) {
        const code = (error as { code?: string }).code ?? String(error);
        outcome.refused[code] = (outcome.refused[code] ?? 0) + 1;
      }
    }
  } finally {
    writing = false;
    await writer;
  }
  return outcome;
}

/**
 * Keeps one CPU core busy in a child process (`node -e "for(;;){}"`) while `work` runs, then stops
 * it by its pid: the "under load" of the soak runs.
 */
export async function withBusyCore<T>(work: () => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    return await work();
  } finally {
    if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    await exited;
  }
}
