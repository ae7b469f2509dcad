import { type ConfigChangeReason, type ConfigEventError, ConfigEventType, type EventManager } from "@aiq/config-events";

/** Where the manager stands when it emits: its version, reload count and the store revision held. */
export interface EventState {
  version: number;
  reloadCount: number;
  revision: string | undefined;
}

/** The events a manager emits on its bus, each naming its source. Internal. */
export class ManagerEvents {
  readonly #bus: EventManager;
  readonly #sourceId: string;

  constructor(bus: EventManager, sourceId: string) {
    this.#bus = bus;
    this.#sourceId = sourceId;
  }

  /** A change was applied (CONFIG_ROLLED_BACK for a rollback), or a reload that changed nothing. */
  changed(state: EventState, reason: ConfigChangeReason, changedPaths: readonly string[]): void {
    const type = reason === "rollback" ? ConfigEventType.CONFIG_ROLLED_BACK : ConfigEventType.CONFIG_RELOADED;
    this.#emit(type, state, { reason, changedPaths });
  }

  /** An operation failed; nothing changed. */
  failed(state: EventState, error: ConfigEventError): void {
    this.#emit(ConfigEventType.CONFIG_RELOAD_FAILED, state, { error });
  }

  /** A listener threw (or rejected) on `version`. */
  listenerFailed(listenerId: number, version: number, error: ConfigEventError): void {
    this.#bus.emit({
      type: ConfigEventType.LISTENER_FAILED,
      timestamp: new Date(),
      sourceId: this.#sourceId,
      listenerId,
      version,
      error,
    });
  }

  #emit(
    type: ConfigEventType.CONFIG_RELOADED | ConfigEventType.CONFIG_RELOAD_FAILED | ConfigEventType.CONFIG_ROLLED_BACK,
    { version, reloadCount, revision }: EventState,
    extra: { reason?: ConfigChangeReason; changedPaths?: readonly string[]; error?: ConfigEventError },
  ): void {
    this.#bus.emit({
      type,
      timestamp: new Date(),
      sourceId: this.#sourceId,
      version,
      reloadCount,
      ...(revision === undefined ? {} : { revision }),
      ...extra,
    });
  }
}
