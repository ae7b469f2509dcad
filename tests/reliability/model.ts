// A sequential model of ConfigManager (DESIGN.md semantics, written independently of the product code)
// and a source whose reads fast-check's scheduler releases. Used by the race (39) and model-based (40)
// tests: operations run one at a time in call order, so the real manager must end where the model
// ends when it replays the same calls in call order with the data each read actually returned.
import { isDeepStrictEqual } from "node:util";
import { type ConfigErrorCode, ConfigReloadError, type ConfigSource, type SourceDocument } from "@aiq/config-core";
import type { MemorySource } from "@aiq/config-testing";
import type fc from "fast-check";
import { type TestConfig, testSchema } from "./helpers.js";
import * as v from "valibot";

/** What a read returned: a document, or a failure code. */
export type ReadOutcome = { kind: "data"; data: unknown } | { kind: "error"; code: ConfigErrorCode };

/** One call on the manager, as logged at call time. */
export type ModelOp =
  | { kind: "reload" }
  | { kind: "validate" }
  | { kind: "rollback"; steps: number }
  | { kind: "overrides"; overrides: Record<string, number> };

export interface ModelSnapshot {
  version: number;
  reason: "initial" | "reload" | "rollback" | "overrides";
  config: TestConfig;
  doc: unknown;
}

/** The outcome of one operation: the config it returned, or the code it failed with. */
export type OpOutcome = { ok: true; config: TestConfig; version: number } | { ok: false; code: ConfigErrorCode };

const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

type Resolution = { ok: true; config: TestConfig } | { ok: false; code: ConfigErrorCode };

/** The schemas the model-based run uses: the strict test schema, and one that accepts anything (issue 17). */
export type ModelSchema = "strict" | "pass-through";

