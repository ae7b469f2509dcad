// RELIABILITY.md scenarios 38 (bounded snapshots, exact rollback) on a real file, and 39 (rollback vs
// reload race) with fast-check's scheduler over MemorySource's hang(): whatever the timing, operations
// run one at a time in call order, the end state is the last operation's, versions only increase.
import { ConfigManager, type ConfigSnapshot, silentLogger } from "@aiq/config-core";
import { ConfigEventType, createEventManager } from "@aiq/config-events";
import { MemorySource } from "@aiq/config-testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectRetained, fileManager, isDeepFrozen, type TestConfig, testSchema, yamlConfig } from "./helpers.js";
import { ManagerModel, type ModelOp, type OpOutcome, ScheduledSource } from "./model.js";

describe("38 bounded snapshots and exact rollback", () => {
  const N = 4;

  async function withHistory() {
    const setup = await fileManager(yamlConfig(0), { maxSnapshots: N });
    for (let counter = 1; counter <= N + 5; counter++) {
      await setup.save(yamlConfig(counter));
      await setup.manager.reloadConfig();
    }
    return setup;
  }

  it(`keeps only N = ${N} deep-frozen snapshots after N + 5 reloads, newest first, [0] current`, async () => {
    await using setup = await withHistory();
    const snapshots = setup.manager.getSnapshots();
    expect(snapshots.map((snapshot) => snapshot.version)).toEqual([10, 9, 8, 7]);
    expect(snapshots.map((snapshot) => snapshot.config.counter)).toEqual([9, 8, 7, 6]);
    expect(snapshots[0]?.config).toBe(setup.manager.currentConfig);
    expect(setup.manager.status.snapshots).toBe(N);
    expect(Object.isFrozen(snapshots)).toBe(true);
    for (const snapshot of snapshots) expect(isDeepFrozen(snapshot)).toBe(true);
    expect(() => {
      (snapshots[1]?.config as { counter: number }).counter = 100;
    }).toThrow(TypeError);
    expect(setup.manager.getSnapshots()[1]?.config.counter).toBe(8);
  });

  it("rollbackConfig(k) makes snapshot k current, drops the k newer ones, counts as a reload and emits CONFIG_ROLLED_BACK", async () => {
    await using setup = await withHistory();
    const { manager } = setup;
    const before = manager.getSnapshots();
    const target = before[2] as ConfigSnapshot<TestConfig>;
    const reloads = manager.reloadCount;
    const seen: number[] = [];
    manager.subscribe((config, change) => {
      seen.push(change.version);
      expect(config).toEqual(target.config);
      expect(change.reason).toBe("rollback");
    });
    const restored = await manager.rollbackConfig(2);
    expect(restored).toEqual(target.config);
    expect(manager.currentConfig).toBe(restored);
    expect(manager.reloadCount).toBe(reloads + 1);
    expect(manager.status.version).toBe(11);
    expect(seen).toEqual([11]);
    const after = manager.getSnapshots();
    expect(after.map((snapshot) => [snapshot.version, snapshot.reason, snapshot.config.counter])).toEqual([
      [11, "rollback", 7],
      [7, "reload", 6],
    ]);
    expect(after[0]?.checksum).toBe(target.checksum);
    expect(after[1]).toEqual(before[3]);
    const event = await setup.events.next(ConfigEventType.CONFIG_ROLLED_BACK);
    expect(event).toMatchObject({
      version: 11,
      reloadCount: reloads + 1,
      changedPaths: ["counter", "llms.main.model"],
    });
  });

  it("re-validates the old document with today's overrides: applied when valid, retained when not", async () => {
    await using setup = await withHistory();
    const { manager } = setup;
    await manager.setOverrides({ "llms.main.temperature": 1.5 });
    const restored = await manager.rollbackConfig(2);
    expect(restored.llms?.main).toEqual({ model: "m8", temperature: 1.5 });
    expect(manager.getSnapshots()[0]?.overrides).toEqual({ "llms.main.temperature": "1.5" });

    // A version whose document has no `llms`, then one that has, then an override into llms.main.
    await manager.setOverrides({});
    await setup.save("name: bare\ncounter: 20\nend: true\n");
    await manager.reloadConfig();
    await setup.save(yamlConfig(30));
    await manager.reloadConfig();
    await manager.setOverrides({ "llms.main.temperature": 0.2 });
    expect(manager.getSnapshots()[2]?.config.name).toBe("bare");
    // Rolling back to "bare" with that override would create llms.main without a model: refused.
    const error = await expectRetained(manager, () => manager.rollbackConfig(2), "INVALID_CONFIG");
    expect(error.message).toContain("llms.main.model");
    expect(manager.currentConfig.counter).toBe(30);
  });

  it("rolls back to the document a snapshot came from (its checksum), even after a reload that changed nothing", async () => {
    // Found by the model-based test: a no-change reload used to swap the current snapshot's document
    // for the new one, so a later rollback to that version re-resolved a file it never came from.
    await using setup = await fileManager(yamlConfig(1));
    const { manager } = setup;
    await manager.setOverrides({ "llms.main.temperature": 0.3 }); // v2 from the file with temperature 0.5
    const v2 = manager.getSnapshots()[0] as ConfigSnapshot<TestConfig>;
    await setup.save(yamlConfig(1).replace("temperature: 0.5", "temperature: 0.9"));
    expect(await manager.reloadConfig()).toBe(v2.config); // masked by the override: no change, no version
    await manager.setOverrides({ "llms.main.temperature": 0.3, counter: 1 }); // v3, from the new file
    await manager.setOverrides({}); // v4: the new file as it is
    expect(manager.currentConfig.llms?.main?.temperature).toBe(0.9);
    const back = await manager.rollbackConfig(2); // to v2, whose file said 0.5
    expect(back.llms?.main?.temperature).toBe(0.5);
    expect(manager.getSnapshots()[0]?.checksum).toBe(v2.checksum);
  });

  it("refuses k outside 1..snapshots-1 with ROLLBACK_RANGE saying how many steps are possible; retained", async () => {
    await using setup = await withHistory();
    const { manager } = setup;
    for (const steps of [N, N + 1, 0, -1, 1.5, Number.NaN]) {
      const error = await expectRetained(manager, () => manager.rollbackConfig(steps), "ROLLBACK_RANGE");
      expect(error.message).toContain(`${N} snapshot(s) kept, 1 to ${N - 1} steps possible`);
    }
    manager.clearSnapshots();
    const error = await expectRetained(manager, () => manager.rollbackConfig(), "ROLLBACK_RANGE");
    expect(error.message).toContain("no rollback is possible");
  });
});

