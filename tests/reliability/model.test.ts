// RELIABILITY.md scenario 40, model-based: random command sequences against ConfigManager over a
// MemorySource whose reads fast-check's scheduler releases (ScheduledSource), with a FakeWatcher and
// autoReload turning file events into reloads. Operations are issued without waiting, so reloads,
// rollbacks and override changes overlap with writes, deletes and listener changes; at each quiescence
// point the manager must equal a sequential model replaying the calls in call order (I1, I4, I6),
// listeners must have seen exactly the versions made while they were subscribed, each once, in order,
// whole and valid (I4, I5), and nothing leaks: no unhandled rejection, Object.prototype untouched, no
// listener call once close() is called (I8).
//
//   AIQ_FUZZ_RUNS=20000 pnpm vitest run tests/reliability/model.test.ts
import {
  type ConfigErrorCode,
  ConfigManager,
  type ConfigSnapshot,
  isConfigError,
  silentLogger,
} from "@aiq/config-core";
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { type EventRecorder, FakeWatcher, MemorySource, passThroughSchema, recordEvents } from "@aiq/config-testing";
import { type AutoReloadHandle, autoReload, type ReloadableManager } from "@aiq/config-watcher";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDeepFrozen, prototypeNames, type TestConfig, testSchema } from "./helpers.js";
import {
  ManagerModel,
  type ModelOp,
  type ModelSchema,
  type OpOutcome,
  type ReadOutcome,
  ScheduledSource,
} from "./model.js";
import * as v from "valibot";

const RUNS = Number(process.env.AIQ_FUZZ_RUNS ?? 200);
// To replay a failure: AIQ_FUZZ_SEED=<seed> AIQ_FUZZ_PATH=<path> from fast-check's report.
const SEED = process.env.AIQ_FUZZ_SEED === undefined ? undefined : Number(process.env.AIQ_FUZZ_SEED);
const PATH = process.env.AIQ_FUZZ_PATH;
const MAX_SNAPSHOTS = 4;
const FILE = "/virtual/config.yml";

// -- the real system --------------------------------------------------------------------------------

interface ListenerRecord {
  id: number;
  kind: "ok" | "throw" | "reject";
  path: "counter" | undefined;
  /** The manager's version when it subscribed: it must see every later version (that touches its path). */
  from: number;
  /** The version when it unsubscribed (or the manager closed). */
  until: number | undefined;
  unsubscribe: () => void;
  versions: number[];
  /** The config it was given with each version: it must be the one the model made. */
  configs: Map<number, unknown>;
}

interface LoggedOp {
  op: ModelOp;
  /** Called after close(): rejected at once, changes nothing. */
  afterClose: boolean;
  /** Called with `accept` (autoReload's): a read the caller refuses is SUPERSEDED and changes nothing. */
  refusable?: boolean;
  read?: ReadOutcome;
  outcome?: OpOutcome;
  settled: boolean;
}

interface Real {
  s: fc.Scheduler;
  source: ScheduledSource;
  manager: ConfigManager<TestConfig>;
  watcher: FakeWatcher;
  handle: AutoReloadHandle;
  events: EventRecorder;
  log: LoggedOp[];
  pending: Promise<unknown>[];
  listeners: ListenerRecord[];
  /** Set when close() is called: from then on no listener may be called. */
  closing: boolean;
  closed: boolean;
  /** Listener calls that broke an invariant, described. */
  violations: string[];
  /** Failing listener calls, to match against LISTENER_FAILED events. */
  listenerFailures: number;
  schema: ModelSchema;
}

interface Model {
  listeners: number;
  closed: boolean;
  /** Commands run so far: close() waits for some activity first. */
  steps: number;
}

/** Calls an operation on the manager, logging it in call order; never awaits it. */
function issue(real: Real, op: ModelOp, call: () => Promise<unknown>, refusable = false): Promise<unknown> {
  const entry: LoggedOp = { op, afterClose: real.closing, refusable, settled: false };
  real.log.push(entry);
  const promise = call();
  // Recorded in the first reaction to the operation's own promise: the manager's queue starts the next
  // operation at least one microtask later, so a read is never attributed to a finished operation.
  const tracked = promise.then(
    (config) => {
      entry.outcome = { ok: true, config: config as TestConfig, version: real.manager.status.version };
      entry.settled = true;
    },
    (error: unknown) => {
      entry.settled = true;
      if (!isConfigError(error)) throw error;
      entry.outcome = { ok: false, code: error.code };
    },
  );
  real.pending.push(tracked);
  return promise;
}

