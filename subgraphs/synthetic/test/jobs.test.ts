// Synthetic data jobs on lib/src/jobs (issue #17), with several synthetic processes on one PostgreSQL
// database: exactly once, takeover after SIGKILL, SIGTERM hand-back, cancel through another replica.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { urlEnvOf } from '../../../lib/contracts/services';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import { waitFor } from '../../../lib/src/testing/wait-for';
import { Dataset } from '../../catalog/src/dataset/dataset.entity';
import { DatasetVersion } from '../../catalog/src/dataset/dataset-version.entity';
import { outputKeyOf } from '../src/job/job.runner';
import { SyntheticDataJob } from '../src/job/synthetic-job.entity';
import { SyntheticReport } from '../src/report/synthetic-report.entity';
import type { SyntheticServer } from '../src/server';
import { createServer } from '../src/server';
import { toCsv } from '../src/table/csv.codec';
import { vegaTable } from './datasets';
import type { SyntheticHarness } from './synthetic.harness';
import { RUNNER, registerDataset, startSynthetic, waitForJob } from './synthetic.harness';

const LEASE_MS = 1_500;

describe('synthetic data jobs across processes on one PostgreSQL database', () => {
  const db = testPostgresDatabase('aic_synthetic_jobs');
  let h: SyntheticHarness;
  let token: string;
  let sourceId: string;
  const consumers: SyntheticServer[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // The harness's own instance serves the API only; the tests start the processes that run jobs.
    h = await startSynthetic(db.url, { jobLeaseMs: LEASE_MS }, { consume: false });
    token = await h.issuer.issue({ sub: 'runner-j', org: 'org-j', perms: RUNNER });
    sourceId = await registerDataset(h, token, {
      name: 'cars',
      format: 'CSV',
      content: toCsv(vegaTable('cars')),
      classification: 'INTERNAL',
    });
  });

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const s of consumers.splice(0)) await s.server.stop();
  });

  afterAll(async () => {
    await h?.stop();
    await db.drop();
  });

  /** Another synthetic process in this one: its own ORM, queue and pub/sub on the same database. */
  async function consumer(): Promise<SyntheticServer> {
    const built = await createServer(h.config, { kit: { consume: true } });
    consumers.push(built);
    return built;
  }

  /** `src/worker.ts` as a child process on the same database, ready once it consumes jobs. */
  async function childWorker(): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      AIC_DATA_DIR: h.config.dataDir,
      AIC_JOB_LEASE_MS: String(LEASE_MS),
      AIC_JWKS_URL: h.config.auth.jwksUrl,
      AIC_JWT_ISSUER: h.config.auth.issuer,
      AIC_JWT_AUDIENCE: h.config.auth.audience,
      [urlEnvOf('identity')]: h.config.identityUrl,
      [urlEnvOf('catalog')]: h.config.catalogUrl,
      [urlEnvOf('schemas')]: h.config.schemasUrl,
      AIC_SERVICE_SECRET: h.config.serviceSecret,
      AIC_SYNTHETIC_WORKERS: '1',
      LOG_LEVEL: 'info',
      REDIS_URL: '',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'src', 'worker.ts')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`worker exited: ${out}`);
        return out.includes('worker consuming jobs');
      },
      'the child worker to consume jobs',
      { timeoutMs: 60_000 },
    );
    return { child, exited };
  }

  const create = async (rows: number, seed: number): Promise<string> => {
    const res = await h.gql(
      'mutation($s: ID!, $r: Int!, $seed: Int) { createSyntheticDataJob(input: { sourceDatasetId: $s, rows: $r, seed: $seed }) { id } }',
      { s: sourceId, r: rows, seed },
      token,
    );
    expect(res.errors).toBeUndefined();
    return res.data.createSyntheticDataJob.id as string;
  };

  const row = (id: string) => h.built.orm.em.fork().findOneOrFail(SyntheticDataJob, { id });
  const outputsOf = (id: string) => h.catalogBuilt.orm.em.fork().count(Dataset, { creationKey: outputKeyOf(id) });
  const reportsOf = (id: string) => h.built.orm.em.fork().count(SyntheticReport, { jobId: id });
  /** The claim ends just after the handler's last fenced write of the row. */
  const claimEnded = (id: string) =>
    waitFor(async () => {
      const claim = await h.built.jobs.status(id);
      return claim && !['queued', 'claimed'].includes(claim.state) && claim;
    }, 'the claim to end');

  it('runs every job exactly once with two consuming instances: one output dataset and one report each', async () => {
    await consumer();
    await consumer();
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map((seed) => create(200, seed)));
    for (const id of ids) {
      expect(await waitForJob(h, id, token)).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
      expect(await outputsOf(id)).toBe(1);
      expect(await reportsOf(id)).toBe(1);
      expect(await claimEnded(id)).toMatchObject({ state: 'done', attempts: 1 });
    }
  });

  it('takes a job over after SIGKILL of the process registering its output and writes the output once', async () => {
    const { child } = await childWorker();
    const id = await create(60_000, 7);
    // Killed after the catalog has the output dataset (its content still being stored and profiled),
    // before the child heard back: the next attempt must find that dataset, not make a second one.
    await waitFor(async () => (await outputsOf(id)) === 1, 'the child to create the output dataset', {
      timeoutMs: 60_000,
      intervalMs: 5,
    });
    child.kill('SIGKILL');
    expect((await h.built.jobs.status(id))?.state).toBe('claimed');
    await consumer();
    const job = await waitForJob(h, id, token);
    expect(job).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(await claimEnded(id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(await outputsOf(id)).toBe(1);
    expect(job.output.id).toBeTruthy();
    expect(await h.catalogBuilt.orm.em.fork().count(DatasetVersion, { datasetId: job.output.id })).toBe(1);
    expect(await reportsOf(id)).toBe(1);
  });

  it('hands a running job back on SIGTERM (never CANCELLED) and another instance finishes it', async () => {
    const { child, exited } = await childWorker();
    const id = await create(60_000, 8);
    await waitFor(async () => (await row(id)).progress > 0, 'the child to make progress', { timeoutMs: 60_000 });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const handedBack = await row(id);
    expect(handedBack.status).toBe('QUEUED');
    expect(handedBack.outputDatasetId).toBeNull();
    expect(await h.built.jobs.status(id)).toMatchObject({ state: 'queued', attempts: 1, cancelRequested: false });
    await consumer();
    expect(await waitForJob(h, id, token)).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(await outputsOf(id)).toBe(1);
  });

  it('stops a job running on one instance within 2 s of a cancel through another, with no output', async () => {
    const runner = await consumer();
    const id = await create(400_000, 9);
    await waitFor(async () => runner.jobs.running.includes(id) && (await row(id)).progress > 0, 'the job to run');
    const started = Date.now();
    // The harness's instance (no handlers, its own queue and pub/sub) asks for the cancel.
    const res = await h.gql('mutation($id: ID!) { cancelSyntheticDataJob(id: $id) { status } }', { id }, token);
    expect(res.errors).toBeUndefined();
    await waitFor(() => !runner.jobs.running.includes(id), 'the worker to stop', { timeoutMs: 2_000, intervalMs: 10 });
    expect(Date.now() - started).toBeLessThan(2_000);
    // The claim ends cancelled (the worker heard the queue's cancel) or done (it saw the row's cancel first).
    expect(['cancelled', 'done']).toContain((await claimEnded(id)).state);
    const job = await row(id);
    expect(job.status).toBe('CANCELLED');
    expect(job.outputDatasetId).toBeNull();
    expect(await outputsOf(id)).toBe(0);
    expect(await reportsOf(id)).toBe(0);
    const again = await h.gql('mutation($id: ID!) { cancelSyntheticDataJob(id: $id) { id } }', { id }, token);
    expect(again.errors?.[0].extensions.code).toBe('JOB_FINISHED');
  });
});
