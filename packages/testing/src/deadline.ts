/** A pending timeout that never keeps the process alive; `cancel()` is idempotent. */
export interface Deadline {
  cancel(): void;
}

/** Calls `onExpire` after `ms` unless cancelled first; a non-finite `ms` never expires. */
export function startDeadline(ms: number, onExpire: () => void): Deadline {
  if (!Number.isFinite(ms)) return { cancel: () => undefined };
  const timer = setTimeout(onExpire, Math.max(0, ms));
  // A test that forgot to await must not hold the runner open until the timeout.
  timer.unref?.();
  return { cancel: () => clearTimeout(timer) };
}

/** The default timeout of every wait helper, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000;
