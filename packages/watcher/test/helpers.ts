import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { type ConfigManager, type Logger, silentLogger } from "@aiq/config-core";
import { ConfigEventType, createEventManager, type EventManager, type FileEvent } from "@aiq/config-events";
import { must } from "../../../tests/support/must.js";
import {
  type ConfigFixture,
  createConfigFixture,
  type EventRecorder,
  passThroughSchema,
  recordEvents,
  type SaveMode,
  waitFor,
} from "@aiq/config-testing";
import { createConfigManager } from "@aiq/config-loader";
import {
  type AutoReloadHandle,
  type AutoReloadOptions,
  autoReload,
  ConfigWatcher,
  type ConfigWatcherOptions,
  type FileLook,
} from "../src/index.js";
import { configData, configText, type TestConfig, testSchema } from "./schema.js";

// Only to measure other debounce values with the same suite (see the README); unset in normal runs.
const DEBOUNCE = process.env.AIQ_TEST_DEBOUNCE_MS ? { debounceMs: Number(process.env.AIQ_TEST_DEBOUNCE_MS) } : {};

/** The two ways of watching every scenario runs in. */
export const MODES = [
  { mode: "native", options: { usePolling: false, ...DEBOUNCE } },
  { mode: "polling", options: { usePolling: true, interval: 50, ...DEBOUNCE } },
] as const satisfies readonly { mode: string; options: ConfigWatcherOptions }[];

/** The schemas every end-to-end scenario runs with: the strict test schema, and one that accepts anything (RELIABILITY I1). */
export const SCHEMAS = ["strict", "pass-through"] as const;
export type SchemaKind = (typeof SCHEMAS)[number];

/** Every watch mode with every schema. */
export const MODES_AND_SCHEMAS = MODES.flatMap((m) => SCHEMAS.map((schema) => ({ ...m, schema })));

/** Generous: a timeout only ever fails a test, it never paces one. */
export const TIMEOUT = 8000;

export const FILE_EVENTS: readonly ConfigEventType[] = [
  ConfigEventType.FILE_MODIFIED,
  ConfigEventType.FILE_CREATED,
  ConfigEventType.FILE_DELETED,
];

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** A logger that keeps the lines logged, for the tests that check what a user would read (a warning). */
export interface LogRecorder extends Logger {
  readonly lines: string[];
}

