import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ClaimStore, JobAbort, LostClaimError, createJobQueue } from '../src/jobs';
import type { JobContext, JobQueue } from '../src/jobs';
import { testPostgresDatabase } from '../src/testing/postgres';
import { waitFor } from '../src/testing/wait-for';
import { DemoJob, openJobsOrm } from './jobs-fixture';

const REPO_ROOT = path.resolve(__dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-jobs-'));
const databases: { drop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

let n = 0;
const backends: [string, () => string][] = [
  ['SQLite file', () => path.join(dataDir, `jobs-${++n}.sqlite`)],
  [
    'PostgreSQL',
    () => {
      const db = testPostgresDatabase('aic_jobs');
      databases.push(db);
      return db.url;
    },
  ],
];

/** Resolves when the step is released by the test: handlers that wait on a gate, never on a timer. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** Waits for the gate or the signal, whichever first; throws the abort reason. */
async function untilOpenOrAborted(g: Promise<void>, signal: AbortSignal): Promise<void> {
  await Promise.race([
    g,
    new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
  ]);
  signal.throwIfAborted();
}

describe.each(backends)('jobs on %s (in-process, claims in the database)', (_name, newDatabase) => {
  const open: { queue?: JobQueue; orm: MikroORM }[] = [];
  /** One simulated replica: its own ORM (own connections) and its own queue on the shared database. */
  async function replica(url: string, o: { leaseMs?: number; heartbeatMs?: number } = {}) {
    const orm = await openJobsOrm(url);
    const queue = createJobQueue({
      orm,
      prefix: 'test',
      pollMs: 50,
      cancelPollMs: 100,
      leaseMs: o.leaseMs ?? 15_000,
      heartbeatMs: o.heartbeatMs,
    });
    open.push({ queue, orm });
    return { orm, queue };
  }
  afterEach(async () => {
    for (const r of open.splice(0)) {
      await r.queue?.close();
      await r.orm.close();
    }
  });

  it('runs each job exactly once with two processes on one database', async () => {
    const url = newDatabase();
    const a = await replica(url);
    const b = await replica(url);
    const runs: Record<string, string[]> = {};
    const handler = (who: string) => async (ctx: JobContext<{ n: number }>) => {
      (runs[ctx.jobId] ??= []).push(who);
      await ctx.fenced(async (em) => {
        const row = await em.findOneOrFail(DemoJob, { id: ctx.jobId });
        row.runs += 1;
        row.state = 'SUCCEEDED';
        row.attempt = ctx.attempt;
      });
    };
    a.queue.register('demo', handler('a'), { concurrency: 2 });
    b.queue.register('demo', handler('b'), { concurrency: 2 });
    const ids = Array.from({ length: 12 }, (_, i) => `job-${i}`);
    const em = a.orm.em.fork();
    for (const id of ids) em.create(DemoJob, { id });
    await em.flush();
    // Both enqueue every job (an API retry, two replicas reacting to one event): still one run each.
    for (const id of ids) {
      expect(await a.queue.enqueue('demo', id, { n: 1 })).toBe(true);
      expect(await b.queue.enqueue('demo', id, { n: 1 })).toBe(false);
    }
    await waitFor(
      async () => (await Promise.all(ids.map((id) => a.queue.status(id)))).every((s) => s?.state === 'done'),
      'every job done',
    );
    for (const id of ids) expect(runs[id]).toHaveLength(1);
    const rows = await a.orm.em.fork().find(DemoJob, {});
    expect(rows.map((r) => r.runs)).toEqual(ids.map(() => 1));
  });

  it('cancel through B stops the handler running on A within 2 s', async () => {
    const url = newDatabase();
    const a = await replica(url);
    const b = await replica(url);
    const started = gate();
    let abortedWith: unknown;
    a.queue.register('demo', async (ctx) => {
      started.open();
      try {
        await untilOpenOrAborted(new Promise(() => undefined), ctx.signal);
      } catch (err) {
        abortedWith = err;
        throw err;
      }
    });
    await b.queue.enqueue('demo', 'long', {});
    await started.opened;
    const t0 = Date.now();
    expect(await b.queue.cancel('long')).toBe('requested');
    await waitFor(async () => (await b.queue.status('long'))?.state === 'cancelled', 'job cancelled', {
      timeoutMs: 2_000,
    });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(abortedWith).toBeInstanceOf(JobAbort);
    expect((abortedWith as JobAbort).why).toBe('cancel');
  });

  it('close() finishes the current step and hands the job back (not cancelled); B resumes from the checkpoint', async () => {
    const url = newDatabase();
    const a = await replica(url);
    const steps: { who: string; step: number; attempt: number }[] = [];
    const inStep = gate();
    const release = gate();
    const stepper = (who: string) => async (ctx: JobContext) => {
      let step = ctx.checkpoint.load<{ step: number }>()?.step ?? 0;
      while (step < 4) {
        step += 1;
        steps.push({ who, step, attempt: ctx.attempt });
        if (who === 'a' && step === 2) {
          inStep.open();
          await release.opened; // the step in progress when shutdown arrives still finishes
        }
        await ctx.checkpoint.save({ step });
        ctx.signal.throwIfAborted();
      }
    };
    a.queue.register('demo', stepper('a'));
    await a.queue.enqueue('demo', 'steps', {});
    await inStep.opened;
    const closing = a.queue.close();
    release.open();
    await closing;
    const handedBack = await a.queue.status('steps');
    expect(handedBack).toMatchObject({ state: 'queued', cancelRequested: false, checkpoint: { step: 2 }, attempts: 1 });
    const b = await replica(url);
    b.queue.register('demo', stepper('b'));
    await waitFor(async () => (await b.queue.status('steps'))?.state === 'done', 'job done on B');
    expect(steps).toEqual([
      { who: 'a', step: 1, attempt: 1 },
      { who: 'a', step: 2, attempt: 1 },
      { who: 'b', step: 3, attempt: 2 },
      { who: 'b', step: 4, attempt: 2 },
    ]);
  });

  it('a queued job cancelled from any replica never runs', async () => {
    const url = newDatabase();
    const a = await replica(url);
    const b = await replica(url);
    await a.queue.enqueue('never', 'q1', {});
    expect(await b.queue.cancel('q1')).toBe('cancelled');
    let ran = false;
    a.queue.register('never', async () => {
      ran = true;
    });
    // The poll found nothing to claim: the job stays cancelled.
    await a.queue.enqueue('never', 'q2', {});
    await waitFor(async () => (await a.queue.status('q2'))?.state === 'done', 'the next job done');
    expect(ran).toBe(true);
    expect((await a.queue.status('q1'))?.state).toBe('cancelled');
    expect(await b.queue.cancel('q2')).toBe('finished');
    expect(await b.queue.cancel('nope')).toBe('unknown');
  });

  it('of many processes claiming one job at the same moment, exactly one wins', async () => {
    const url = newDatabase();
    const orms = [await openJobsOrm(url), await openJobsOrm(url), await openJobsOrm(url)];
    for (const orm of orms) open.push({ orm });
    const stores = orms.map((orm) => new ClaimStore({ orm }));
    await stores[0]!.ensureTable();
    for (let i = 0; i < 5; i++) await stores[0]!.enqueue('race', `r${i}`, {});
    for (let i = 0; i < 5; i++) {
      const claims = await Promise.all(stores.flatMap((s, k) => [0, 1, 2].map((m) => s.claim(`r${i}`, `p${k}-${m}`))));
      const winners = claims.filter((c) => c !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.attempt).toBe(1);
      expect((await stores[1]!.get(`r${i}`))?.owner).toBe(winners[0]!.owner);
    }
    // The same race for a job whose lease ran out (the owner died): one takeover, attempt 2.
    let now = Date.now();
    const later = orms.map((orm) => new ClaimStore({ orm, leaseMs: 1_000, clock: () => now }));
    now += 1_001 + 15_000;
    const takeovers = (
      await Promise.all(later.flatMap((s, k) => [0, 1, 2].map((m) => s.claim('r0', `q${k}-${m}`))))
    ).filter((c) => c !== null);
    expect(takeovers).toHaveLength(1);
    expect(takeovers[0]!.attempt).toBe(2);
  });

  it('progress written on A is read from B', async () => {
    const url = newDatabase();
    const a = await replica(url);
    const b = await replica(url);
    const finish = gate();
    a.queue.register('demo', async (ctx) => {
      await ctx.progress({ percent: 40 });
      await finish.opened;
    });
    await a.queue.enqueue('demo', 'p1', {});
    expect(await waitFor(async () => (await b.queue.status('p1'))?.progress, 'progress visible on B')).toEqual({
      percent: 40,
    });
    finish.open();
    await waitFor(async () => (await b.queue.status('p1'))?.state === 'done', 'job done');
  });

  it('a handler that throws fails its job once (no retry loop); the error is kept', async () => {
    const url = newDatabase();
    const a = await replica(url);
    let calls = 0;
    a.queue.register('broken', async () => {
      calls += 1;
      throw new Error('bad input');
    });
    await a.queue.enqueue('broken', 'x1', {});
    await waitFor(async () => (await a.queue.status('x1'))?.state === 'failed', 'job failed');
    expect(await a.queue.status('x1')).toMatchObject({ state: 'failed', error: 'bad input', attempts: 1 });
    expect(calls).toBe(1);
  });

  it('a worker whose lease was taken over can write nothing (fencing by attempt)', async () => {
    const url = newDatabase();
    let now = 1_000_000;
    const clock = () => now;
    const ormA = await openJobsOrm(url);
    const ormB = await openJobsOrm(url);
    open.push({ orm: ormA }, { orm: ormB });
    const storeA = new ClaimStore({ orm: ormA, leaseMs: 15_000, clock });
    const storeB = new ClaimStore({ orm: ormB, leaseMs: 15_000, clock });
    const em = ormA.em.fork();
    em.create(DemoJob, { id: 'f1' });
    await em.flush();
    await storeA.enqueue('demo', 'f1', {});
    const claimA = (await storeA.claim('f1', 'A'))!;
    expect(claimA.attempt).toBe(1);
    expect(await storeB.claim('f1', 'B')).toBeNull(); // held
    await storeA.saveCheckpoint(claimA, { step: 1 });
    now += 15_001; // A stops heartbeating (paused, partitioned)
    const claimB = (await storeB.claim('f1', 'B'))!;
    expect(claimB).toMatchObject({ attempt: 2, checkpoint: { step: 1 } });
    // A wakes up: every write it tries is refused.
    expect(await storeA.heartbeat(claimA)).toEqual({ held: false, cancelRequested: false });
    expect(await storeA.saveCheckpoint(claimA, { step: 99 })).toBe(false);
    expect(await storeA.finish(claimA, 'done')).toBe(false);
    expect(await storeA.release(claimA)).toBe(false);
    await expect(
      storeA.fenced(claimA, async (tx) => {
        const row = await tx.findOneOrFail(DemoJob, { id: 'f1' });
        row.state = 'SUCCEEDED';
      }),
    ).rejects.toBeInstanceOf(LostClaimError);
    expect((await ormA.em.fork().findOneOrFail(DemoJob, { id: 'f1' })).state).toBe('QUEUED');
    // B owns it.
    await storeB.fenced(claimB, async (tx) => {
      (await tx.findOneOrFail(DemoJob, { id: 'f1' })).state = 'SUCCEEDED';
    });
    expect(await storeB.finish(claimB, 'done')).toBe(true);
    expect(await storeB.get('f1')).toMatchObject({ state: 'done', attempts: 2, checkpoint: { step: 1 } });
    expect((await ormA.em.fork().findOneOrFail(DemoJob, { id: 'f1' })).state).toBe('SUCCEEDED');
    // Retention: finished claims go, held and queued ones stay.
    await storeA.enqueue('demo', 'f2', {});
    now += 1;
    expect(await storeA.purgeFinished(now)).toBe(1);
    expect(await storeA.get('f1')).toBeUndefined();
    expect(await storeA.get('f2')).toMatchObject({ state: 'queued' });
  });

  it('kill -9 of the process running a job: another replica takes it over within the lease and resumes from the checkpoint', async () => {
    const url = newDatabase();
    const leaseMs = 3_000;
    const b = await replica(url, { leaseMs, heartbeatMs: 1_000 });
    await b.queue.store.ensureTable();
    await b.queue.enqueue('steps', 'crash', { steps: 6 });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'jobs-worker.fixture.ts'), url, String(leaseMs)],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => /checkpoint 3\n/.test(out), 'the child worker checkpointed step 3', { timeoutMs: 60_000 });
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    const killedAt = Date.now();
    const resumedAt: number[] = [];
    const steps: number[] = [];
    b.queue.register('steps', async (ctx: JobContext<{ steps: number }>) => {
      resumedAt.push(Date.now());
      let step = ctx.checkpoint.load<{ step: number }>()?.step ?? 0;
      while (step < ctx.payload.steps) {
        step += 1;
        steps.push(step);
        await ctx.checkpoint.save({ step });
      }
    });
    await waitFor(async () => (await b.queue.status('crash'))?.state === 'done', 'the job done on B', {
      timeoutMs: 30_000,
    });
    expect(resumedAt).toHaveLength(1);
    expect(resumedAt[0]! - killedAt).toBeLessThan(leaseMs + 2_000);
    // The killed worker was inside step 4 (never saved): B starts at step 4.
    const row = await b.queue.status('crash');
    expect(row).toMatchObject({ state: 'done', attempts: 2, checkpoint: { step: 6 } });
    expect(steps).toEqual([4, 5, 6]);
  });
});