// -- 39 -------------------------------------------------------------------------------------------

const doc = (counter: number, temperature = 0.5): TestConfig => ({
  name: "race",
  counter,
  llms: { main: { model: "m", temperature } },
  end: true,
});

type RaceOp =
  | { kind: "rollback"; steps: number }
  | { kind: "reload"; data: TestConfig | "invalid" }
  | { kind: "overrides"; overrides: Record<string, number> };

const raceOp: fc.Arbitrary<RaceOp> = fc.oneof(
  fc.record({ kind: fc.constant("rollback" as const), steps: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    kind: fc.constant("reload" as const),
    data: fc.oneof(
      fc.nat(3).map((n) => doc(n)),
      fc.constant("invalid" as const),
    ),
  }),
  fc.record({
    kind: fc.constant("overrides" as const),
    overrides: fc.oneof(
      fc.constant({}),
      fc.nat(3).map((n) => ({ counter: 10 + n })),
      fc.constant({ "llms.main.temperature": -1 }),
    ),
  }),
);

describe("39 rollback vs reload race (fast-check scheduler)", () => {
  it("runs operations one at a time in call order whatever the timing; the end state is the last one's; versions only increase", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(raceOp, { minLength: 1, maxLength: 6 }),
        fc.nat(3),
        async (s, ops, history) => {
          const memory = new MemorySource(doc(0));
          const source = new ScheduledSource(memory, doc(0), s);
          const manager = await s.waitFor(
            ConfigManager.create({
              source,
              schema: testSchema,
              events: createEventManager(),
              logger: silentLogger,
              maxSnapshots: 4,
            }),
          );
          const seen: number[] = [];
          manager.subscribe((_config, change) => {
            seen.push(change.version);
          });
          // Some history to roll back to.
          for (let i = 1; i <= history; i++) {
            source.set(doc(i));
            await s.waitFor(manager.reloadConfig());
          }
          const model = new ManagerModel(doc(0), {}, 4);
          for (let i = 1; i <= history; i++) model.apply({ kind: "reload" }, source.reads[i]);

          // The reload in flight: its read is held until the scheduler releases it.
          const log: ModelOp[] = [{ kind: "reload" }];
          source.set(doc(7, 0.7));
          const calls: Promise<OpOutcome>[] = [outcomeOf(manager.reloadConfig(), manager)];
          // Each other operation is issued when the scheduler says, before or after reads complete.
          const issued = ops.map((op, index) =>
            s.schedule(Promise.resolve(), `issue ${index}: ${JSON.stringify(op)}`).then(() => {
              if (op.kind === "reload") {
                if (op.data === "invalid") source.set({ name: "race", counter: -1, end: true });
                else source.set(op.data);
                log.push({ kind: "reload" });
                calls.push(outcomeOf(manager.reloadConfig(), manager));
              } else if (op.kind === "rollback") {
                log.push(op);
                calls.push(outcomeOf(manager.rollbackConfig(op.steps), manager));
              } else {
                log.push(op);
                calls.push(outcomeOf(manager.setOverrides(op.overrides), manager));
              }
            }),
          );
          await s.waitFor(Promise.all(issued));
          const outcomes = await s.waitFor(Promise.all(calls));

          // Replay in call order, each reload with what its read returned.
          let read = 1 + history;
          const expected = log.map((op) => model.apply(op, op.kind === "reload" ? source.reads[read++] : undefined));
          expect(read).toBe(source.reads.length);
          expect(outcomes).toEqual(expected);
          expect(manager.currentConfig).toEqual(model.config);
          expect(manager.status.version).toBe(model.version);
          expect(manager.reloadCount).toBe(model.reloadCount);
          expect(manager.status.lastError?.code).toBe(model.lastErrorCode);
          expect(
            manager.getSnapshots().map((snapshot) => [snapshot.version, snapshot.reason, snapshot.config]),
          ).toEqual(model.snapshots.map((snapshot) => [snapshot.version, snapshot.reason, snapshot.config]));
          // Versions only increase, each reaches the listener once, and successful calls got increasing versions.
          expect(seen).toEqual([...model.versions.keys()].filter((version) => version > 1));
          const versions = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.version] : []));
          expect(versions).toEqual([...versions].sort((a, b) => a - b));
          await s.waitFor(manager.close());
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** What a call returned, as the model says it: the config and the version it made, or the error code. */
function outcomeOf(call: Promise<Readonly<TestConfig>>, manager: ConfigManager<TestConfig>): Promise<OpOutcome> {
  return call.then(
    (config) => ({ ok: true as const, config, version: manager.status.version }),
    (error: { code?: OpOutcome extends { code: infer C } ? C : never }) => ({
      ok: false as const,
      code: error.code as never,
    }),
  );
}