/** The logged operation a read belongs to: operations run one at a time, so it is the oldest unsettled one. */
function attributeRead(real: Real, outcome: ReadOutcome): void {
  const entry = real.log.find((logged) => !logged.settled && !logged.afterClose);
  if (!entry) {
    real.violations.push("a read happened with no operation running");
    return;
  }
  if (entry.read) real.violations.push(`operation ${JSON.stringify(entry.op)} read twice`);
  entry.read = outcome;
}

// -- documents ---------------------------------------------------------------------------------------

const validDoc: fc.Arbitrary<TestConfig> = fc
  .record({ counter: fc.nat(3), temperature: fc.constantFrom(0, 0.5, 1), second: fc.boolean(), llms: fc.boolean() })
  .map(({ counter, temperature, second, llms }) => ({
    name: "model",
    counter,
    ...(llms ? { llms: { main: { model: "m", temperature }, ...(second ? { second: { model: "s" } } : {}) } } : {}),
    end: true as const,
  }));

const invalidDoc: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  { name: "model", counter: -1, end: true },
  { name: "model", counter: 1, llms: { main: { model: "m", temperature: -1 } }, end: true },
  { name: "model", counter: 1 },
  { name: 5, counter: 1, end: true },
  { name: "model", counter: 1, llms: { main: {} }, end: true },
);

/** What a truncated read returns: the start of a document. */
const partialDoc: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  { name: "model" },
  { name: "model", counter: 2 },
  {},
);

const overridesArb: fc.Arbitrary<Record<string, number>> = fc.oneof(
  fc.constant({}),
  fc.nat(3).map((counter) => ({ counter })),
  fc.constantFrom(0.2, 0.9).map((temperature) => ({ "llms.main.temperature": temperature })),
  fc.constant({ counter: 2, "llms.main.temperature": 0.3 }),
  fc.constant({ counter: -1 }), // invalid value
  fc.constant({ countr: 1 }), // a typo: the schema strips it
  fc.constant({ "__proto__.polluted": 1 }), // reserved
  fc.constant({ "name.first": 1 }), // through a string
);

// -- commands ----------------------------------------------------------------------------------------

type Cmd = fc.AsyncCommand<Model, Real>;

function command(
  name: string,
  run: (model: Model, real: Real) => Promise<void> | void,
  check: (model: Model) => boolean = () => true,
): Cmd {
  return {
    check,
    async run(model, real) {
      model.steps++;
      await run(model, real);
    },
    toString: () => name,
  };
}

function fileEvent(real: Real, kind: "modify" | "create" | "delete"): void {
  // After close the watcher is closed with the manager: saves still happen, nobody is told.
  if (!real.watcher.closed) real.watcher[kind](FILE);
}

