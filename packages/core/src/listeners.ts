import type { ConfigChange, ConfigListener, ConfigPath } from "./types.js";

interface Entry<T> {
  id: number;
  listener: ConfigListener<T>;
  path?: ConfigPath;
}

/** A listener failed; reported by the manager as a LISTENER_FAILED event. */
export type ListenerFailure = (listenerId: number, error: unknown) => void;

function overlaps(a: ConfigPath, b: ConfigPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

/**
 * The manager's subscribers. A notification goes to the listeners registered when it started (one
 * added during it waits for the next version); a listener removed during it is skipped if not yet
 * reached, and is never called again. Unsubscribing twice is a no-op.
 */
export class ListenerRegistry<T> {
  readonly #entries = new Map<number, Entry<T>>();
  #nextId = 1;

  add(listener: ConfigListener<T>, path?: ConfigPath): () => void {
    const id = this.#nextId++;
    this.#entries.set(id, path === undefined ? { id, listener } : { id, listener, path });
    return () => {
      this.#entries.delete(id);
    };
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Calls each listener whose path (if any) overlaps a changed path; isolates every failure. */
  notify(
    config: Readonly<T>,
    change: ConfigChange<T>,
    changed: readonly ConfigPath[],
    onFailure: ListenerFailure,
  ): void {
    for (const entry of [...this.#entries.values()]) {
      // Removed by an earlier listener of this same notification.
      if (!this.#entries.has(entry.id)) continue;
      const { path } = entry;
      if (path !== undefined && !changed.some((c) => overlaps(c, path))) continue;
      try {
        const result = entry.listener(config, change);
        if (result && typeof (result as Promise<void>).then === "function") {
          (result as Promise<void>).then(undefined, (error: unknown) => onFailure(entry.id, error));
        }
      } catch (error) {
        onFailure(entry.id, error);
      }
    }
  }
}