describe('the worker entry point (SQLite file)', () => {
  it('SIGTERM finishes the current step, hands the job back (not cancelled) and exits 0; another replica resumes', async () => {
    const url = path.join(dataDir, 'jobs-sigterm.sqlite');
    const orm = await openJobsOrm(url);
    const queue = createJobQueue({ orm, prefix: 'test', pollMs: 50 });
    try {
      await queue.enqueue('steps', 't1', { steps: 6 });
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, 'jobs-worker.fixture.ts'), url, '15000'],
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, JOBS_FIXTURE_MODE: 'sigterm' },
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      try {
        await waitFor(() => /checkpoint 3\n/.test(out), 'the child worker inside step 4', { timeoutMs: 60_000 });
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
      expect(out).toMatch(/checkpoint 4\n/); // the step in progress finished
      expect(await queue.status('t1')).toMatchObject({
        state: 'queued',
        owner: null,
        cancelRequested: false,
        checkpoint: { step: 4 },
        attempts: 1,
      });
      const steps: number[] = [];
      queue.register('steps', async (ctx: JobContext<{ steps: number }>) => {
        let step = ctx.checkpoint.load<{ step: number }>()?.step ?? 0;
        while (step < ctx.payload.steps) {
          step += 1;
          steps.push(step);
          await ctx.checkpoint.save({ step });
        }
      });
      await waitFor(async () => (await queue.status('t1'))?.state === 'done', 'the job done here');
      expect(steps).toEqual([5, 6]);
    } finally {
      await queue.close();
      await orm.close();
    }
  });
});
