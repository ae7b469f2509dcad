import type { ConfigChangeReason, EventManager } from "@aiq/config-events";
import type { ConfigIssue, ConfigErrorCode } from "./errors.js";
import type { Logger } from "./logger.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

/** A path into a config: keys and array indexes. */
export type ConfigPath = readonly (string | number)[];

/** A place in a source file. */
export interface SourceLocation {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** The file the value was written in, when it is not the source's main file (`base:` chains). */
  file?: string;
}

/** One read of a source: the parsed document before overrides. */
export interface SourceDocument {
  /** The parsed document (env interpolation done), before overrides. */
  data: unknown;
  /** sha-256 hex of the raw bytes. */
  checksum: string;
  /** Where the value at `path` was written, if the source knows. */
  locate?(path: ConfigPath): SourceLocation | undefined;
  /** Non-fatal findings of the read (e.g. an unset `${VAR}`), already redacted. */
  warnings?: readonly string[];
  /** A store's version of the document (etcd's `mod_revision`, as a decimal string); files have none. */
  revision?: string;
  /**
   * The sha-256 hex of each file's bytes as this read found them, by absolute path (file sources:
   * the file and its `base:` chain), so a caller can tell whether the read saw what a watcher saw.
   */
  fileChecksums?: Readonly<Record<string, string>>;
  /**
   * The text an issue's `file` names (the source's main text when `file` is undefined), for the code
   * frames of a failed reload; only called when a reload fails.
   */
  sourceText?(file: string | undefined): string | undefined;
  /**
   * The size of the source text in bytes, where known: a manager hands a large document's
   * remaining steps (freezing, validating) to the event loop one slice at a time.
   */
  size?: number;
}

/** Where a manager reads its config from: a file (`fileSource`), memory (`MemorySource`), ... */
export interface ConfigSource {
  /** A stable id, e.g. the resolved file path. */
  readonly id: string;
  /** Reads and parses the current document; throws `ConfigReloadError`/`ConfigValidationError`. */
  read(signal?: AbortSignal): Promise<SourceDocument>;
  /** The files a watcher should watch for this source, where it has any. */
  readonly files?: readonly string[];
  /** Releases what the source holds (a connection, a worker thread); `manager.close()` calls it. Idempotent. */
  close?(): Promise<void>;
}

/** The value an override may be given. Strings are typed (see the README); other values are used as they are. */
export type OverrideValue = string | number | boolean | null;

/** Dotted-path overrides, e.g. `{ "llms.main_llm.temperature": 0.9 }`. */
export type ConfigOverrides = Readonly<Record<string, OverrideValue>>;

/** Options of `ConfigManager.create`. */
export interface ConfigManagerOptions<T> {
  /** Where the config comes from. */
  source: ConfigSource;
  /**
   * The schema the config must match; valibot, zod or any Standard Schema.
   * @default aiqConfigSchema
   */
  schema?: StandardSchemaV1<unknown, T> | undefined;
  /**
   * Dotted-path overrides applied after every read.
   * @default {}
   */
  overrides?: ConfigOverrides | undefined;
  /**
   * How many snapshots to keep, the current one included.
   * @default 10
   */
  maxSnapshots?: number | undefined;
  /**
   * The bus to emit events on; a given bus is the only one used.
   * @default getEventManager()
   */
  events?: EventManager | undefined;
  /**
   * Where log lines go.
   * @default warnings on stderr; every step with `AIQ_CONFIG_LOG=debug`
   */
  logger?: Logger | undefined;
  /**
   * Extra keys whose values are secret (matched against the last path segment), beyond the built-in
   * `api_key`, `*_key`, `token`, `password`, `secret`... Strings match exactly (case-insensitive); a
   * `RegExp` is tested on the key; a string with dots (`llms.*.endpoint`) matches a whole path.
   * @default []
   */
  secretKeys?: readonly (string | RegExp)[] | undefined;
  /**
   * With the default schema: refuse a component key that looks like a typo of a common field
   * (`temprature` for `temperature`) instead of warning about it.
   * @default false
   */
  strictKeys?: boolean | undefined;
  /**
   * Warn on the logger about each failed reload, rollback or override change. Turn it off when the
   * program reports CONFIG_RELOAD_FAILED (or `status.lastError`) itself, as the CLI's `watch` does,
   * so a failure is not said twice. The event and the status are there either way.
   * @default true
   */
  logFailures?: boolean | undefined;
}