/** Overrides on a copy of the document, then the schema: the reload pipeline, for plain dotted keys and number values. */
export function resolveModel(
  doc: unknown,
  overrides: Record<string, number>,
  schema: ModelSchema = "strict",
): Resolution {
  const data = structuredClone(doc) as Record<string, unknown>;
  const paths = Object.keys(overrides).map((key) => key.split("."));
  if (paths.some((path) => path.some((segment) => segment === "" || RESERVED.has(segment))))
    return { ok: false, code: "INVALID_PATH" };
  for (const [key, value] of Object.entries(overrides)) {
    const path = key.split(".");
    let node: Record<string, unknown> = data;
    for (const segment of path.slice(0, -1)) {
      if (!Object.hasOwn(node, segment))
        Object.defineProperty(node, segment, { value: {}, enumerable: true, writable: true, configurable: true });
      const next = node[segment];
      if (typeof next !== "object" || next === null) return { ok: false, code: "INVALID_OVERRIDE" };
      node = next as Record<string, unknown>;
    }
    Object.defineProperty(node, path[path.length - 1] as string, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const result =
    schema === "strict" ? v.safeParse(testSchema, data) : { success: true as const, output: data as TestConfig };
  if (!result.success) return { ok: false, code: "INVALID_CONFIG" };
  for (const key of Object.keys(overrides)) {
    let node: unknown = result.output;
    for (const segment of key.split(".")) {
      if (typeof node !== "object" || node === null || !Object.hasOwn(node, segment))
        return { ok: false, code: "INVALID_OVERRIDE" };
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return { ok: true, config: result.output };
}

/** The manager as DESIGN.md describes it, one operation at a time. */
export class ManagerModel {
  doc: unknown;
  overrides: Record<string, number>;
  config: TestConfig;
  version = 1;
  reloadCount = 0;
  snapshots: ModelSnapshot[];
  lastErrorCode: ConfigErrorCode | undefined;
  missing = false;
  /** Every version made, with its config and the paths that changed from the version before. */
  readonly versions = new Map<number, { config: TestConfig; counterChanged: boolean }>();

  constructor(
    doc: unknown,
    overrides: Record<string, number>,
    readonly maxSnapshots: number,
    readonly schema: ModelSchema = "strict",
  ) {
    const resolved = resolveModel(doc, overrides, schema);
    if (!resolved.ok) throw new Error(`model: the initial document is invalid (${resolved.code})`);
    this.doc = doc;
    this.overrides = overrides;
    this.config = resolved.config;
    this.snapshots = [{ version: 1, reason: "initial", config: resolved.config, doc }];
    this.versions.set(1, { config: resolved.config, counterChanged: false });
  }

  /** Applies one operation; `read` is what the reload's read returned. */
  apply(op: ModelOp, read?: ReadOutcome): OpOutcome {
    switch (op.kind) {
      case "reload": {
        if (!read) throw new Error("model: a reload needs the outcome of its read");
        if (read.kind === "error") return this.#fail(read.code);
        const resolved = resolveModel(read.data, this.overrides, this.schema);
        if (!resolved.ok) return this.#fail(resolved.code);
        this.doc = read.data;
        this.reloadCount++;
        this.#succeeded();
        if (isDeepStrictEqual(resolved.config, this.config))
          return { ok: true, config: this.config, version: this.version };
        return this.#commit(resolved.config, "reload");
      }
      case "validate": {
        if (!read) throw new Error("model: a validation needs the outcome of its read");
        if (read.kind === "error") return { ok: false, code: read.code };
        const resolved = resolveModel(read.data, this.overrides, this.schema);
        return resolved.ok
          ? { ok: true, config: resolved.config, version: this.version }
          : { ok: false, code: resolved.code };
      }
      case "rollback": {
        const target = Number.isInteger(op.steps) && op.steps >= 1 ? this.snapshots[op.steps] : undefined;
        if (!target) return this.#fail("ROLLBACK_RANGE");
        const resolved = resolveModel(target.doc, this.overrides, this.schema);
        if (!resolved.ok) return this.#fail(resolved.code);
        this.doc = target.doc;
        this.reloadCount++;
        this.#succeeded();
        return this.#commit(resolved.config, "rollback", op.steps);
      }
      case "overrides": {
        const resolved = resolveModel(this.doc, op.overrides, this.schema);
        if (!resolved.ok) return this.#fail(resolved.code);
        this.overrides = op.overrides;
        this.#succeeded();
        return this.#commit(resolved.config, "overrides");
      }
    }
  }

  #fail(code: ConfigErrorCode): OpOutcome {
    this.lastErrorCode = code;
    if (code === "ENOENT") this.missing = true;
    return { ok: false, code };
  }

  #succeeded(): void {
    this.lastErrorCode = undefined;
    this.missing = false;
  }

  #commit(config: TestConfig, reason: ModelSnapshot["reason"], dropNewest?: number): OpOutcome {
    const counterChanged = config.counter !== this.config.counter;
    this.config = config;
    this.version++;
    this.versions.set(this.version, { config, counterChanged });
    const snapshot: ModelSnapshot = { version: this.version, reason, config, doc: this.doc };
    if (dropNewest !== undefined) this.snapshots = [snapshot, ...this.snapshots.slice(dropNewest + 1)];
    else this.snapshots = [snapshot, ...this.snapshots].slice(0, this.maxSnapshots);
    return { ok: true, config, version: this.version };
  }
}

/**
 * A source over a MemorySource whose every read is held (`hang()`) until fast-check's scheduler
 * releases it, and which records what each read returned, in read order.
 */
export class ScheduledSource implements ConfigSource {
  readonly id: string;
  readonly files?: readonly string[];
  /** What each read returned, in the order the reads started. */
  readonly reads: ReadOutcome[] = [];
  /** Called with each read's outcome as the read starts (to tell which operation made it). */
  onRead: ((outcome: ReadOutcome) => void) | undefined;
  #state: ReadOutcome;
  #partial: unknown;
  #hasPartial = false;
  #empty = false;

  constructor(
    readonly memory: MemorySource,
    initial: unknown,
    readonly scheduler: fc.Scheduler,
  ) {
    this.id = memory.id;
    if (memory.files) this.files = memory.files;
    this.#state = { kind: "data", data: structuredClone(initial) };
  }

  /** The next reads return `data`. */
  set(data: unknown): void {
    this.memory.set(data);
    this.#state = { kind: "data", data: structuredClone(data) };
  }

  /** The next reads fail with `code`. */
  fail(code: ConfigErrorCode): void {
    this.memory.fail(code);
    this.#state = { kind: "error", code };
  }

  /** The next read (only) returns `data`. */
  partial(data: unknown): void {
    this.memory.partial(data);
    this.#partial = structuredClone(data);
    this.#hasPartial = true;
  }

  /**
   * The next read (only) fails with `EMPTY`, as `fileSource` does when it reads an in-place save
   * between its truncate and its write; later reads return the data again.
   */
  empty(): void {
    this.#empty = true;
  }

  read(signal?: AbortSignal): Promise<SourceDocument> {
    const empty = this.#empty;
    const outcome: ReadOutcome = empty
      ? { kind: "error", code: "EMPTY" }
      : this.#hasPartial
        ? { kind: "data", data: this.#partial }
        : this.#state;
    this.reads.push(outcome);
    this.#hasPartial = false;
    this.#empty = false;
    this.onRead?.(outcome);
    const release = this.memory.hang();
    const read = this.memory.read(signal);
    void this.scheduler.schedule(Promise.resolve(), `read #${this.reads.length}`).then(release);
    if (!empty) return read;
    // Released like any read (whatever the memory source held), then refused as fileSource does.
    const refuse = (): never => {
      throw new ConfigReloadError("EMPTY", `Config file ${this.id} is empty`, { sourceId: this.id });
    };
    return read.then(refuse, refuse);
  }
}
