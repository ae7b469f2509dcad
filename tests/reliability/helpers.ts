import { writeFile } from "node:fs/promises";
import { inspect } from "node:util";
import {
  type ConfigManager,
  type ConfigReloadError,
  type ConfigSnapshot,
  isConfigReloadError,
  type Logger,
} from "@aiq/config-core";
import { createEventManager, type EventManager } from "@aiq/config-events";
import { createConfigManager, type CreateConfigManagerOptions } from "@aiq/config-loader";
import { type ConfigFixture, createConfigFixture, type EventRecorder, recordEvents } from "@aiq/config-testing";
import { expect } from "vitest";
import * as v from "valibot";

/** The secret every canary test writes; it must never be seen outside the config object itself. */
export const CANARY = "sk-CANARY-123";

/** One LLM: the shape the reliability tests write. Unknown keys are stripped (valibot `object`). */
export const llmSchema = v.object({
  model: v.string(),
  temperature: v.optional(v.pipe(v.number(), v.minValue(0))),
  api_key: v.optional(v.string()),
});

/** The config of the reliability tests: `end: true` comes last, so a cut-off document never validates. */
export const testSchema = v.object({
  name: v.string(),
  counter: v.pipe(v.number(), v.integer(), v.minValue(0)),
  llms: v.optional(v.record(v.string(), llmSchema)),
  end: v.literal(true),
});
export type TestConfig = v.InferOutput<typeof testSchema>;

/** A valid config as YAML; `counter` tells versions apart. */
export function yamlConfig(counter: number, extra = ""): string {
  return `name: reliability\ncounter: ${counter}\nllms:\n  main:\n    model: m${counter}\n    temperature: 0.5\n${extra}end: true\n`;
}

/** The same config as JSON. */
export function jsonConfig(counter: number): string {
  return JSON.stringify(
    { name: "reliability", counter, llms: { main: { model: `m${counter}`, temperature: 0.5 } }, end: true },
    null,
    2,
  );
}

/** A logger that keeps every line, to check what was logged (and that no secret was). */
export interface CapturedLogger extends Logger {
  readonly lines: string[];
}

export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => {
    lines.push(`${level}: ${message}`);
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A manager over a real file in a fresh temp dir, with its own bus, recorder and captured logger. */
export interface FileManagerSetup<T> extends AsyncDisposable {
  fixture: ConfigFixture;
  /** The config file's name in the fixture, e.g. `config.yml`. */
  name: string;
  /** Its absolute path. */
  file: string;
  /** Writes the file in place: text through the fixture, bytes as they are. */
  save(content: string | Uint8Array): Promise<void>;
  manager: ConfigManager<T>;
  bus: EventManager;
  events: EventRecorder;
  logger: CapturedLogger;
}

export async function fileManager<T = TestConfig>(
  content: string,
  options: CreateConfigManagerOptions<T> & { name?: string } = {},
): Promise<FileManagerSetup<T>> {
  const { name = "config.yml", ...managerOptions } = options;
  const fixture = await createConfigFixture({ files: { [name]: content } });
  const bus = createEventManager();
  const events = recordEvents(bus);
  const logger = captureLogger();
  const file = fixture.path(name);
  let manager: ConfigManager<T>;
  try {
    manager = await createConfigManager<T>(file, {
      schema: testSchema as unknown as v.GenericSchema<unknown, T>,
      events: bus,
      logger,
      ...managerOptions,
    });
  } catch (error) {
    events.stop();
    await fixture.close();
    throw error;
  }
  return {
    fixture,
    name,
    file,
    save: (text) => (typeof text === "string" ? fixture.save(name, text) : writeFile(file, text)),
    manager,
    bus,
    events,
    logger,
    async [Symbol.asyncDispose]() {
      await manager.close();
      events.stop();
      await fixture.close();
    },
  };
}

/** What "retained" compares: the current config (same object), version, reload count and snapshots. */
export interface ManagerState<T> {
  config: Readonly<T>;
  version: number;
  reloadCount: number;
  snapshots: readonly ConfigSnapshot<T>[];
}

export function stateOf<T>(manager: ConfigManager<T>): ManagerState<T> {
  return {
    config: manager.currentConfig,
    version: manager.status.version,
    reloadCount: manager.reloadCount,
    snapshots: manager.getSnapshots(),
  };
}

/**
 * Runs a failing operation and checks the RELIABILITY.md "retained" contract: it rejects with a
 * `ConfigReloadError` of `code`, the current config is the very same object, version, reload count and
 * snapshots are unchanged, and `status.lastError` carries the code.
 */
export async function expectRetained<T>(
  manager: ConfigManager<T>,
  operation: () => Promise<unknown>,
  code: string,
): Promise<ConfigReloadError> {
  const before = stateOf(manager);
  const error = await operation().then(
    () => {
      throw new Error(`expected the operation to fail with ${code}, but it succeeded`);
    },
    (caught: unknown) => caught,
  );
  expect(isConfigReloadError(error), inspect(error)).toBe(true);
  const reloadError = error as ConfigReloadError;
  expect(reloadError.code, reloadError.message).toBe(code);
  const after = stateOf(manager);
  expect(after.config).toBe(before.config);
  expect(after.version).toBe(before.version);
  expect(after.reloadCount).toBe(before.reloadCount);
  // Older snapshots may be rebuilt on each call (the store keeps patches): equal, not identical.
  expect(after.snapshots).toEqual(before.snapshots);
  expect(manager.status.lastError?.code).toBe(code);
  return reloadError;
}

/** Saves `content`, reloads, and checks the manager recovered: new version, `lastError` cleared. */
export async function expectRecovery(setup: FileManagerSetup<TestConfig>, counter: number): Promise<void> {
  const { manager } = setup;
  const version = manager.status.version;
  await setup.save(setup.name.endsWith(".json") ? jsonConfig(counter) : yamlConfig(counter));
  const config = await manager.reloadConfig();
  expect(config.counter).toBe(counter);
  expect(manager.currentConfig).toBe(config);
  expect(manager.status.version).toBe(version + 1);
  expect(manager.status.lastError).toBeUndefined();
  expect(manager.status.missing).toBe(false);
}

/** Every own property name of Object.prototype, to prove a test left it as it was. */
export function prototypeNames(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

/**
 * True when `value` and everything under it is frozen. A `Date` (a snapshot's timestamp) is skipped:
 * freezing does not stop `setTime`, so it is checked for what it is, not for being frozen.
 */
export function isDeepFrozen(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value !== "object" || value === null || seen.has(value) || value instanceof Date) return true;
  seen.add(value);
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every((child) => isDeepFrozen(child, seen));
}
