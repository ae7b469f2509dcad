/** Every kind of event aiq-config emits on its bus. */
export enum ConfigEventType {
  FILE_MODIFIED = "file_modified",
  FILE_CREATED = "file_created",
  FILE_DELETED = "file_deleted",
  CONFIG_RELOADED = "config_reloaded",
  CONFIG_RELOAD_FAILED = "config_reload_failed",
  CONFIG_ROLLED_BACK = "config_rolled_back",
  LISTENER_FAILED = "listener_failed",
}

/** An error as it travels on the bus: plain data, already redacted. */
export interface ConfigEventError {
  /** The error class name, e.g. `ConfigValidationError`. */
  name: string;
  /** The redacted message. */
  message: string;
  /** The error code, e.g. `ENOENT`, `INVALID_CONFIG`. */
  code?: string;
  /** Every validation issue, where the error has them. */
  issues?: readonly ConfigEventIssue[];
}

/** One validation issue on the bus. */
export interface ConfigEventIssue {
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/** A watched file changed, appeared or disappeared. */
export interface FileEvent {
  type: ConfigEventType.FILE_MODIFIED | ConfigEventType.FILE_CREATED | ConfigEventType.FILE_DELETED;
  /** The absolute path of the watched file. */
  filePath: string;
  timestamp: Date;
  /** sha-256 hex of the new content; absent for deletions. */
  checksum?: string;
}

/** Why a new config version became current. */
export type ConfigChangeReason = "initial" | "reload" | "rollback" | "overrides";

/** A config was reloaded, rolled back, or a reload failed. */
export interface ConfigEvent {
  type: ConfigEventType.CONFIG_RELOADED | ConfigEventType.CONFIG_RELOAD_FAILED | ConfigEventType.CONFIG_ROLLED_BACK;
  timestamp: Date;
  /** The id of the manager's source, e.g. the resolved file path. */
  sourceId: string;
  /** The current version after the event (unchanged on failure). */
  version: number;
  /** The reload count after the event. */
  reloadCount: number;
  /** What produced the new version; absent on failure. */
  reason?: ConfigChangeReason;
  /** Dotted paths that changed (`llms.main_llm.temperature`); empty when nothing changed. */
  changedPaths?: readonly string[];
  /** The store revision of the document now current (etcd `mod_revision`); absent for files. */
  revision?: string;
  /** The redacted error, on CONFIG_RELOAD_FAILED. */
  error?: ConfigEventError;
}

/** A config listener threw or rejected; the reload it was told about still stands. */
export interface ListenerFailedEvent {
  type: ConfigEventType.LISTENER_FAILED;
  timestamp: Date;
  sourceId: string;
  /** The id the manager gave the listener when it subscribed (1, 2, ...). */
  listenerId: number;
  /** The version the listener was being told about. */
  version: number;
  error: ConfigEventError;
}

/** Any event on the bus. */
export type AiqConfigEvent = FileEvent | ConfigEvent | ListenerFailedEvent;

/** The event type for a given `ConfigEventType`. */
export type EventOfType<K extends ConfigEventType> = AiqConfigEvent extends infer E
  ? E extends { type: infer T }
    ? K extends T
      ? E & { type: K }
      : never
    : never
  : never;

/** A bus handler. A thrown error or rejected promise is isolated from other handlers and the emitter. */
export type EventHandler<E extends AiqConfigEvent = AiqConfigEvent> = (event: E) => void | Promise<void>;
