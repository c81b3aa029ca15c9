import type { MikroORM } from '@mikro-orm/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claim } from '../src/jobs';
import { ClaimStore } from '../src/jobs';
import { testPostgresDatabase } from '../src/testing/postgres';
import { openJobsOrm } from './jobs-fixture';

// The claim/lease logic under random crashes, pauses (moved clock), duplicate deliveries, hand-backs
// and cancels, on the real SQL against a real database, with the clock injected so it is fast and
// deterministic. Whatever happens: no job is completed twice, no worker writes after losing its
// claim, a takeover resumes from the last saved checkpoint, and once the workers recover, no job is lost.

const LEASE = 15_000;
const WORKERS = 3;

type Cmd =
  | { t: 'tick'; ms: number }
  | { t: 'poll'; w: number }
  | { t: 'deliver'; w: number; j: number }
  | { t: 'heartbeat'; w: number }
  | { t: 'checkpoint'; w: number }
  | { t: 'complete'; w: number; j: number }
  | { t: 'crash'; w: number }
  | { t: 'handBack'; w: number }
  | { t: 'cancel'; j: number };

const w = fc.integer({ min: 0, max: WORKERS - 1 });
const j = fc.integer({ min: 0, max: 3 });
// Weighted so that leases run out (a pause just past the lease) and stale workers then try to write.
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('tick' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 6_000 }), fc.constantFrom(LEASE - 1, LEASE, LEASE + 1)),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('poll' as const), w }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('deliver' as const), w, j }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('heartbeat' as const), w }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('checkpoint' as const), w }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('complete' as const), w, j }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const), w }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('handBack' as const), w }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cancel' as const), j }) },
);

let runNo = 0;

async function checkScenario(orm: MikroORM, jobs: number, cmds: Cmd[]): Promise<void> {
  let now = 1_700_000_000_000;
  const store = new ClaimStore({ orm, leaseMs: LEASE, clock: () => now });
  const kind = `prop-${++runNo}`;
  const ids = Array.from({ length: jobs }, (_, i) => `${kind}-j${i}`);
  for (const id of ids) await store.enqueue(kind, id, { id });

  // What each worker believes it holds (a crash forgets without releasing).
  const held: Map<string, Claim>[] = Array.from({ length: WORKERS }, () => new Map());
  const completions = new Map<string, number>();
  const lastCheckpoint = new Map<string, unknown>();
  const maxAttempt = new Map<string, number>();
  const cancelled = new Set<string>();
  let seq = 0;

  const took = (wi: number, claim: Claim | null) => {
    if (!claim) return;
    // A takeover resumes from the last checkpoint any owner saved.
    expect(claim.checkpoint).toEqual(lastCheckpoint.get(claim.jobId));
    expect(claim.attempt).toBeGreaterThan(maxAttempt.get(claim.jobId) ?? 0);
    maxAttempt.set(claim.jobId, claim.attempt);
    held[wi]!.set(claim.jobId, claim);
  };
  /** A write that succeeded must come from the newest claim of its job. */
  const wrote = (claim: Claim) => expect(claim.attempt).toBe(maxAttempt.get(claim.jobId));

  for (const c of cmds) {
    switch (c.t) {
      case 'tick':
        now += c.ms;
        break;
      case 'poll':
        for (const row of await store.claimable([kind], 10)) took(c.w, await store.claim(row.jobId, `w${c.w}`));
        break;
      case 'deliver': // BullMQ delivering a job again (stalled check, re-add): the claim decides
        if (c.j < jobs) took(c.w, await store.claim(ids[c.j]!, `w${c.w}`));
        break;
      case 'heartbeat':
        for (const claim of [...held[c.w]!.values()]) {
          const beat = await store.heartbeat(claim);
          if (beat.held) wrote(claim);
          else held[c.w]!.delete(claim.jobId);
        }
        break;
      case 'checkpoint':
        for (const claim of [...held[c.w]!.values()]) {
          const state = { by: c.w, seq: ++seq };
          if (await store.saveCheckpoint(claim, state)) {
            wrote(claim);
            lastCheckpoint.set(claim.jobId, state);
          } else held[c.w]!.delete(claim.jobId);
        }
        break;
      case 'complete': {
        const claim = c.j < jobs ? held[c.w]!.get(ids[c.j]!) : undefined;
        if (!claim) break;
        held[c.w]!.delete(claim.jobId);
        const cancel = await store.cancelRequested(claim.jobId);
        if (await store.finish(claim, cancel ? 'cancelled' : 'done')) {
          wrote(claim);
          if (cancel) cancelled.add(claim.jobId);
          else completions.set(claim.jobId, (completions.get(claim.jobId) ?? 0) + 1);
        }
        break;
      }
      case 'crash':
        held[c.w]!.clear();
        break;
      case 'handBack':
        for (const claim of held[c.w]!.values()) if (await store.release(claim)) wrote(claim);
        held[c.w]!.clear();
        break;
      case 'cancel':
        if (c.j < jobs && (await store.requestCancel(ids[c.j]!)) === 'cancelled') cancelled.add(ids[c.j]!);
        break;
    }
    for (const n of completions.values()) expect(n).toBe(1);
  }

  // Recovery: the old workers are gone; a fresh one waits out the leases and drains the queue.
  now += LEASE + 1;
  for (let round = 0; round < jobs + 1; round++) {
    for (const row of await store.claimable([kind], 10)) {
      const claim = await store.claim(row.jobId, 'fresh');
      if (!claim) continue;
      took(0, claim);
      const cancel = await store.cancelRequested(claim.jobId);
      expect(await store.finish(claim, cancel ? 'cancelled' : 'done')).toBe(true);
      if (cancel) cancelled.add(claim.jobId);
      else completions.set(claim.jobId, (completions.get(claim.jobId) ?? 0) + 1);
    }
  }
  for (const id of ids) {
    const row = (await store.get(id))!;
    // No job lost: every job ended, as done exactly once or as cancelled, never both.
    if (cancelled.has(id)) {
      expect(row.state).toBe('cancelled');
      expect(completions.get(id) ?? 0).toBe(0);
    } else {
      expect(row.state).toBe('done');
      expect(completions.get(id)).toBe(1);
    }
  }
}

describe.each([
  ['SQLite', async () => ({ url: ':memory:', drop: async () => undefined }), 300],
  [
    'PostgreSQL',
    async () => {
      const db = testPostgresDatabase('aic_jobs_prop');
      return { url: db.url, drop: db.drop };
    },
    60,
  ],
] as const)('claim/lease property on %s', (_name, makeDb, numRuns) => {
  let orm: MikroORM;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await makeDb();
    drop = db.drop;
    orm = await openJobsOrm(db.url);
  });
  afterAll(async () => {
    await orm?.close();
    await drop?.();
  });

  it('no job lost, none completed twice, no write after a lost claim, takeover resumes from the last checkpoint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(cmd, { minLength: 1, maxLength: 60 }), (jobs, cmds) =>
        checkScenario(orm, jobs, cmds),
      ),
      { numRuns },
    );
  });
});
