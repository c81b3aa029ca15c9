import type { Logger } from '../logger';
import type { JobQueue } from './job-queue';

/**
 * The body of a process that only consumes jobs (a service's `worker` entry point): on SIGTERM or
 * SIGINT it closes the queue — running handlers finish their current step and their jobs are handed
 * back, never cancelled — then runs `closers` (database, pub/sub) and exits 0.
 * @returns a function that removes the signal handlers (tests, embedding)
 */
export function runJobWorkerUntilSignal(
  queue: JobQueue,
  opts: { logger?: Logger; closers?: (() => Promise<unknown>)[]; exit?: (code: number) => void } = {},
): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.logger?.info({ signal, running: queue.running }, 'job worker stopping: handing running jobs back');
    void (async () => {
      let code = 0;
      try {
        await queue.close();
      } catch (err) {
        code = 1;
        opts.logger?.error({ err }, 'job queue close failed');
      }
      for (const close of opts.closers ?? [])
        await close().catch((err) => opts.logger?.error({ err }, 'error while stopping'));
      exit(code);
    })();
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  return () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  };
}
