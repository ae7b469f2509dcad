/**
 * Runs async operations one at a time, in call order. A failed operation does not stop the ones
 * queued after it.
 */
export class OperationQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  run<R>(operation: () => Promise<R>): Promise<R> {
    this.#pending++;
    const result = this.#tail.then(operation);
    this.#tail = result.then(
      () => this.#pending--,
      () => this.#pending--,
    );
    return result;
  }

  /** Operations queued or running. */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves once everything queued so far has settled. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
