import { createEmitter, type Emitter } from "./emitter.js";
import type { AiqConfigEvent, ConfigEventType, EventHandler, EventOfType } from "./event-types.js";

/** Called when a bus handler throws or rejects. */
export type HandlerErrorReporter = (error: unknown, event: AiqConfigEvent) => void;

/** Options of {@link createEventManager}. */
export interface EventManagerOptions {
  /**
   * Where a handler's error goes. Handlers are isolated: the error never reaches the emitter.
   * @default a one-line warning on stderr
   */
  onHandlerError?: HandlerErrorReporter | undefined;
}

type Events = { [K in ConfigEventType]: EventOfType<K> };

const defaultReporter: HandlerErrorReporter = (error, event) => {
  const message = error instanceof Error ? error.message : String(error);
  console.warn(`[aiq-config] a handler of "${event.type}" failed: ${message}`);
};

/** A typed event bus. Handlers run in registration order; the set of handlers is fixed at emit time. */
export class EventManager {
  readonly #emitter: Emitter<Events> = createEmitter<Events>();
  readonly #onHandlerError: HandlerErrorReporter;
  #count = 0;

  constructor(options: EventManagerOptions = {}) {
    this.#onHandlerError = options.onHandlerError ?? defaultReporter;
  }

  /**
   * Registers a handler for one event type, or for every event when no type is given.
   * @returns a function that unregisters the handler; calling it twice is a no-op.
   * @example
   * const off = bus.registerHandler((e) => console.log(e.version), ConfigEventType.CONFIG_RELOADED);
   */
  registerHandler<K extends ConfigEventType>(handler: EventHandler<EventOfType<K>>, type: K): () => void;
  registerHandler(handler: EventHandler): () => void;
  registerHandler(handler: EventHandler<never>, type?: ConfigEventType): () => void {
    const safe = (a: unknown, b?: unknown): void => {
      const event = (type === undefined ? b : a) as AiqConfigEvent;
      this.#invoke(handler as EventHandler, event);
    };
    if (type === undefined) this.#emitter.on("*", safe);
    else this.#emitter.on(type, safe);
    this.#count++;
    let registered = true;
    return () => {
      if (!registered) return;
      registered = false;
      this.#count--;
      if (type === undefined) this.#emitter.off("*", safe);
      else this.#emitter.off(type, safe);
    };
  }

  /** Sends an event to every handler of its type and to every catch-all handler. Never throws. */
  emit(event: AiqConfigEvent): void {
    this.#emitter.emit(event.type, event as never);
  }

  /** How many handlers are registered (for leak checks). */
  get handlerCount(): number {
    return this.#count;
  }

  /** Unregisters every handler. */
  clear(): void {
    this.#emitter.all.clear();
    this.#count = 0;
  }

  #invoke(handler: EventHandler, event: AiqConfigEvent): void {
    try {
      const result = handler(event);
      if (result && typeof (result as Promise<void>).then === "function") {
        (result as Promise<void>).then(undefined, (error: unknown) => this.#report(error, event));
      }
    } catch (error) {
      this.#report(error, event);
    }
  }

  #report(error: unknown, event: AiqConfigEvent): void {
    try {
      this.#onHandlerError(error, event);
    } catch {
      // A failing reporter must not break the emitter either.
    }
  }
}

let shared: EventManager | undefined;

/**
 * The process-wide bus that managers and watchers use unless given their own.
 * @returns the same instance on every call
 */
export function getEventManager(): EventManager {
  shared ??= new EventManager();
  return shared;
}

/**
 * Creates a private bus, e.g. one per test or per manager.
 * @param options where handler errors go
 * @returns a new, empty bus
 */
export function createEventManager(options?: EventManagerOptions): EventManager {
  return new EventManager(options);
}
