import type { WorkerPool } from '../../../../lib/src/index';

/**
 * Runs `task` in the worker pool and settles with its result, so callers can await pool work.
 * The task's signal aborts when the pool cancels it or when `signal` aborts.
 */
export function runInPool<T>(
  pool: WorkerPool,
  id: string,
  task: (signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const accepted = pool.submit(id, async (poolSignal) => {
      try {
        resolve(await task(signal ? AbortSignal.any([poolSignal, signal]) : poolSignal));
      } catch (error) {
        reject(error);
      }
    });
    if (!accepted) reject(new Error(`pool task ${id} is already queued or running`));
    else signal?.addEventListener('abort', () => pool.cancel(id), { once: true });
  });
}
