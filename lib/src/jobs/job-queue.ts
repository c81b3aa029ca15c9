import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Queue, Worker } from 'bullmq';
import type { Logger } from '../logger';
import type { PubSub } from '../pubsub';
import type { Claim, ClaimRow, MillisClock } from './claim-store';
import { ClaimStore, LostClaimError } from './claim-store';

/** Why a handler's signal aborted: `signal.reason` is a JobAbort. */
export class JobAbort extends Error {
  constructor(readonly why: 'cancel' | 'shutdown' | 'lost') {
    super(
      why === 'cancel'
        ? 'job cancelled'
        : why === 'shutdown'
          ? 'worker shutting down: job handed back'
          : 'job claim lost to another worker',
    );
    this.name = 'JobAbort';
  }
}

/** What a handler gets for one attempt of one job. */
export interface JobContext<P = unknown> {
  jobId: string;
  kind: string;
  payload: P;
  /** The fencing token of this attempt (1 for the first claim, +1 on every takeover or hand-back). */
  attempt: number;
  /** Aborts on cancel (from any process), on close() (hand back) and when the claim was lost; `reason` is a JobAbort. */
  signal: AbortSignal;
  checkpoint: {
    /** The last checkpoint any attempt saved, to resume from (undefined on a fresh job). */
    load<T = unknown>(): T | undefined;
    /** Saves the resume point; throws LostClaimError when this attempt no longer holds the claim. */
    save(state: unknown): Promise<void>;
  };
  /** Records progress on the claim and extends the lease; throws LostClaimError when the claim is gone. */
  progress(progress: unknown): Promise<void>;
  /** Runs the service's own job-row writes in a transaction that holds the claim (see ClaimStore.fenced). */
  fenced<T>(work: (em: EntityManager) => Promise<T>): Promise<T>;
}

export type JobHandler<P = unknown> = (ctx: JobContext<P>) => Promise<void>;

export interface JobQueueOptions {
  /** The service's database (SQLite/libsql or PostgreSQL): claims live in its `job_claim` table. */
  orm: MikroORM;
  /** When set, BullMQ on Redis delivers jobs (and the claim table still decides who runs them). */
  redisUrl?: string;
  /** Queue name prefix (the service name, or a test's random prefix). */
  prefix: string;
  /** Carries cancel messages to the process that runs the job at once (the claim table is the fallback). */
  pubSub?: PubSub;
  logger?: Logger;
  /** This process's name in `owner`. @default hostname:pid:random */
  owner?: string;
  /** @default 15000 */
  leaseMs?: number;
  /** @default 5000 */
  heartbeatMs?: number;
  /** How often a running job looks for a cancel in the table (without a cancel message). @default 500 */
  cancelPollMs?: number;
  /** How often the table is searched for queued and expired jobs. @default 1000 (in-process), 2000 (BullMQ) */
  pollMs?: number;
  clock?: MillisClock;
}

export interface JobQueue {
  readonly owner: string;
  readonly store: ClaimStore;
  /** Registers the handler of one kind of job; this process then takes jobs of that kind. */
  register<P>(kind: string, handler: JobHandler<P>, opts?: { concurrency?: number }): void;
  /** Records a job and wakes a worker. @returns false when the id was already enqueued */
  enqueue(kind: string, jobId: string, payload: unknown): Promise<boolean>;
  /** Cancels from any process: a queued job at once, a running one within cancelPollMs (at once with a pub/sub). */
  cancel(jobId: string): Promise<'cancelled' | 'requested' | 'finished' | 'unknown'>;
  status(jobId: string): Promise<ClaimRow | undefined>;
  /** Jobs running in this process. */
  readonly running: string[];
  /** Stops taking work, aborts running handlers with reason 'shutdown', waits, and hands their jobs back. */
  close(): Promise<void>;
  /** How the loop that looks for work is doing, for a worker's health endpoints. */
  health(): JobQueueHealth;
}

