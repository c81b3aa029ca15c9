import type { EntityManager, MikroORM } from '@mikro-orm/core';

/** Where a job stands in the claim table. */
export type ClaimState = 'queued' | 'claimed' | 'done' | 'failed' | 'cancelled';

/** Milliseconds since the epoch; injected so the claim/lease logic can be tested on a moved clock. */
export type MillisClock = () => number;

/**
 * One won claim: the `attempt` is the fencing token. Every write for the claim (heartbeat,
 * checkpoint, completion, and the service's own job-row writes through `fenced`) is conditional on
 * the row still carrying this attempt in state `claimed`, so a worker that lost its lease (another
 * replica took the job over and bumped the attempt) can no longer write anything.
 */
export interface Claim {
  jobId: string;
  kind: string;
  owner: string;
  attempt: number;
  payload: unknown;
  /** The last checkpoint saved by any earlier attempt (undefined when none). */
  checkpoint: unknown;
}

export interface ClaimRow {
  jobId: string;
  kind: string;
  payload: unknown;
  state: ClaimState;
  owner: string | null;
  leaseUntil: number;
  attempts: number;
  checkpoint: unknown;
  progress: unknown;
  cancelRequested: boolean;
  error: string | null;
}

/** A fenced write found the claim gone: another worker took the job over (or it was finished). */
export class LostClaimError extends Error {
  constructor(
    readonly jobId: string,
    readonly attempt: number,
  ) {
    super(`job ${jobId}: attempt ${attempt} no longer holds the claim`);
    this.name = 'LostClaimError';
  }
}

export interface ClaimStoreOptions {
  /** A MikroORM instance on SQLite/libsql or PostgreSQL (the service's own database). */
  orm: MikroORM;
  /** How long a claim lasts without a heartbeat. @default 15000 */
  leaseMs?: number;
  clock?: MillisClock;
}

type Conn = {
  execute(sql: string, params?: unknown[], method?: 'all' | 'get' | 'run', ctx?: unknown): Promise<unknown>;
};
/** A row as the SQL driver returns it (column name → value). */
type SqlRow = Record<string, unknown>;
/** What the driver answers to a write. */
type SqlRun = { affectedRows: number };

const TABLE = 'job_claim';
const CLAIMABLE = `(state = 'queued' OR (state = 'claimed' AND lease_until < ?))`;

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const parse = (v: unknown) => (v === null || v === undefined ? undefined : JSON.parse(String(v)));

/** SQLite answers SQLITE_BUSY when two processes write the one file at the same moment: try again. */
function isBusy(err: unknown): boolean {
  const text = `${(err as { code?: string })?.code ?? ''} ${(err as Error)?.message ?? ''}`;
  return /SQLITE_BUSY|database is locked/i.test(text);
}

/**
 * The job claims in the service's database (table `job_claim`), written with plain SQL that
 * PostgreSQL and SQLite both run. A claim is one conditional UPDATE guarded by the attempt the
 * claimer read (`… WHERE attempts = ? AND (queued OR lease expired)`), so of two processes racing
 * for one job exactly one changes the row; the loser sees 0 affected rows.
 */
export class ClaimStore {
  readonly leaseMs: number;
  private readonly clock: MillisClock;
  private ready?: Promise<void>;

  constructor(private readonly opts: ClaimStoreOptions) {
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.clock = opts.clock ?? Date.now;
    const platform = opts.orm.config.getDriver().getPlatform().constructor.name;
    if (/mongo/i.test(platform))
      throw new Error('the job claim store needs an SQL database (SQLite or PostgreSQL); MongoDB is not supported yet');
  }

  private conn(): Conn {
    return this.opts.orm.em.getConnection() as unknown as Conn;
  }

  private async exec(sql: string, params: unknown[], method: 'all', ctx?: unknown): Promise<SqlRow[]>;
  private async exec(sql: string, params: unknown[], method: 'run', ctx?: unknown): Promise<SqlRun>;
  private async exec(sql: string, params: unknown[], method: 'all' | 'run', ctx?: unknown): Promise<unknown> {
    await this.ensureTable();
    return this.raw(sql, params, method, ctx);
  }