const writeValid = validDoc.map((doc) =>
  command(`writeValid(${JSON.stringify(doc)})`, (_m, real) => {
    real.source.set(doc);
    fileEvent(real, "modify");
  }),
);
const writeInvalid = invalidDoc.map((doc) =>
  command(`writeInvalid(${JSON.stringify(doc)})`, (_m, real) => {
    real.source.set(doc);
    fileEvent(real, "modify");
  }),
);
const partialRead = partialDoc.map((doc) =>
  command(`partialRead(${JSON.stringify(doc)})`, (_m, real) => {
    real.source.partial(doc);
    fileEvent(real, "modify");
  }),
);
// A save whose reload read it between its truncate and its write: fileSource refuses the empty read
// (EMPTY), later reads see the save (and autoReload reads again, since no file event may follow).
const emptyRead = validDoc.map((doc) =>
  command(`emptyRead(${JSON.stringify(doc)})`, (_m, real) => {
    real.source.set(doc);
    real.source.empty();
    fileEvent(real, "modify");
  }),
);
const deleteFile = fc.constant(
  command("delete", (_m, real) => {
    real.source.fail("ENOENT");
    fileEvent(real, "delete");
  }),
);
const recreate = validDoc.map((doc) =>
  command(`recreate(${JSON.stringify(doc)})`, (_m, real) => {
    real.source.set(doc);
    fileEvent(real, "create");
  }),
);
const reload = fc.constant(
  command("reload", (_m, real) => {
    void issue(real, { kind: "reload" }, () => real.manager.reloadConfig()).catch(() => undefined);
  }),
);
const rollback = fc.integer({ min: 0, max: 5 }).map((steps) =>
  command(`rollback(${steps})`, (_m, real) => {
    void issue(real, { kind: "rollback", steps }, () => real.manager.rollbackConfig(steps)).catch(() => undefined);
  }),
);
const setOverrides = overridesArb.map((overrides) =>
  command(`setOverrides(${JSON.stringify(overrides)})`, (_m, real) => {
    void issue(real, { kind: "overrides", overrides }, () => real.manager.setOverrides(overrides)).catch(
      () => undefined,
    );
  }),
);
const addListener = fc
  .record({
    kind: fc.constantFrom("ok" as const, "ok" as const, "throw" as const, "reject" as const),
    path: fc.constantFrom(undefined, "counter" as const),
  })
  .map(({ kind, path }) =>
    command(`addListener(${kind}${path ? `, ${path}` : ""})`, (model, real) => {
      const record: ListenerRecord = {
        id: real.listeners.length + 1,
        kind,
        path,
        from: real.manager.status.version,
        until: undefined,
        unsubscribe: () => undefined,
        versions: [],
        configs: new Map(),
      };
      const listener = (config: Readonly<TestConfig>, change: { version: number }): void | Promise<void> => {
        if (real.closing)
          real.violations.push(`listener ${record.id} called with version ${change.version} after close()`);
        if (record.until !== undefined) real.violations.push(`listener ${record.id} called after it unsubscribed`);
        if (real.schema === "strict" && !v.is(testSchema, config))
          real.violations.push(`listener ${record.id} saw an invalid config: ${JSON.stringify(config)}`);
        if (!isDeepFrozen(config)) real.violations.push(`listener ${record.id} saw a config that is not deep-frozen`);
        if (config !== real.manager.currentConfig)
          real.violations.push(`listener ${record.id} was called with a config that is not current`);
        record.versions.push(change.version);
        record.configs.set(change.version, config);
        if (kind === "throw") {
          real.listenerFailures++;
          throw new Error(`listener ${record.id} throws`);
        }
        if (kind === "reject") {
          real.listenerFailures++;
          return Promise.reject(new Error(`listener ${record.id} rejects`));
        }
      };
      record.unsubscribe = path ? real.manager.subscribe(path, listener) : real.manager.subscribe(listener);
      real.listeners.push(record);
      model.listeners++;
    }),
  );
const removeListener = fc.record({ index: fc.nat(), twice: fc.boolean() }).map(({ index, twice }) =>
  command(
    `removeListener(${index}${twice ? ", twice" : ""})`,
    (_model, real) => {
      const active = real.listeners.filter((record) => record.until === undefined);
      const record = active[index % active.length];
      if (!record) return;
      record.unsubscribe();
      record.until = real.manager.status.version;
      if (twice) record.unsubscribe();
    },
    (model) => model.listeners > 0,
  ),
);
/** Lets the scheduler release one held read (or start a queued step): partial progress between commands. */
const step = fc.constant(
  command("step", async (_m, real) => {
    if (real.s.count() > 0) await real.s.waitOne();
  }),
);
const settle = fc.constant(
  command("settle", async (_m, real) => {
    await quiesce(real);
    checkInvariants(real);
  }),
);
const close = fc.constant(
  command(
    "close",
    async (model, real) => {
      real.closing = true;
      const closing = real.manager.close();
      for (const record of real.listeners) record.until ??= real.manager.status.version;
      await real.s.waitFor(closing);
      real.closed = true;
      model.closed = true;
      expect(real.manager.status.closed).toBe(true);
      expect(real.manager.listenerCount).toBe(0);
      expect(real.watcher.closed).toBe(true);
      await real.s.waitFor(real.manager.close()); // idempotent
    },
    (model) => !model.closed && model.steps >= 15,
  ),
);