/** The state of a queue's polling loop (times in epoch milliseconds, from the queue's clock). */
export interface JobQueueHealth {
  /** Closing or closed: takes no more work. */
  closed: boolean;
  /** How often the loop runs. */
  pollMs: number;
  /** When the last search for work started (the queue's creation before the first). */
  lastPollStartedAt: number;
  /** When a search last finished without an error (the database answered); null before the first. */
  lastPollOkAt: number | null;
}

const CANCEL_TOPIC = 'jobs.cancel';

/**
 * BullMQ's id of one claim epoch of a job. BullMQ refuses custom ids with a `:` (its key separator),
 * which service job ids may hold (`profile:<id>`): encoded, so any job id is delivered.
 */
export function bullJobId(jobId: string, attempts: number): string {
  return `${encodeURIComponent(jobId)}__${attempts}`;
}

interface Registration {
  handler: JobHandler<unknown>;
  concurrency: number;
  active: number;
}

/**
 * The one job mechanism: claims in the service's database with a lease, heartbeat and fencing;
 * delivery by BullMQ when `redisUrl` is set, by polling the claim table otherwise.
 */
export function createJobQueue(opts: JobQueueOptions): JobQueue {
  const store = new ClaimStore({ orm: opts.orm, leaseMs: opts.leaseMs, clock: opts.clock });
  const owner = opts.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const heartbeatMs = opts.heartbeatMs ?? Math.min(5_000, Math.floor(store.leaseMs / 3));
  const cancelPollMs = opts.cancelPollMs ?? 500;
  const pollMs = opts.pollMs ?? (opts.redisUrl ? 2_000 : 1_000);
  const log = opts.logger;
  const kinds = new Map<string, Registration>();
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let closed = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let cancelIterator: AsyncIterator<unknown> | undefined;
  const now = () => (opts.clock ? opts.clock() : Date.now());
  let lastPollStartedAt = now();
  let lastPollOkAt: number | null = null;

  // BullMQ: one Queue and Worker per kind; loaded only when Redis is configured.
  const bull = new Map<string, { queue: Queue; worker: Worker }>();
  const producers = new Map<string, Queue>();
  const connection = opts.redisUrl ? redisConnection(opts.redisUrl) : undefined;
  const queueName = (kind: string) => `${opts.prefix}-jobs-${kind}`.replace(/:/g, '-');
  const deliver = async (kind: string, jobId: string, attempts: number) => {
    const b = bull.get(kind);
    if (!b) return;
    // One delivery per claim epoch: BullMQ drops a second add with the same id while it is kept.
    await b.queue.add(
      kind,
      { jobId },
      { jobId: bullJobId(jobId, attempts), removeOnComplete: true, removeOnFail: true },
    );
  };

  async function run(claim: Claim, reg: Registration): Promise<void> {
    const controller = new AbortController();
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    running.set(claim.jobId, { controller, done });
    reg.active += 1;
    const abort = (why: JobAbort['why']) => {
      if (!controller.signal.aborted) controller.abort(new JobAbort(why));
    };
    let lastBeat = Date.now();
    let ticking = false;
    const ticker = setInterval(
      () => {
        if (ticking) return;
        ticking = true;
        void (async () => {
          try {
            if (Date.now() - lastBeat >= heartbeatMs) {
              const beat = await store.heartbeat(claim);
              lastBeat = Date.now();
              if (!beat.held) abort('lost');
              else if (beat.cancelRequested) abort('cancel');
            } else if (await store.cancelRequested(claim.jobId)) abort('cancel');
          } catch (err) {
            log?.warn({ err, jobId: claim.jobId }, 'job heartbeat failed');
          } finally {
            ticking = false;
          }
        })();
      },
      Math.min(cancelPollMs, heartbeatMs),
    );
    const ensureHeld = (held: boolean) => {
      if (!held) {
        abort('lost');
        throw new LostClaimError(claim.jobId, claim.attempt);
      }
    };
    const ctx: JobContext = {
      jobId: claim.jobId,
      kind: claim.kind,
      payload: claim.payload,
      attempt: claim.attempt,
      signal: controller.signal,
      checkpoint: {
        load: <T>() => claim.checkpoint as T | undefined,
        save: async (state) => {
          ensureHeld(await store.saveCheckpoint(claim, state));
          claim.checkpoint = state;
          lastBeat = Date.now();
        },
      },
      progress: async (p) => {
        const beat = await store.heartbeat(claim, p);
        lastBeat = Date.now();
        ensureHeld(beat.held);
        if (beat.cancelRequested) abort('cancel');
      },
      fenced: (work) =>
        store.fenced(claim, work).catch((err) => {
          if (err instanceof LostClaimError) abort('lost');
          throw err;
        }),
    };
    try {
      // A cancel asked for before the claim: do not start; claimed while closing: hand back at once.
      if (await store.cancelRequested(claim.jobId)) abort('cancel');
      if (closed) abort('shutdown');
      let outcome: 'done' | 'failed' | 'cancelled' | 'release' | 'lost';
      let error: string | undefined;
      if (controller.signal.aborted)
        outcome = (controller.signal.reason as JobAbort).why === 'cancel' ? 'cancelled' : 'release';
      else {
        try {
          await reg.handler(ctx);
          outcome = 'done';
        } catch (err) {
          const why = controller.signal.aborted ? (controller.signal.reason as JobAbort).why : undefined;
          outcome =
            why === 'cancel'
              ? 'cancelled'
              : why === 'shutdown'
                ? 'release'
                : why === 'lost' || err instanceof LostClaimError
                  ? 'lost'
                  : 'failed';
          error = (err as Error)?.message ?? String(err);
          if (outcome === 'failed') log?.error({ err, jobId: claim.jobId, kind: claim.kind }, 'job failed');
        }
      }
      clearInterval(ticker);
      if (outcome === 'release') {
        if (await store.release(claim)) await deliver(claim.kind, claim.jobId, claim.attempt).catch(() => undefined);
      } else if (outcome !== 'lost') {
        if (!(await store.finish(claim, outcome, error)))
          log?.warn(
            { jobId: claim.jobId, attempt: claim.attempt },
            'job finished after its claim was lost: result not recorded',
          );
      } else log?.warn({ jobId: claim.jobId, attempt: claim.attempt }, 'job claim lost to another worker');
    } catch (err) {
      log?.error({ err, jobId: claim.jobId }, 'job bookkeeping failed');
    } finally {
      clearInterval(ticker);
      reg.active -= 1;
      running.delete(claim.jobId);
      resolveDone();
    }
  }

  /** Claims one job by id and runs it to the end of this attempt. */
  async function tryRun(jobId: string, reg: Registration): Promise<void> {
    if (closed || running.has(jobId)) return;
    const claim = await store.claim(jobId, owner);
    if (!claim) return;
    await run(claim, reg);
  }

  async function poll(): Promise<void> {
    if (closed) return;
    const wanted = [...kinds].filter(([, r]) => r.active < r.concurrency);
    if (!wanted.length) return;
    const candidates = await store.claimable(
      wanted.map(([k]) => k),
      20,
    );
    for (const c of candidates) {
      if (closed) return;
      const reg = kinds.get(c.kind)!;
      if (bull.has(c.kind)) {
        // BullMQ mode: the sweep only re-delivers (takeover, hand-back, a lost add); workers claim.
        await deliver(c.kind, c.jobId, c.attempts).catch((err) =>
          log?.warn({ err, jobId: c.jobId }, 'job re-delivery failed'),
        );
        continue;
      }
      if (reg.active >= reg.concurrency || running.has(c.jobId)) continue;
      const claim = await store.claim(c.jobId, owner);
      if (claim) void run(claim, reg);
    }
  }

  const pollNow = () => {
    if (closed || polling) return;
    lastPollStartedAt = now();
    polling = poll()
      .then(() => {
        lastPollOkAt = now();
      })
      .catch((err) => log?.warn({ err }, 'job poll failed'))
      .finally(() => (polling = undefined));
  };

  const ensureStarted = () => {
    if (pollTimer) return;
    pollTimer = setInterval(pollNow, pollMs);
    if (opts.pubSub && !cancelIterator) {
      const it = opts.pubSub.subscribe(CANCEL_TOPIC)[Symbol.asyncIterator]();
      cancelIterator = it;
      void (async () => {
        for (;;) {
          const next = await it.next();
          if (next.done) return;
          const jobId = (next.value as { jobId?: string })?.jobId;
          const r = jobId ? running.get(jobId) : undefined;
          if (r && !r.controller.signal.aborted) r.controller.abort(new JobAbort('cancel'));
        }
      })();
    }
  };

  return {
    owner,
    store,
    register(kind, handler, o) {
      if (closed) throw new Error('the job queue is closed');
      if (kinds.has(kind)) throw new Error(`job kind ${kind} is already registered`);
      const reg: Registration = {
        handler: handler as JobHandler<unknown>,
        concurrency: o?.concurrency ?? 1,
        active: 0,
      };
      kinds.set(kind, reg);
      if (connection) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Queue: BullQueue, Worker: BullWorker } = require('bullmq') as typeof import('bullmq');
        const queue = new BullQueue(queueName(kind), { connection });
        const worker = new BullWorker(queueName(kind), async (job) => tryRun(String(job.data.jobId), reg), {
          connection,
          concurrency: reg.concurrency,
          // BullMQ's own lock only guards delivery; the claim table decides who runs the job.
          lockDuration: store.leaseMs,
          stalledInterval: store.leaseMs,
        });
        worker.on('error', (err) => log?.warn({ err, kind }, 'job worker error'));
        bull.set(kind, { queue, worker });
      }
      ensureStarted();
      pollNow();
    },
    async enqueue(kind, jobId, payload) {
      const added = await store.enqueue(kind, jobId, payload);
      if (added) {
        // The row is the truth: when Redis refuses the add, the next sweep of any replica delivers it.
        if (connection)
          await sharedQueue(kind)
            .add(kind, { jobId }, { jobId: bullJobId(jobId, 0), removeOnComplete: true, removeOnFail: true })
            .catch((err) => log?.warn({ err, jobId }, 'job delivery failed: the sweep retries'));
        else pollNow();
      }
      return added;
    },
    async cancel(jobId) {
      const result = await store.requestCancel(jobId);
      if (result === 'requested') {
        const local = running.get(jobId);
        if (local && !local.controller.signal.aborted) local.controller.abort(new JobAbort('cancel'));
        opts.pubSub?.publish(CANCEL_TOPIC, { jobId });
      }
      return result;
    },
    status: (jobId) => store.get(jobId),
    health: () => ({ closed, pollMs, lastPollStartedAt, lastPollOkAt }),
    get running() {
      return [...running.keys()];
    },
    async close() {
      if (closed) return;
      closed = true;
      if (pollTimer) clearInterval(pollTimer);
      await polling;
      for (const r of running.values()) if (!r.controller.signal.aborted) r.controller.abort(new JobAbort('shutdown'));
      await Promise.allSettled([...running.values()].map((r) => r.done));
      await cancelIterator?.return?.();
      for (const b of bull.values()) await b.worker.close();
      for (const b of bull.values()) await b.queue.close();
      for (const q of producers.values()) await q.close();
    },
  };

  // Enqueue may name a kind this process does not consume (an API-only replica): a producer Queue per kind.
  function sharedQueue(kind: string): Queue {
    const b = bull.get(kind);
    if (b) return b.queue;
    let q = producers.get(kind);
    if (!q) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Queue: BullQueue } = require('bullmq') as typeof import('bullmq');
      q = new BullQueue(queueName(kind), { connection: connection! });
      producers.set(kind, q);
    }
    return q;
  }
}

function redisConnection(url: string): {
  host: string;
  port: number;
  password?: string;
  username?: string;
  db?: number;
  maxRetriesPerRequest: null;
} {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    maxRetriesPerRequest: null,
  };
}
