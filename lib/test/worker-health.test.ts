import type { MikroORM } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createJobQueue, serveWorkerHealth } from '../src/jobs';
import { createServiceMetrics } from '../src/metrics';
import { testPostgresDatabase } from '../src/testing/postgres';
import { waitFor } from '../src/testing/wait-for';
import { openJobsOrm } from './jobs-fixture';

// A job worker's /health/live, /health/ready and /metrics (lib/src/jobs/worker-health.ts), on a real
// queue over PostgreSQL: a search for work that hangs on the database (a lock held by another session)
// makes the worker neither live nor ready once the window has passed; it recovers when the lock goes.
const db = testPostgresDatabase('aic_worker_health');
const orms: MikroORM[] = [];
afterAll(async () => {
  for (const orm of orms) await orm.close().catch(() => undefined);
  await db.drop();
});

describe("a job worker's health endpoints", () => {
  it('are live and ready while the polling loop turns, neither while a search hangs past the window, and recover', async () => {
    const orm = await openJobsOrm(db.url);
    orms.push(orm);
    // The queue and the endpoints read one clock the test can move forward.
    let offset = 0;
    const clock = () => Date.now() + offset;
    const queue = createJobQueue({ orm, prefix: 'health', pollMs: 50, clock });
    queue.register('noop', async () => undefined);
    const metrics = createServiceMetrics('demo');
    const health = await serveWorkerHealth(queue, { name: 'demo-worker', metrics, port: 0, clock });
    const status = async (path: string) => {
      const res = await fetch(`${health.url}${path}`);
      return { code: res.status, body: (await res.json()) as { status: string; service: string } };
    };
    try {
      await waitFor(async () => (await status('/health/ready')).code === 200, 'the worker to be ready');
      expect(await status('/health/live')).toEqual({ code: 200, body: { status: 'ok', service: 'demo-worker' } });
      const scraped = await fetch(`${health.url}/metrics`);
      expect(scraped.headers.get('content-type')).toContain('text/plain');
      expect(await scraped.text()).toContain('process_cpu_user_seconds_total');

      // Another session locks the claim table: the next search waits on it, and no other search starts.
      const locker = await openJobsOrm(db.url);
      orms.push(locker);
      const knex = (locker.em.getConnection() as unknown as { getKnex(): any }).getKnex();
      const trx = await knex.transaction();
      await trx.raw('LOCK TABLE job_claim IN ACCESS EXCLUSIVE MODE');
      try {
        await waitFor(
          () => clock() - queue.health().lastPollStartedAt > 20 * queue.health().pollMs,
          'the polling loop to stall on the lock',
        );
        // Within the window it is still both (a slow database is not a dead worker) ...
        expect((await status('/health/live')).code).toBe(200);
        // ... past it, neither: Kubernetes restarts it and its jobs are taken over elsewhere.
        offset += 60_000;
        expect(await status('/health/live')).toEqual({
          code: 503,
          body: { status: 'stalled', service: 'demo-worker' },
        });
        expect((await status('/health/ready')).code).toBe(503);
      } finally {
        await trx.rollback();
      }
      await waitFor(async () => (await status('/health/ready')).code === 200, 'the worker to be ready again');
      expect((await status('/health/live')).code).toBe(200);

      // Closing (SIGTERM: jobs handed back): still live, no longer ready.
      await queue.close();
      expect((await status('/health/live')).code).toBe(200);
      expect((await status('/health/ready')).code).toBe(503);
    } finally {
      await queue.close();
      await health.stop();
    }
    await expect(fetch(`${health.url}/health/live`)).rejects.toThrow();
  });
});
