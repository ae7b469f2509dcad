/** Settles like `promise`, or after `ms` with `onTimeout()` thrown (resolved with `undefined` when there is none). The timer never outlives the race. */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout?: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => (onTimeout ? reject(onTimeout()) : resolve(undefined as T)), Math.max(0, ms));
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
