import type { ConfigChange, ConfigListener, ConfigStatus } from "@aiq/config-core";
import type { AiqConfigEvent, ConfigEventType, EventManager, EventOfType } from "@aiq/config-events";
import { DEFAULT_TIMEOUT_MS, startDeadline } from "./deadline.js";

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /**
   * How long to keep trying, in milliseconds.
   * @default 5000
   */
  timeout?: number;
  /**
   * The pause between two checks, in milliseconds.
   * @default 10
   */
  interval?: number;
  /**
   * What was awaited, for the timeout message.
   * @default "the condition never became true"
   */
  message?: string;
}

/**
 * Checks `condition` every `interval` ms until it returns true; a throw counts as "not yet".
 * @param condition - a sync or async check; never run twice at once
 * @param options - timeout, interval and the message of the timeout error
 * @returns once the condition held; rejects after `timeout` with `message` and the last error thrown
 * @example await waitFor(async () => (await fixture.read("config.yml")).includes("gpt"), { message: "saved" });
 */
export function waitFor(condition: () => boolean | Promise<boolean>, options: WaitForOptions = {}): Promise<void> {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  const interval = options.interval ?? 10;
  return new Promise<void>((resolve, reject) => {
    let done = false;
    let lastError: unknown;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      deadline.cancel();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const deadline = startDeadline(timeout, () => {
      const what = options.message ?? "the condition never became true";
      const cause = lastError === undefined ? "" : ` (last error: ${describe(lastError)})`;
      finish(new Error(`waitFor timed out after ${timeout} ms: ${what}${cause}`));
    });
    const check = async (): Promise<void> => {
      timer = undefined;
      try {
        if (await condition()) return finish();
        lastError = undefined;
      } catch (error) {
        lastError = error;
      }
      if (done) return;
      timer = setTimeout(check, interval);
      timer.unref?.();
    };
    void check();
  });
}

/** Options of {@link waitForEvent}. */
export interface WaitForEventOptions<E> {
  /**
   * Only an event this returns true for counts.
   * @default every event of the type
   */
  predicate?: (event: E) => boolean;
  /**
   * How long to wait, in milliseconds.
   * @default 5000
   */
  timeout?: number;
}

/**
 * Waits for the next event of `type` emitted on `bus` after the call (and matching `predicate`).
 * @param bus - the bus to listen to
 * @param type - the event type
 * @param options - predicate and timeout
 * @returns the event; rejects after `timeout` naming the events seen meanwhile
 * @example
 * const reloaded = waitForEvent(bus, ConfigEventType.CONFIG_RELOADED);
 * await fixture.save("config.yml", text);
 * expect((await reloaded).changedPaths).toContain("llms.main.temperature");
 */
export function waitForEvent<K extends ConfigEventType>(
  bus: EventManager,
  type: K,
  options: WaitForEventOptions<EventOfType<K>> = {},
): Promise<EventOfType<K>> {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  return new Promise<EventOfType<K>>((resolve, reject) => {
    const seen: string[] = [];
    const finish = (settle: () => void): void => {
      unregister();
      deadline.cancel();
      settle();
    };
    const unregister = bus.registerHandler((event: AiqConfigEvent) => {
      if (event.type !== type) {
        seen.push(event.type);
        return;
      }
      try {
        if (options.predicate && !options.predicate(event as EventOfType<K>)) {
          seen.push(`${event.type} (no match)`);
          return;
        }
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      finish(() => resolve(event as EventOfType<K>));
    });
    const deadline = startDeadline(timeout, () => {
      const others = seen.length === 0 ? "no events" : `events seen: ${seen.join(", ")}`;
      finish(() => reject(new Error(`waitForEvent(${type}) timed out after ${timeout} ms (${others}).`)));
    });
  });
}

/** What {@link waitForReload} waits on: a `ConfigManager`, or anything with its `subscribe` and `status`. */
export interface ReloadingManager<T> {
  subscribe(listener: ConfigListener<T>): () => void;
  readonly status: ConfigStatus;
}

/** A new version, as {@link waitForReload} returns it. */
export interface ConfigReload<T> {
  /** The new current config. */
  config: Readonly<T>;
  /** What the listener was told: version, reason, previous config, changed paths. */
  change: ConfigChange<T>;
}

/** Options of {@link waitForReload}. */
export interface WaitForReloadOptions {
  /**
   * How long to wait, in milliseconds.
   * @default 5000
   */
  timeout?: number;
}

/**
 * Waits for the first version newer than the current one (that matches `predicate`) to reach the manager's listeners.
 * @param manager - the manager to subscribe to (unsubscribed again when the wait ends)
 * @param predicate - only a version this returns true for counts
 * @param options - the timeout
 * @returns the new config and its change; rejects after `timeout` with the manager's version and last error
 * @example
 * const reloaded = waitForReload(manager, (config) => config.llms.main.temperature === 0.2);
 * await fixture.save("config.yml", text, { as: "vim" });
 * const { change } = await reloaded;
 */
export function waitForReload<T>(
  manager: ReloadingManager<T>,
  predicate?: (config: Readonly<T>, change: ConfigChange<T>) => boolean,
  options: WaitForReloadOptions = {},
): Promise<ConfigReload<T>> {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  const startVersion = manager.status.version;
  return new Promise<ConfigReload<T>>((resolve, reject) => {
    let done = false;
    let unsubscribe: (() => void) | undefined;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      unsubscribe?.();
      deadline.cancel();
      settle();
    };
    const deadline = startDeadline(timeout, () => {
      const status = manager.status;
      const error = status.lastError ? `${status.lastError.code}: ${status.lastError.message}` : "none";
      finish(() =>
        reject(
          new Error(`waitForReload timed out after ${timeout} ms (version ${status.version}, last error: ${error})`),
        ),
      );
    });
    unsubscribe = manager.subscribe((config, change) => {
      if (done || change.version <= startVersion) return;
      try {
        if (predicate && !predicate(config, change)) return;
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      finish(() => resolve({ config, change }));
    });
    // The listener may already have fired synchronously (a fake manager): unsubscribe now.
    if (done) unsubscribe();
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
