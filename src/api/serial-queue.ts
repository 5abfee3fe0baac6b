/**
 * Runs tasks one at a time in arrival order. Selection is CPU-bound and `auto` keeps bandit state in the
 * store (read, update, write): within one process, queries run in turn instead of interleaving.
 * Leases (in the store's transactions) are what keeps several processes apart.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