// fc.commands picks each command evenly: repeats weigh the common ones (close ends most of a run).
// A partial read is data to a source that cannot tell (MemorySource): only the schema can refuse
// it, so it is in the strict run only. The pass-through run has the read that fileSource refuses
// whatever the schema: an empty one (issue 17).
const commandsFor = (schema: ModelSchema) =>
  fc.commands(
    [
      ...[
        writeValid,
        writeValid,
        writeValid,
        writeInvalid,
        schema === "strict" ? partialRead : emptyRead,
        deleteFile,
        recreate,
      ],
      ...[reload, reload, rollback, rollback, setOverrides, setOverrides],
      ...[addListener, addListener, addListener, removeListener],
      ...[step, step, step, step, settle, settle, settle],
      close,
    ],
    { maxCommands: 50, size: "large" },
  );

// -- quiescence and invariants -----------------------------------------------------------------------

async function quiesce(real: Real): Promise<void> {
  // Operations and the reloads autoReload starts (which issue more operations) until nothing is left.
  for (let round = 0; round < 100; round++) {
    const pending = [...real.pending];
    await real.s.waitFor(Promise.all([...pending, real.handle.done]));
    if (real.pending.length === pending.length && real.log.every((entry) => entry.settled)) return;
  }
  throw new Error("the manager never became idle");
}

function replay(real: Real): ManagerModel {
  const initial = real.source.reads[0] && real.source.reads[0].kind === "data" ? real.source.reads[0].data : undefined;
  const model = new ManagerModel(initial, {}, MAX_SNAPSHOTS, real.schema);
  for (const entry of real.log) {
    const outcome = entry.outcome;
    if (!outcome) throw new Error(`operation ${JSON.stringify(entry.op)} has not settled`);
    if (entry.afterClose) {
      expect(outcome, `${JSON.stringify(entry.op)} after close`).toEqual({ ok: false, code: "CLOSED" });
      continue;
    }
    // close() aborts the read in flight and refuses what is queued: those change nothing.
    if (real.closing && !outcome.ok && (outcome.code === "CLOSED" || outcome.code === "ABORTED")) continue;
    // A read its caller's `accept` refused (autoReload's looks) changes nothing either.
    if (entry.refusable && !outcome.ok && outcome.code === "SUPERSEDED") continue;
    const reads = entry.op.kind === "reload" || entry.op.kind === "validate";
    if (reads && !entry.read) throw new Error(`operation ${JSON.stringify(entry.op)} never read`);
    if (!reads && entry.read) throw new Error(`operation ${JSON.stringify(entry.op)} read`);
    const expected = model.apply(entry.op, entry.read);
    expect(outcome, `outcome of ${JSON.stringify(entry.op)}`).toEqual(expected);
  }
  return model;
}

function checkInvariants(real: Real): void {
  expect(real.violations).toEqual([]);
  const model = replay(real);
  const { manager } = real;
  // I1: the current config is the last valid state; I4: versions; I6: history.
  expect(manager.currentConfig).toEqual(model.config);
  expect(isDeepFrozen(manager.currentConfig)).toBe(true);
  expect(manager.status.version).toBe(model.version);
  expect(manager.reloadCount).toBe(model.reloadCount);
  const snapshots = manager.getSnapshots();
  expect(snapshots.length).toBeLessThanOrEqual(MAX_SNAPSHOTS);
  expect(
    snapshots.map((snapshot: ConfigSnapshot<TestConfig>) => [snapshot.version, snapshot.reason, snapshot.config]),
  ).toEqual(model.snapshots.map((snapshot) => [snapshot.version, snapshot.reason, snapshot.config]));
  for (const snapshot of snapshots) expect(isDeepFrozen(snapshot)).toBe(true);
  if (!real.closing) {
    // I10: the status tells the last error and whether the file is missing.
    expect(manager.status.lastError?.code).toBe(model.lastErrorCode as ConfigErrorCode | undefined);
    expect(manager.status.missing).toBe(model.missing);
    expect(manager.configOverrides).toEqual(
      Object.fromEntries(Object.entries(model.overrides).map(([key, value]) => [key, String(value)])),
    );
  }
  // I4/I5: each listener saw exactly the versions made while it was subscribed (that touched its path),
  // each once, in increasing order.
  for (const record of real.listeners) {
    const expected = [...model.versions.entries()]
      .filter(([version]) => version > record.from && (record.until === undefined || version <= record.until))
      .filter(([, made]) => record.path === undefined || made.counterChanged)
      .map(([version]) => version);
    expect(record.versions, `listener ${record.id} (${record.kind}${record.path ? `, ${record.path}` : ""})`).toEqual(
      expected,
    );
    // I1 whatever the schema: what a listener was given is exactly what the model made of whole saves.
    for (const [version, config] of record.configs)
      expect(config, `listener ${record.id}, version ${version}`).toEqual(model.versions.get(version)?.config);
  }
  const failures = real.events.events.filter((event) => event.type === ConfigEventType.LISTENER_FAILED).length;
  expect(failures).toBe(real.listenerFailures);
}