export function createLogRecorder(): LogRecorder {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => {
    lines.push(`${level}: ${message}`);
  };
  return {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
}

/** The watcher's looks at its files, as its `onLook` option tells them, to wait for a decision. */
export interface LookRecorder {
  readonly looks: FileLook[];
  /** Records a look (the `onLook` option). */
  record(look: FileLook): void;
  /** Waits for a look matching `match` recorded at or after position `from` (default: any). */
  waitForLook(match: (look: FileLook) => boolean, options?: { from?: number; what?: string }): Promise<FileLook>;
  /**
   * Waits for the look that reported the change `match` picks (from `from`) and checks that a file
   * event revealed it, not a timed second look: the proof that the file is still really watched.
   */
  seenThroughEvent(match: (look: FileLook) => boolean, from: number, what: string): Promise<void>;
  /**
   * Waits until the watcher looked at `path` again after the latest change it reported and found
   * nothing new (or had nothing to decide since `from`): the quiet point after which counting
   * events is exact.
   */
  quiet(path: string, from?: number): Promise<void>;
}

export function createLookRecorder(): LookRecorder {
  const looks: FileLook[] = [];
  const recorder: LookRecorder = {
    looks,
    record: (look) => {
      looks.push(look);
    },
    async waitForLook(match, { from = 0, what = "a look" } = {}) {
      let found: FileLook | undefined;
      await waitFor(
        () => {
          found = looks.slice(from).find(match);
          return found !== undefined;
        },
        { timeout: TIMEOUT, message: `${what}; last looks: ${JSON.stringify(looks.slice(-8))}` },
      );
      return must(found, what);
    },
    async seenThroughEvent(match, from, what) {
      const look = await recorder.waitForLook((each) => each.outcome === "reported" && match(each), { from, what });
      if (look.reason !== "event") throw new Error(`not seen through a file event: ${JSON.stringify(look)}`);
    },
    async quiet(path, from = 0) {
      const last = looks.findLastIndex((look) => look.path === path && look.outcome === "reported");
      // Nothing reported and nothing decided since `from`: already quiet.
      const decided = (look: FileLook): boolean =>
        look.path === path && look.outcome !== "baseline" && look.outcome !== "superseded";
      if (last === -1 && !looks.slice(from).some(decided)) return;
      await recorder.waitForLook(
        (look) => look.path === path && look.reason === "recheck" && look.outcome === "unchanged",
        { from: Math.max(from, last + 1), what: `a second look at ${path} that found nothing new` },
      );
    },
  };
  return recorder;
}

/** A watcher on a fresh fixture, ready (its files' current content is the baseline). */
export interface WatchSetup extends AsyncDisposable {
  fixture: ConfigFixture;
  bus: EventManager;
  watcher: ConfigWatcher;
  log: LogRecorder;
  looks: LookRecorder;
  recorder: EventRecorder;
  /** The file events recorded so far (for `path`, when given). */
  fileEvents(path?: string): FileEvent[];
  /**
   * Waits until the watcher looked at `path` again after the latest event and found nothing new:
   * the quiet point after which counting events is exact.
   */
  settled(path: string, from?: number): Promise<void>;
  /**
   * Saves `content` once the watcher is quiet and waits for its event, checking that a file event
   * (not a timed second look) revealed it: the proof that the file is still really watched.
   */
  saveAndExpectEvent(
    name: string,
    content: string,
    options?: { as?: SaveMode; type?: FileEvent["type"] },
  ): Promise<void>;
}

export async function watchFixture(
  files: Record<string, string>,
  watch: readonly string[],
  options: ConfigWatcherOptions = {},
  setup?: (fixture: ConfigFixture) => Promise<void>,
): Promise<WatchSetup> {
  const fixture = await createConfigFixture({ files });
  await setup?.(fixture);
  const bus = createEventManager();
  const recorder = recordEvents(bus);
  const log = createLogRecorder();
  const looks = createLookRecorder();
  const watcher = new ConfigWatcher({ events: bus, logger: log, onLook: looks.record, ...options });
  for (const name of watch) watcher.addFile(fixture.path(name));
  await watcher.ready();
  const fileEvents = (path?: string): FileEvent[] =>
    recorder.events.filter(
      (event): event is FileEvent =>
        FILE_EVENTS.includes(event.type) && (path === undefined || (event as FileEvent).filePath === path),
    );
  const result: WatchSetup = {
    fixture,
    bus,
    watcher,
    log,
    looks,
    recorder,
    fileEvents,
    settled: (path, from = 0) => looks.quiet(path, from),
    async saveAndExpectEvent(name, content, { as = "in-place", type = ConfigEventType.FILE_MODIFIED } = {}) {
      const path = fixture.path(name);
      await result.settled(path);
      const from = looks.looks.length;
      await fixture.save(name, content, { as });
      const event = await recorder.next(type, { timeout: TIMEOUT });
      if (event.filePath !== path || event.checksum !== sha256(content))
        throw new Error(`unexpected event ${JSON.stringify(event)}`);
      await looks.seenThroughEvent(
        (look) => look.path === path && look.event?.type === type,
        from,
        `the look that reported ${type} for ${path}`,
      );
    },
    async [Symbol.asyncDispose]() {
      await watcher.close();
      recorder.stop();
      await fixture.close();
    },
  };
  return result;
}

/** A manager on a real file of a fresh fixture, reloaded by autoReload with a real ConfigWatcher. */
export interface ReloadSetup extends AsyncDisposable {
  fixture: ConfigFixture;
  bus: EventManager;
  manager: ConfigManager<TestConfig>;
  handle: AutoReloadHandle;
  log: LogRecorder;
  looks: LookRecorder;
  recorder: EventRecorder;
  file: string;
  /** Every config listeners were told about, in order. */
  published: TestConfig[];
  /** Versions as listeners saw them. */
  versions: number[];
  /** Configs a listener saw that were not exactly a whole document written by the test (empty or partial). */
  broken: unknown[];
  /** How many times the schema validated a candidate. */
  validations(): number;
  /** Waits for the watcher's quiet point on the config file, then for the reloads it caused. */
  settled(from?: number): Promise<void>;
  /** Waits until the current config has `counter`. */
  waitForCounter(counter: number): Promise<void>;
  /**
   * Once the watcher is quiet, saves `configText(counter)` and waits for it to be current, checking
   * that a file event (not a timed second look) revealed it: the file is still really watched.
   */
  saveAndExpectReload(counter: number, options?: { as?: SaveMode; name?: string }): Promise<void>;
  failures(): number;
}

export async function reloadFixture(
  files: Record<string, string>,
  options: AutoReloadOptions & { schema?: SchemaKind } = {},
  setup?: (fixture: ConfigFixture) => Promise<void>,
  name = "config.yml",
): Promise<ReloadSetup> {
  const { schema: kind = "strict", ...reloadOptions } = options;
  const inner = kind === "strict" ? testSchema : passThroughSchema<TestConfig>();
  const fixture = await createConfigFixture({ files });
  await setup?.(fixture);
  const bus = createEventManager();
  const recorder = recordEvents(bus);
  const log = createLogRecorder();
  const looks = createLookRecorder();
  let validations = 0;
  const schema: typeof testSchema = {
    "~standard": {
      ...testSchema["~standard"],
      validate: (value) => {
        validations++;
        return inner["~standard"].validate(value);
      },
    },
  };
  const file = fixture.path(name);
  const manager = await createConfigManager<TestConfig>(file, { schema, events: bus, logger: silentLogger });
  const published: TestConfig[] = [];
  const versions: number[] = [];
  const broken: unknown[] = [];
  manager.subscribe((config, change) => {
    published.push(config);
    versions.push(change.version);
    if (!isWhole(config)) broken.push(config);
  });
  const handle = autoReload(manager, { logger: log, onLook: looks.record, ...reloadOptions });
  await handle.ready();
  const result: ReloadSetup = {
    fixture,
    bus,
    manager,
    handle,
    log,
    looks,
    recorder,
    file,
    published,
    versions,
    broken,
    validations: () => validations,
    failures: () => recorder.events.filter((e) => e.type === ConfigEventType.CONFIG_RELOAD_FAILED).length,
    async settled(from = 0) {
      await looks.quiet(file, from);
      await handle.done;
    },
    async waitForCounter(counter) {
      await waitFor(() => manager.currentConfig.counter === counter, {
        timeout: TIMEOUT,
        message: `counter ${counter} (current ${manager.currentConfig.counter}, last error ${manager.status.lastError?.message ?? "none"})`,
      });
    },
    async saveAndExpectReload(counter, { as = "in-place", name: saved = name } = {}) {
      await result.settled();
      const from = looks.looks.length;
      await fixture.save(saved, configText(counter), { as });
      await result.waitForCounter(counter);
      const checksum = sha256(configText(counter));
      await looks.seenThroughEvent(
        (look) => look.checksum === checksum,
        from,
        `the look that reported counter ${counter}`,
      );
    },
    async [Symbol.asyncDispose]() {
      await manager.close();
      recorder.stop();
      await fixture.close();
    },
  };
  return result;
}

/** True for exactly a document `configText` writes: not empty, not cut off, not a mix of two. */
export function isWhole(config: unknown): boolean {
  if (typeof config !== "object" || config === null) return false;
  const { counter, llms } = config as Partial<TestConfig>;
  return typeof counter === "number" && isDeepStrictEqual(config, configData(counter, llms?.main_llm?.temperature));
}
