/**
 * Runs tasks one at a time per key (one key per issue), in arrival order, so two webhooks for
 * one request never interleave their read–compute–write inside this process. Keys are dropped
 * when their queue drains. Across processes the app relies on recomputation (see docs/app.md).
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.tails.size;
  }
}