// -- the property ------------------------------------------------------------------------------------

describe.each(["strict", "pass-through"] as const)(
  "40 model-based (%s schema): ConfigManager + MemorySource + FakeWatcher + autoReload under fast-check's scheduler",
  (schema) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    let baseline: string[];

    beforeAll(() => {
      baseline = prototypeNames();
      process.on("unhandledRejection", onUnhandled);
    });

    afterAll(() => {
      process.off("unhandledRejection", onUnhandled);
    });

    it(
      `holds I1-I8 at every quiescence point (${RUNS} runs; AIQ_FUZZ_RUNS to change)`,
      async () => {
        const started = performance.now();
        await fc.assert(
          fc.asyncProperty(fc.scheduler(), validDoc, commandsFor(schema), async (s, initial, cmds) => {
            const setup = async (): Promise<{ model: Model; real: Real }> => {
              const memory = new MemorySource(initial, { files: [FILE] });
              const source = new ScheduledSource(memory, initial, s);
              const bus = createEventManager();
              const events = recordEvents(bus);
              const manager = await s.waitFor(
                ConfigManager.create({
                  source,
                  schema: schema === "strict" ? testSchema : passThroughSchema<TestConfig>(),
                  events: bus,
                  logger: silentLogger,
                  maxSnapshots: MAX_SNAPSHOTS,
                }),
              );
              const watcher = new FakeWatcher({ events: bus });
              const real: Real = {
                s,
                source,
                manager,
                watcher,
                handle: undefined as unknown as AutoReloadHandle,
                events,
                log: [],
                pending: [],
                listeners: [],
                closing: false,
                closed: false,
                violations: [],
                listenerFailures: 0,
                schema,
              };
              source.onRead = (outcome) => attributeRead(real, outcome);
              // autoReload's reloads go through the log too: they are operations like any other.
              const logged: ReloadableManager = {
                get events() {
                  return manager.events;
                },
                get source() {
                  return manager.source;
                },
                get currentConfig() {
                  return manager.currentConfig;
                },
                reloadConfig: (options) =>
                  issue(
                    real,
                    options?.validateOnly ? { kind: "validate" } : { kind: "reload" },
                    () => manager.reloadConfig(options),
                    options?.accept !== undefined,
                  ),
                attachWatcher: (attached) => manager.attachWatcher(attached),
              };
              real.handle = autoReload(logged, { watcher, logger: silentLogger });
              return { model: { listeners: 0, closed: false, steps: 0 }, real };
            };
            let real: Real | undefined;
            await fc.asyncModelRun(async () => {
              const built = await setup();
              real = built.real;
              return built;
            }, cmds);
            if (!real) return;
            // The final quiescence point, then close (if the run did not) and check nothing moves after.
            await quiesce(real);
            checkInvariants(real);
            if (!real.closed) {
              real.closing = true;
              for (const record of real.listeners) record.until ??= real.manager.status.version;
              await s.waitFor(real.manager.close());
            }
            const after = real.events.events.length;
            const { manager } = real;
            const lateReload = issue(real, { kind: "reload" }, () => manager.reloadConfig());
            await s.waitFor(lateReload.catch(() => undefined));
            await quiesce(real);
            checkInvariants(real);
            expect(real.events.events.length).toBe(after);
            real.events.stop();
            expect(prototypeNames()).toEqual(baseline);
            expect(unhandled).toEqual([]);
          }),
          {
            numRuns: RUNS,
            ...(SEED === undefined ? {} : { seed: SEED }),
            ...(PATH === undefined ? {} : { path: PATH }),
          },
        );
        const elapsed = performance.now() - started;
        if (RUNS > 200) console.log(`model-based run: ${RUNS} sequences in ${(elapsed / 1000).toFixed(1)} s`);
      },
      30 * 60_000,
    );
  },
);