  private async raw(sql: string, params: unknown[], method: 'all' | 'run', ctx?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.conn().execute(sql, params, method, ctx);
      } catch (err) {
        if (!isBusy(err) || attempt >= 50 || ctx) throw err;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    }
  }

  /** Creates the table when missing; two processes creating it at once both succeed. */
  ensureTable(): Promise<void> {
    this.ready ??= (async () => {
      const ddl = [
        `CREATE TABLE IF NOT EXISTS ${TABLE} (
          job_id varchar(255) NOT NULL PRIMARY KEY,
          kind varchar(255) NOT NULL,
          payload text NULL,
          state varchar(16) NOT NULL,
          owner varchar(255) NULL,
          lease_until bigint NOT NULL DEFAULT 0,
          attempts integer NOT NULL DEFAULT 0,
          checkpoint text NULL,
          progress text NULL,
          cancel_requested integer NOT NULL DEFAULT 0,
          error text NULL,
          created_at bigint NOT NULL,
          updated_at bigint NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS ${TABLE}_state_kind_index ON ${TABLE} (state, kind)`,
      ];
      for (const sql of ddl) {
        try {
          await this.raw(sql, [], 'run');
        } catch (err) {
          // PostgreSQL: two concurrent CREATE … IF NOT EXISTS can still collide on the catalog.
          if (!/already exists|duplicate key|pg_type_typname_nsp_index/i.test((err as Error).message)) throw err;
        }
      }
    })().catch((err) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  now(): number {
    return this.clock();
  }

  /** Records a queued job. @returns false when the id is already known (enqueue is idempotent) */
  async enqueue(kind: string, jobId: string, payload: unknown): Promise<boolean> {
    const now = this.clock();
    const res = await this.exec(
      `INSERT INTO ${TABLE} (job_id, kind, payload, state, lease_until, attempts, cancel_requested, created_at, updated_at) VALUES (?, ?, ?, 'queued', 0, 0, 0, ?, ?) ON CONFLICT (job_id) DO NOTHING`,
      [jobId, kind, json(payload), now, now],
      'run',
    );
    return res.affectedRows === 1;
  }

  /** @returns jobs of these kinds that nobody holds (queued, or their lease ran out), oldest first */
  async claimable(kinds: string[], limit: number): Promise<{ jobId: string; kind: string; attempts: number }[]> {
    if (!kinds.length || limit <= 0) return [];
    const rows = await this.exec(
      `SELECT job_id, kind, attempts FROM ${TABLE} WHERE kind IN (${kinds.map(() => '?').join(', ')}) AND ${CLAIMABLE} ORDER BY created_at, job_id LIMIT ${Math.floor(limit)}`,
      [...kinds, this.clock()],
      'all',
    );
    return rows.map((r) => ({ jobId: String(r.job_id), kind: String(r.kind), attempts: Number(r.attempts) }));
  }

  /** Tries to take one job. @returns the claim, or null when someone else holds it or it is finished */
  async claim(jobId: string, owner: string): Promise<Claim | null> {
    const row = await this.get(jobId);
    if (!row) return null;
    const now = this.clock();
    if (!(row.state === 'queued' || (row.state === 'claimed' && row.leaseUntil < now))) return null;
    const res = await this.exec(
      `UPDATE ${TABLE} SET state = 'claimed', owner = ?, lease_until = ?, attempts = ?, updated_at = ? WHERE job_id = ? AND attempts = ? AND ${CLAIMABLE}`,
      [owner, now + this.leaseMs, row.attempts + 1, now, jobId, row.attempts, now],
      'run',
    );
    if (res.affectedRows !== 1) return null;
    return {
      jobId,
      kind: row.kind,
      owner,
      attempt: row.attempts + 1,
      payload: row.payload,
      checkpoint: row.checkpoint,
    };
  }

  private async fencedUpdate(claim: Claim, set: string, params: unknown[], ctx?: unknown): Promise<boolean> {
    const res = await this.exec(
      `UPDATE ${TABLE} SET ${set}, updated_at = ? WHERE job_id = ? AND attempts = ? AND state = 'claimed'`,
      [...params, this.clock(), claim.jobId, claim.attempt],
      'run',
      ctx,
    );
    return res.affectedRows === 1;
  }

  /** Extends the lease. @returns whether the claim is still held and whether a cancel was asked for */
  async heartbeat(claim: Claim, progress?: unknown): Promise<{ held: boolean; cancelRequested: boolean }> {
    const held =
      progress === undefined
        ? await this.fencedUpdate(claim, 'lease_until = ?', [this.clock() + this.leaseMs])
        : await this.fencedUpdate(claim, 'lease_until = ?, progress = ?', [
            this.clock() + this.leaseMs,
            json(progress),
          ]);
    if (!held) return { held, cancelRequested: false };
    return { held, cancelRequested: await this.cancelRequested(claim.jobId) };
  }

  async cancelRequested(jobId: string): Promise<boolean> {
    const rows = await this.exec(`SELECT cancel_requested FROM ${TABLE} WHERE job_id = ?`, [jobId], 'all');
    return Number(rows[0]?.cancel_requested ?? 0) === 1;
  }

  /** Saves the resume point of the job (fenced). @returns false when the claim was lost */
  saveCheckpoint(claim: Claim, state: unknown): Promise<boolean> {
    return this.fencedUpdate(claim, 'checkpoint = ?, lease_until = ?', [json(state), this.clock() + this.leaseMs]);
  }

  /** Finishes the job for good (fenced). @returns false when the claim was lost and nothing was written */
  finish(claim: Claim, state: 'done' | 'failed' | 'cancelled', error?: string): Promise<boolean> {
    return this.fencedUpdate(claim, 'state = ?, owner = NULL, lease_until = 0, error = ?', [state, error ?? null]);
  }

  /** Hands the job back to the queue (shutdown): not cancelled, its checkpoint kept. */
  release(claim: Claim): Promise<boolean> {
    return this.fencedUpdate(claim, `state = 'queued', owner = NULL, lease_until = 0`, []);
  }

  /**
   * Asks for a cancel from any process: a queued job is cancelled at once, a claimed one gets
   * `cancel_requested` for its worker to see (heartbeat/poll, or the cancel message).
   */
  async requestCancel(jobId: string): Promise<'cancelled' | 'requested' | 'finished' | 'unknown'> {
    const now = this.clock();
    const q = await this.exec(
      `UPDATE ${TABLE} SET state = 'cancelled', cancel_requested = 1, owner = NULL, lease_until = 0, updated_at = ? WHERE job_id = ? AND state = 'queued'`,
      [now, jobId],
      'run',
    );
    if (q.affectedRows === 1) return 'cancelled';
    const c = await this.exec(
      `UPDATE ${TABLE} SET cancel_requested = 1, updated_at = ? WHERE job_id = ? AND state = 'claimed'`,
      [now, jobId],
      'run',
    );
    if (c.affectedRows === 1) return 'requested';
    return (await this.get(jobId)) ? 'finished' : 'unknown';
  }

  /** Deletes finished claims (done, failed, cancelled) last written before `before` (ms). @returns how many */
  async purgeFinished(before: number): Promise<number> {
    const res = await this.exec(
      `DELETE FROM ${TABLE} WHERE state IN ('done', 'failed', 'cancelled') AND updated_at < ?`,
      [before],
      'run',
    );
    return Number(res.affectedRows);
  }

  async get(jobId: string): Promise<ClaimRow | undefined> {
    const rows = await this.exec(
      `SELECT job_id, kind, payload, state, owner, lease_until, attempts, checkpoint, progress, cancel_requested, error FROM ${TABLE} WHERE job_id = ?`,
      [jobId],
      'all',
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      jobId: String(r.job_id),
      kind: String(r.kind),
      payload: parse(r.payload),
      state: r.state as ClaimState,
      owner: r.owner == null ? null : String(r.owner),
      leaseUntil: Number(r.lease_until),
      attempts: Number(r.attempts),
      checkpoint: parse(r.checkpoint),
      progress: parse(r.progress),
      cancelRequested: Number(r.cancel_requested) === 1,
      error: r.error == null ? null : String(r.error),
    };
  }

  /**
   * Runs a service's own writes in one transaction that first re-asserts the claim (an UPDATE of
   * the claim row: PostgreSQL locks the row, SQLite the file, until the commit), so a takeover can
   * not slip in between the check and the write.
   * @throws LostClaimError when the claim is gone; nothing of `work` is then written
   */
  async fenced<T>(claim: Claim, work: (em: EntityManager) => Promise<T>): Promise<T> {
    await this.ensureTable();
    // SQLite shared by processes: a transaction that met another's write lock rolled back whole; run it again.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.fencedOnce(claim, work);
      } catch (err) {
        if (!isBusy(err) || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    }
  }

  private fencedOnce<T>(claim: Claim, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.opts.orm.em.fork().transactional(async (em) => {
      const ctx = em.getTransactionContext();
      const res = (await (em.getConnection() as unknown as Conn).execute(
        `UPDATE ${TABLE} SET updated_at = ? WHERE job_id = ? AND attempts = ? AND state = 'claimed'`,
        [this.clock(), claim.jobId, claim.attempt],
        'run',
        ctx,
      )) as SqlRun;
      if (res.affectedRows !== 1) throw new LostClaimError(claim.jobId, claim.attempt);
      return work(em);
    });
  }
}
