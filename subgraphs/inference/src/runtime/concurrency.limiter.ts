/**
 * A resizable counting semaphore: at most `limit` tasks run at once, the rest wait in arrival
 * order. An endpoint holds one as its replica count, so its replicas bound the session runs
 * (or, with batching on, the batches) of that endpoint that are in flight together.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /** @param id stable identity (the endpoint id), so batchers can be kept per limiter */
  constructor(
    readonly id: string,
    private max: number,
  ) {
    ConcurrencyLimiter.check(max);
  }

  private static check(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`a concurrency limit must be a positive integer, got ${limit}`);
  }

  get limit(): number {
    return this.max;
  }

  /** Tasks running now. */
  get inFlight(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Changes the limit; a raise starts waiting tasks at once, a cut lets running ones finish. */
  setLimit(limit: number): void {
    ConcurrencyLimiter.check(limit);
    this.max = limit;
    this.startWaiting();
  }

  /** Runs `task` when a slot is free (at once, synchronously, if one is). */
  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) return this.execute(task);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => void this.execute(task).then(resolve, reject));
    });
  }

  private execute<T>(task: () => Promise<T>): Promise<T> {
    this.active += 1;
    let result: Promise<T>;
    try {
      result = task();
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.finally(() => {
      this.active -= 1;
      this.startWaiting();
    });
  }

  private startWaiting(): void {
    while (this.active < this.max && this.waiting.length > 0) this.waiting.shift()?.();
  }
}
