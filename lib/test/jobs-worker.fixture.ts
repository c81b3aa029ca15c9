// A worker process for the jobs tests: takes `steps` jobs and checkpoints every step. Step 4 is the
// long one: with JOBS_FIXTURE_MODE=hang it hangs (heartbeating) until the test kills the process
// with SIGKILL; with JOBS_FIXTURE_MODE=sigterm it runs until SIGTERM, then finishes the step, saves
// it and lets the worker hand the job back. Args: DATABASE_URL leaseMs [REDIS_URL prefix].
import { createJobQueue, runJobWorkerUntilSignal } from '../src/jobs';
import type { JobContext } from '../src/jobs';
import { openJobsOrm } from './jobs-fixture';

void (async () => {
  const [url, leaseMs, redisUrl, prefix] = process.argv.slice(2);
  if (url === undefined) throw new Error('usage: jobs-worker.fixture DATABASE_URL leaseMs [REDIS_URL prefix]');
  const mode = process.env.JOBS_FIXTURE_MODE ?? 'hang';
  const orm = await openJobsOrm(url);
  const queue = createJobQueue({
    orm,
    redisUrl: redisUrl || undefined,
    prefix: prefix ?? 'test',
    pollMs: 50,
    leaseMs: Number(leaseMs),
    heartbeatMs: 1_000,
  });
  runJobWorkerUntilSignal(queue, { closers: [() => orm.close()] });
  queue.register('steps', async (ctx: JobContext<{ steps: number }>) => {
    let step = ctx.checkpoint.load<{ step: number }>()?.step ?? 0;
    while (step < ctx.payload.steps) {
      step += 1;
      if (step === 4) {
        if (mode === 'hang') await new Promise(() => undefined);
        else await new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }));
      }
      await ctx.checkpoint.save({ step });
      process.stdout.write(`checkpoint ${step}\n`);
      ctx.signal.throwIfAborted();
    }
  });
  process.stdout.write('worker ready\n');
})();