/** A config version kept to roll back to. Deep-frozen; unchanged subtrees are shared between snapshots. */
export interface ConfigSnapshot<T> {
  version: number;
  timestamp: Date;
  reason: ConfigChangeReason;
  config: Readonly<T>;
  /** The overrides that were active, as strings; the value of a secret path (`llms.x.api_key`) is `***`. */
  overrides: Readonly<Record<string, string>>;
  /** sha-256 hex of the source bytes this version came from. */
  checksum: string;
  /** The store revision this version was read at (etcd `mod_revision`); absent for files. */
  revision?: string;
}

/** The redacted description of the last failure. */
export interface ConfigStatusError {
  name: string;
  code: ConfigErrorCode;
  message: string;
  issues?: readonly ConfigIssue[];
  at: Date;
}

/** How the source is being watched, when a watcher is attached (`autoReload`, `watchEtcd`). */
export interface WatchState {
  /**
   * `native` (fs events), `polling` (`usePolling` or `CHOKIDAR_USEPOLLING`), or `push` (a store
   * that sends changes, such as an etcd watch).
   */
  mode: "native" | "polling" | "push";
  /** True when anything is not healthy (a watcher error such as `ENOSPC`, a lost connection, a failing resync): changes may be missed or late. */
  degraded: boolean;
  /** For `push`: true while the change stream is up. */
  connected?: boolean;
  /** What is wrong, when degraded (redacted). */
  error?: string;
}

/** What `ConfigManager.status` reports. Plain data, safe to print: secrets are redacted. */
export interface ConfigStatus {
  sourceId: string;
  /** The current version: 1 after create, +1 per applied change. */
  version: number;
  /** Successful reloads + rollbacks. */
  reloadCount: number;
  /** When the last reload was attempted (success or failure). */
  lastReloadAt?: Date;
  /** When the last change was applied. */
  lastSuccessAt?: Date;
  /** The last failure; cleared by the next success. */
  lastError?: ConfigStatusError;
  /** True while the source's file (or key) is missing (the last good config stays current). */
  missing: boolean;
  /** The newest store revision read successfully, even by a reload that changed nothing; absent for files. */
  sourceRevision?: string;
  /** The watcher's state, when one is attached. */
  watch?: WatchState;
  /** Snapshots kept, the current one included. */
  snapshots: number;
  closed: boolean;
}

/** What a listener is told about a new version. */
export interface ConfigChange<T> {
  version: number;
  reason: ConfigChangeReason;
  /** The config before this version. */
  previous: Readonly<T>;
  /** Dotted paths whose values changed, e.g. `llms.main_llm.temperature`. */
  changedPaths: readonly string[];
}

/** Called with each new version. Errors (sync or async) are reported as LISTENER_FAILED events. */
export type ConfigListener<T> = (config: Readonly<T>, change: ConfigChange<T>) => void | Promise<void>;

/** Options of `reloadConfig`. */
export interface ReloadOptions {
  /**
   * Run the whole pipeline and return the candidate without applying it.
   * @default false
   */
  validateOnly?: boolean | undefined;
  /** Abandons the read; the reload then fails with code `ABORTED`. */
  signal?: AbortSignal | undefined;
  /**
   * Looks at the document just read, before anything else is done with it: `false` abandons the
   * reload with code `SUPERSEDED`, which changes nothing and is not a failure (no `lastError`, no
   * CONFIG_RELOAD_FAILED). `autoReload` uses it to publish only content its watcher saw settled:
   * a read that meets the next save's first part is dropped, and that save's own report reloads it.
   */
  accept?: ((document: SourceDocument) => boolean) | undefined;
}

/** A watcher attached to a manager (by `autoReload`): reported in `status`, closed with the manager. */
export interface AttachedWatcher {
  state(): WatchState;
  close(): Promise<void>;
}
