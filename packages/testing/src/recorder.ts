import type { AiqConfigEvent, ConfigEventType, EventManager, EventOfType } from "@aiq/config-events";
import { DEFAULT_TIMEOUT_MS, startDeadline } from "./deadline.js";

/** Options of {@link EventRecorder.next}. */
export interface NextEventOptions {
  /**
   * How long to wait for the event, in milliseconds.
   * @default 5000
   */
  timeout?: number;
}

/** What {@link recordEvents} returns: the events of a bus, in order, for assertions. */
export interface EventRecorder<E extends AiqConfigEvent = AiqConfigEvent> extends Disposable {
  /** Every event recorded since the start (or the last `clear()`), oldest first. */
  readonly events: readonly E[];
  /**
   * The types of the recorded events, in order.
   * @returns e.g. `["file_modified", "config_reloaded"]`
   */
  types(): ConfigEventType[];
  /** Forgets the recorded events (and the position of `next()`). */
  clear(): void;
  /** Stops recording and rejects pending `next()` calls; idempotent. */
  stop(): void;
  /**
   * The next recorded event (of `type`, when given) that `next()` has not returned yet, waiting for it if needed.
   *
   * Events are consumed in order, so an event emitted before the call is not missed.
   * @param type - only this type; earlier events of other types are skipped
   * @param options - the timeout
   * @returns the event; rejects with the recorded types when the timeout passes
   * @example
   * watcher.modify(file);
   * const event = await recorder.next(ConfigEventType.CONFIG_RELOADED);
   */
  next<K extends ConfigEventType>(type: K, options?: NextEventOptions): Promise<E & EventOfType<K>>;
  next(type?: undefined, options?: NextEventOptions): Promise<E>;
  /**
   * Throws a readable diff unless the recorded types are exactly `expected`.
   * @param expected - the types, in order
   */
  expectSequence(expected: readonly ConfigEventType[]): void;
}

interface Waiter {
  type: ConfigEventType | undefined;
  resolve: (event: AiqConfigEvent) => void;
  reject: (error: Error) => void;
}

/**
 * Records the events of a bus (all of them, or one type) until `stop()`.
 * @param bus - the bus to listen to
 * @param type - only this type
 * @returns the recorder; `using recorder = recordEvents(bus)` stops it at the end of the scope
 * @example
 * const recorder = recordEvents(bus);
 * await manager.reloadConfig();
 * recorder.expectSequence([ConfigEventType.CONFIG_RELOADED]);
 */
export function recordEvents<K extends ConfigEventType>(bus: EventManager, type: K): EventRecorder<EventOfType<K>>;
export function recordEvents(bus: EventManager): EventRecorder;
export function recordEvents(bus: EventManager, type?: ConfigEventType): EventRecorder {
  const events: AiqConfigEvent[] = [];
  const waiters = new Set<Waiter>();
  let cursor = 0;
  let stopped = false;

  const take = (wanted: ConfigEventType | undefined): AiqConfigEvent | undefined => {
    for (let index = cursor; index < events.length; index++) {
      const event = events[index];
      if (event !== undefined && (wanted === undefined || event.type === wanted)) {
        cursor = index + 1;
        return event;
      }
    }
    return undefined;
  };

  const onEvent = (event: AiqConfigEvent): void => {
    events.push(event);
    for (const waiter of waiters) {
      const found = take(waiter.type);
      if (found) {
        waiters.delete(waiter);
        waiter.resolve(found);
        return;
      }
    }
  };
  const unregister = type === undefined ? bus.registerHandler(onEvent) : bus.registerHandler(onEvent, type);

  const types = (): ConfigEventType[] => events.map((event) => event.type);

  const recorder: EventRecorder = {
    get events() {
      return events;
    },
    types,
    clear: () => {
      events.length = 0;
      cursor = 0;
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      unregister();
      for (const waiter of waiters)
        waiter.reject(new Error("recordEvents: the recorder was stopped while next() was waiting."));
      waiters.clear();
    },
    next: ((wanted?: ConfigEventType, options: NextEventOptions = {}): Promise<AiqConfigEvent> => {
      const found = take(wanted);
      if (found) return Promise.resolve(found);
      if (stopped) return Promise.reject(new Error("recordEvents: next() called on a stopped recorder."));
      const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
      return new Promise<AiqConfigEvent>((resolve, reject) => {
        const deadline = startDeadline(timeout, () => {
          waiters.delete(waiter);
          const what = wanted ?? "any event";
          reject(new Error(`recorder.next(${what}) timed out after ${timeout} ms; recorded: ${formatTypes(types())}.`));
        });
        const waiter: Waiter = {
          type: wanted,
          resolve: (event) => {
            deadline.cancel();
            resolve(event);
          },
          reject: (error) => {
            deadline.cancel();
            reject(error);
          },
        };
        waiters.add(waiter);
      });
    }) as EventRecorder["next"],
    expectSequence: (expected) => {
      const received = types();
      const diff = diffSequences(expected, received);
      if (diff !== undefined) throw new Error(diff);
    },
    [Symbol.dispose]: () => recorder.stop(),
  };
  return recorder;
}

function formatTypes(types: readonly string[]): string {
  return `[${types.join(", ")}]`;
}

function diffSequences(expected: readonly string[], received: readonly string[]): string | undefined {
  const length = Math.max(expected.length, received.length);
  let first = -1;
  for (let index = 0; index < length; index++) {
    if (expected[index] !== received[index]) {
      first = index;
      break;
    }
  }
  if (first === -1) return undefined;
  const width = Math.max("expected".length, ...expected.map((type) => type.length), "(none)".length);
  const rows = Array.from({ length }, (_, index) => {
    const left = expected[index] ?? "(none)";
    const right = received[index] ?? "(none)";
    const mark = left === right ? " " : ">";
    return `${mark} ${String(index).padStart(2)}  ${left.padEnd(width)}  ${right}`;
  });
  return [
    `Event sequence differs at index ${first}:`,
    `  expected: ${formatTypes(expected)}`,
    `  received: ${formatTypes(received)}`,
    "",
    `   #  ${"expected".padEnd(width)}  received`,
    ...rows,
  ].join("\n");
}
