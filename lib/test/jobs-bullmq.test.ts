import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { Queue } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createJobQueue } from '../src/jobs';
import type { JobAbort, JobContext, JobQueue } from '../src/jobs';
import type { PubSub } from '../src/pubsub';
import { createPubSub } from '../src/pubsub';
import { testPostgresDatabase } from '../src/testing/postgres';
import { skipWithoutRedis, TEST_REDIS, TEST_REDIS_ADDRESS } from '../src/testing/redis';
import { waitFor } from '../src/testing/wait-for';
import { openJobsOrm } from './jobs-fixture';

// The BullMQ backend (REDIS_URL set): BullMQ delivers, the claim table in PostgreSQL still decides
// who runs a job, cancel messages go through Redis pub/sub.
const REDIS_URL = TEST_REDIS;
const REPO_ROOT = path.resolve(__dirname, '../..');
const databases: { drop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
});

describe.skipIf(skipWithoutRedis('the BullMQ job tests are'))(
  'jobs on BullMQ (Redis) with claims in PostgreSQL',
  () => {
    const open: { queue: JobQueue; orm: MikroORM; pubSub: PubSub }[] = [];
    const bullQueues: Queue[] = [];
    const fresh = () => {
      const db = testPostgresDatabase('aic_jobs_bull');
      databases.push(db);
      return { url: db.url, prefix: `t${randomBytes(5).toString('hex')}` };
    };
    async function replica(
      env: { url: string; prefix: string },
      o: { leaseMs?: number; heartbeatMs?: number; cancelPollMs?: number; pollMs?: number } = {},
    ) {
      const orm = await openJobsOrm(env.url);
      const pubSub = createPubSub({ redisUrl: REDIS_URL, prefix: env.prefix });
      const queue = createJobQueue({ orm, redisUrl: REDIS_URL, prefix: env.prefix, pubSub, ...o });
      open.push({ queue, orm, pubSub });
      return { orm, queue };
    }
    afterEach(async () => {
      for (const r of open.splice(0)) {
        await r.queue.close();
        await r.pubSub.close();
        await r.orm.close();
      }
      for (const q of bullQueues.splice(0)) {
        await q.obliterate({ force: true });
        await q.close();
      }
    });
    const bullQueue = (prefix: string, kind: string) => {
      const q = new Queue(`${prefix}-jobs-${kind}`, {
        connection: { ...TEST_REDIS_ADDRESS, maxRetriesPerRequest: null },
      });
      bullQueues.push(q);
      return q;
    };

    it('delivers jobs whose ids hold characters BullMQ refuses in its own ids (profile:<id>)', async () => {
      const env = fresh();
      const a = await replica(env);
      const ran: string[] = [];
      a.queue.register('profile', async (ctx) => {
        ran.push(ctx.jobId);
      });
      const ids = ['profile:d1:v1', 'profile:d2:v1', 'a/b%c d'];
      for (const id of ids) expect(await a.queue.enqueue('profile', id, {})).toBe(true);
      await waitFor(
        async () => (await Promise.all(ids.map((id) => a.queue.status(id)))).every((s) => s?.state === 'done'),
        'every job done',
      );
      expect(ran.sort()).toEqual([...ids].sort());
    });

    it('runs each job once across two replicas, even when BullMQ delivers it twice', async () => {
      const env = fresh();
      const a = await replica(env);
      const b = await replica(env);
      const runs: Record<string, number> = {};
      const handler = async (ctx: JobContext) => {
        runs[ctx.jobId] = (runs[ctx.jobId] ?? 0) + 1;
      };
      a.queue.register('demo', handler, { concurrency: 2 });
      b.queue.register('demo', handler, { concurrency: 2 });
      const ids = Array.from({ length: 10 }, (_, i) => `bj-${i}`);
      for (const id of ids) await (Number(id.slice(3)) % 2 ? a : b).queue.enqueue('demo', id, {});
      // Duplicate deliveries straight into BullMQ under other ids.
      const raw = bullQueue(env.prefix, 'demo');
      for (const id of ids) await raw.add('demo', { jobId: id }, { jobId: `${id}-dup` });
      await waitFor(
        async () => (await Promise.all(ids.map((id) => a.queue.status(id)))).every((s) => s?.state === 'done'),
        'every job done',
      );
      await waitFor(
        async () =>
          Object.values(await raw.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every((n) => n === 0),
        'every delivery consumed',
      );
      expect(ids.map((id) => runs[id])).toEqual(ids.map(() => 1));
    });

    it('cancel through B reaches the worker on A by Redis pub/sub within 2 s', async () => {
      const env = fresh();
      // No table polling in the window: only the cancel message can stop the handler this fast.
      const a = await replica(env, { cancelPollMs: 60_000, heartbeatMs: 60_000, leaseMs: 180_000 });
      const b = await replica(env);
      let started = false;
      let abortedWith: unknown;
      a.queue.register('long', async (ctx) => {
        started = true;
        await new Promise<void>((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject((abortedWith = ctx.signal.reason)), { once: true }),
        );
      });
      await b.queue.enqueue('long', 'c1', {});
      await waitFor(() => started, 'the job running on A');
      const t0 = Date.now();
      expect(await b.queue.cancel('c1')).toBe('requested');
      await waitFor(async () => (await b.queue.status('c1'))?.state === 'cancelled', 'job cancelled', {
        timeoutMs: 2_000,
      });
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect((abortedWith as JobAbort).why).toBe('cancel');
    });

    it('close() hands the job back and BullMQ delivers it to the other replica at once', async () => {
      const env = fresh();
      const a = await replica(env, { pollMs: 60_000 });
      const b = await replica(env, { pollMs: 60_000 });
      const seen: { who: string; attempt: number; from: unknown }[] = [];
      let aRunning = false;
      a.queue.register('steps', async (ctx) => {
        seen.push({ who: 'a', attempt: ctx.attempt, from: ctx.checkpoint.load() });
        await ctx.checkpoint.save({ step: 1 });
        aRunning = true;
        await new Promise<void>((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
        );
      });
      await a.queue.enqueue('steps', 'h1', {});
      await waitFor(() => aRunning, 'the job running on A');
      await a.queue.close();
      expect(await b.queue.status('h1')).toMatchObject({ state: 'queued', cancelRequested: false });
      b.queue.register('steps', async (ctx) => {
        seen.push({ who: 'b', attempt: ctx.attempt, from: ctx.checkpoint.load() });
      });
      await waitFor(async () => (await b.queue.status('h1'))?.state === 'done', 'the job done on B', {
        timeoutMs: 10_000,
      });
      expect(seen).toEqual([
        { who: 'a', attempt: 1, from: undefined },
        { who: 'b', attempt: 2, from: { step: 1 } },
      ]);
    });

    it('kill -9 of the worker process: B takes the job over from the checkpoint within the lease', async () => {
      const env = fresh();
      const leaseMs = 3_000;
      const b = await replica(env, { leaseMs, heartbeatMs: 1_000, pollMs: 500 });
      await b.queue.store.ensureTable();
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(__dirname, 'jobs-worker.fixture.ts'),
          env.url,
          String(leaseMs),
          REDIS_URL,
          env.prefix,
        ],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await b.queue.enqueue('steps', 'k1', { steps: 5 });
        await waitFor(() => /checkpoint 3\n/.test(out), 'the child worker checkpointed step 3', { timeoutMs: 60_000 });
      } finally {
        child.kill('SIGKILL');
      }
      await new Promise((r) => child.once('exit', r));
      const killedAt = Date.now();
      const steps: number[] = [];
      let resumedAt = 0;
      b.queue.register('steps', async (ctx: JobContext<{ steps: number }>) => {
        resumedAt = Date.now();
        let step = ctx.checkpoint.load<{ step: number }>()?.step ?? 0;
        while (step < ctx.payload.steps) {
          step += 1;
          steps.push(step);
          await ctx.checkpoint.save({ step });
        }
      });
      await waitFor(async () => (await b.queue.status('k1'))?.state === 'done', 'the job done on B', {
        timeoutMs: 30_000,
      });
      expect(resumedAt - killedAt).toBeLessThan(leaseMs + 2_000);
      expect(steps).toEqual([4, 5]);
      expect(await b.queue.status('k1')).toMatchObject({ attempts: 2 });
    });
  },
);
