// A worker process for jobs.test.ts to kill -9: takes `steps` jobs, checkpoints every step and hangs
// inside step 4 (heartbeating) until it is killed. Args: DATABASE_URL leaseMs [REDIS_URL prefix].
import { createJobQueue } from '../src/jobs';
import type { JobContext } from '../src/jobs';
import { openJobsOrm } from './jobs-fixture';

void (async () => {
  const [url, leaseMs, redisUrl, prefix] = process.argv.slice(2);
  const orm = await openJobsOrm(url);
  const queue = createJobQueue({ orm, redisUrl, prefix: prefix ?? 'test', pollMs: 50, leaseMs: Number(leaseMs), heartbeatMs: 1_000 });
  queue.register('steps', async (ctx: JobContext<{ steps: number }>) => {
    let step = ctx.checkpoint.load<{ step: number }>()?.step ?? 0;
    while (step < ctx.payload.steps) {
      step += 1;
      if (step === 4) await new Promise(() => undefined);
      await ctx.checkpoint.save({ step });
      process.stdout.write(`checkpoint ${step}\n`);
    }
  });
})();
