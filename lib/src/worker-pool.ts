import type { Logger } from './logger';

export type Task = (signal: AbortSignal) => Promise<void>;

export interface WorkerPool {
  /** Queues a task under an id; @returns false when that id is already queued or running */
  submit(id: string, task: Task): boolean;
  /** Aborts a running task's signal or drops a queued one; @returns whether it was known */
  cancel(id: string): boolean;
  has(id: string): boolean;
  readonly running: number;
  readonly queued: number;
  /** Waits for running tasks after aborting everything (shutdown). */
  close(): Promise<void>;
}

/**
 * The embedded default for long-running work: a bounded in-process pool. Tasks get an AbortSignal
 * for cancellation; persistence and resume-on-boot belong to the service's job entity.
 */
export function createWorkerPool(opts: { concurrency: number; logger?: Logger }): WorkerPool {
  const queue: { id: string; task: Task }[] = [];
  const active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let closed = false;

  const pump = () => {
    while (!closed && active.size < opts.concurrency && queue.length) {
      const { id, task } = queue.shift()!;
      const controller = new AbortController();
      const done = task(controller.signal)
        .catch((err) => opts.logger?.error({ err, task: id }, 'task failed'))
        .finally(() => {
          active.delete(id);
          pump();
        });
      active.set(id, { controller, done });
    }
  };

  return {
    submit(id, task) {
      if (closed || active.has(id) || queue.some((q) => q.id === id)) return false;
      queue.push({ id, task });
      pump();
      return true;
    },
    cancel(id) {
      const a = active.get(id);
      if (a) {
        a.controller.abort();
        return true;
      }
      const i = queue.findIndex((q) => q.id === id);
      if (i >= 0) queue.splice(i, 1);
      return i >= 0;
    },
    has: (id) => active.has(id) || queue.some((q) => q.id === id),
    get running() {
      return active.size;
    },
    get queued() {
      return queue.length;
    },
    async close() {
      closed = true;
      queue.length = 0;
      for (const a of active.values()) a.controller.abort();
      await Promise.allSettled([...active.values()].map((a) => a.done));
    },
  };
}
