import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { gql } from '../../../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../../../lib/src/testing/postgres';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { waitFor } from '../../../../lib/src/testing/wait-for';
import type { Config } from '../../src/config';
import { ModelVersion } from '../../src/model-version/model-version.entity';
import { TrainingEpoch } from '../../src/training/training-job.entity';
import { IRIS_FEATURES, irisRecords } from '../reference/datasets';
import { PG_REACHABLE } from '../support/postgres-reachable';
import { startCatalogContractServer, toCsv } from './catalog-contract.server';
import type { ModelsUnderTest } from './models-harness';
import { modelsTestConfig, startModels } from './models-harness';

// Training jobs on the job queue (lib/src/jobs), several models processes on one PostgreSQL database:
// each job runs once; a process killed with SIGKILL has its job taken over, resumed from the last
// epoch's checkpoint; SIGTERM hands the job back (never cancels it); a cancel through any replica
// stops the job where it runs within 2 s. A short lease (4 s; long enough for a loaded machine's
// event-loop stalls) keeps takeovers quick.
const ORG = 'org-jobs';
const LEASE_MS = 4000;
const WORKER = path.resolve(__dirname, '../../src/worker.ts');

let issuer: TestIssuer;
let catalog: Awaited<ReturnType<typeof startCatalogContractServer>>;
let db: ReturnType<typeof testPostgresDatabase>;
let dataDir: string;
let token: string;
let datasetId: string;
const running: ModelsUnderTest[] = [];
const children: ChildProcess[] = [];

function config(): Config {
  return {
    ...modelsTestConfig(issuer, { dataDir, catalogUrl: catalog.url, databaseUrl: db.url }),
    jobLeaseMs: LEASE_MS,
  };
}

/** A models replica in this process; `consume: false` serves the API only (enqueues and cancels). */
async function replica(consume: boolean): Promise<ModelsUnderTest> {
  const m = await startModels(config(), { consume });
  running.push(m);
  return m;
}

/** `src/worker.ts` as its own process on the same database. */
function workerProcess(extraEnv: Record<string, string> = {}): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: {
      ...process.env,
      ...extraEnv,
      AIC_DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      REDIS_URL: '',
      AIC_CATALOG_URL: catalog.url,
      AIC_IDENTITY_URL: issuer.url,
      AIC_JWKS_URL: issuer.jwksUrl,
      AIC_JWT_ISSUER: issuer.issuer,
      AIC_JWT_AUDIENCE: issuer.audience,
      AIC_SERVICE_SECRET: issuer.serviceSecret,
      AIC_JOB_LEASE_MS: String(LEASE_MS),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function startJob(m: ModelsUnderTest, modelName: string, epochs: number): Promise<string> {
  const res = await gql(
    m.service.graphqlUrl,
    'mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }',
    {
      i: {
        modelName,
        datasetId,
        featureColumns: IRIS_FEATURES,
        targetColumn: 'species',
        algorithm: 'MLP_CLASSIFIER',
        hyperparameters: { hiddenLayers: [16], optimizer: 'ADAM', learningRate: 0.01, epochs, batchSize: 8, seed: 5 },
        validationFraction: 0.3,
      },
    },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data.startTrainingJob.id;
}

const JOB_FIELDS = 'state attempts epoch validationLoss metrics error history { epoch } modelVersion { id version }';

async function jobOf(m: ModelsUnderTest, id: string) {
  const res = await gql(
    m.service.graphqlUrl,
    `query($id: ID!) { trainingJob(id: $id) { ${JOB_FIELDS} } }`,
    { id },
    token,
  );
  return res.data.trainingJob;
}

const finished = (m: ModelsUnderTest, id: string, timeoutMs = 60_000) =>
  waitFor(
    async () => {
      const job = await jobOf(m, id);
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state) && job;
    },
    `training job ${id} to finish`,
    { timeoutMs, intervalMs: 100 },
  );

const versionsOf = (m: ModelsUnderTest, jobId: string) =>
  m.built.orm.em.fork().find(ModelVersion, { trainingJobId: jobId });
const checkpointEpoch = async (m: ModelsUnderTest, id: string) =>
  ((await m.built.jobs.status(id))?.checkpoint as { epoch?: number } | undefined)?.epoch ?? 0;

beforeAll(async () => {
  if (!PG_REACHABLE) return;
  issuer = await startTestIssuer();
  catalog = await startCatalogContractServer(issuer);
  db = testPostgresDatabase('models_jobs');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-models-jobs-'));
  token = await issuer.issue({ sub: 'user-jobs', org: ORG, perms: ['models:read', 'models:train', 'catalog:read'] });
  datasetId = catalog.addDataset(ORG, 'iris', toCsv(irisRecords()));
});

// Every test starts from no replica: a consumer left over from a failed test would take the next test's jobs.
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const m of running.splice(0)) await m.service.stop().catch(() => undefined);
});

afterAll(async () => {
  await db?.drop().catch(() => undefined);
  await catalog?.close();
  await issuer?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!PG_REACHABLE)('models jobs on one PostgreSQL database', () => {
  test('two consuming replicas run every job exactly once: one attempt, one epoch row each, one model version', async () => {
    const a = await replica(true);
    const b = await replica(true);
    const ids = await Promise.all([
      startJob(a, 'once-a1', 15),
      startJob(b, 'once-b1', 15),
      startJob(a, 'once-a2', 15),
      startJob(b, 'once-b2', 15),
    ]);
    for (const id of ids) {
      const job = await finished(a, id);
      expect(job).toMatchObject({ state: 'SUCCEEDED', attempts: 1, epoch: 15, modelVersion: { version: 1 } });
      expect(job.history.map((h: { epoch: number }) => h.epoch)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect(await versionsOf(a, id)).toHaveLength(1);
      // The row's attempts count handler starts that got as far as writing RUNNING: one. (The claim's own
      // attempts may be higher only if a stalled event loop let a lease lapse before that write.)
      expect(await a.built.jobs.status(id)).toMatchObject({ state: 'done' });
    }
  });

  test('SIGKILL of the process running a job: another replica takes it over, resumes from the last epoch checkpoint and finishes once with one model version', async () => {
    const api = await replica(false);
    const worker = workerProcess();
    const id = await startJob(api, 'takeover', 60);
    // The worker process holds the claim and has saved some epoch checkpoints.
    await waitFor(async () => (await checkpointEpoch(api, id)) >= 5, 'the worker process to checkpoint epoch 5', {
      timeoutMs: 60_000,
    });
    const claim = await api.built.jobs.status(id);
    expect(claim?.owner).toContain(`:${worker.child.pid}:`);
    worker.child.kill('SIGKILL');
    await worker.exited;
    const resumeEpoch = await checkpointEpoch(api, id);
    expect(resumeEpoch).toBeGreaterThanOrEqual(5);
    expect(resumeEpoch).toBeLessThan(60);
    const before = await api.built.orm.em.fork().find(TrainingEpoch, { jobId: id, epoch: { $lte: resumeEpoch } });
    expect(before).toHaveLength(resumeEpoch);

    const successor = await replica(true);
    const job = await finished(successor, id);
    expect(job).toMatchObject({ state: 'SUCCEEDED', attempts: 2, epoch: 60, modelVersion: { version: 1 } });
    expect(job.history.map((h: { epoch: number }) => h.epoch)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await versionsOf(successor, id)).toHaveLength(1);
    expect(await successor.built.jobs.status(id)).toMatchObject({ state: 'done', attempts: 2 });
    // Resumed, not restarted: the epochs up to the checkpoint are the rows the killed process wrote.
    const after = await successor.built.orm.em.fork().find(TrainingEpoch, { jobId: id, epoch: { $lte: resumeEpoch } });
    expect(after.map((e) => e.id).sort()).toEqual(before.map((e) => e.id).sort());
    // And continued from the saved parameters and optimizer state: the same model as an uninterrupted run.
    const reference = await finished(successor, await startJob(successor, 'takeover-reference', 60));
    expect(reference.state).toBe('SUCCEEDED');
    expect(job.validationLoss).toBe(reference.validationLoss);
    expect(job.metrics).toEqual(reference.metrics);
  });

  test('SIGTERM hands the running job back (not CANCELLED) and another replica finishes it from the checkpoint', async () => {
    const api = await replica(false);
    // With AIC_WORKER_PORT the worker serves its probes and metrics (port 0: a free one, in its log line).
    const worker = workerProcess({ AIC_WORKER_PORT: '0', HOST: '127.0.0.1' });
    const healthUrl = await waitFor(
      () => /"health":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(worker.output())?.[1],
      'the worker to log its health URL',
      { timeoutMs: 60_000 },
    );
    await waitFor(async () => (await fetch(`${healthUrl}/health/ready`)).status === 200, 'the worker to be ready');
    expect(await (await fetch(`${healthUrl}/health/live`)).json()).toEqual({ status: 'ok', service: 'models-worker' });
    const id = await startJob(api, 'handback', 60);
    await waitFor(async () => (await checkpointEpoch(api, id)) >= 3, 'the worker process to checkpoint epoch 3', {
      timeoutMs: 60_000,
    });
    // Its metrics: the service's registry (process and job metrics).
    const metrics = await (await fetch(`${healthUrl}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total');
    worker.child.kill('SIGTERM');
    expect(await worker.exited, worker.output()).toBe(0);
    await expect(fetch(`${healthUrl}/health/live`)).rejects.toThrow();
    const claim = await api.built.jobs.status(id);
    expect(claim).toMatchObject({ state: 'queued', owner: null, cancelRequested: false, attempts: 1 });
    const handedBackAt = (claim?.checkpoint as { epoch: number }).epoch;
    expect(handedBackAt).toBeGreaterThanOrEqual(3);
    const between = await jobOf(api, id);
    expect(between.state).toBe('RUNNING');
    expect(between.epoch).toBe(handedBackAt);

    const successor = await replica(true);
    const job = await finished(successor, id);
    expect(job).toMatchObject({ state: 'SUCCEEDED', attempts: 2, epoch: 60, modelVersion: { version: 1 } });
    expect(job.history.map((h: { epoch: number }) => h.epoch)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await versionsOf(successor, id)).toHaveLength(1);
  });

  test('a cancel through one replica stops the job running on another within 2 s', async () => {
    const runner = await replica(true);
    const api = await replica(false);
    const id = await startJob(api, 'cancelled', 5000);
    await waitFor(
      async () => runner.built.jobs.running.includes(id) && (await checkpointEpoch(api, id)) >= 2,
      'the consuming replica to run the job',
      { timeoutMs: 60_000 },
    );
    const asked = Date.now();
    const res = await gql(
      api.service.graphqlUrl,
      'mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }',
      { id },
      token,
    );
    expect(res.errors).toBeUndefined();
    await waitFor(() => !runner.built.jobs.running.includes(id), 'the job to stop on the replica running it', {
      timeoutMs: 5_000,
      intervalMs: 10,
    });
    expect(Date.now() - asked).toBeLessThan(2_000);
    const job = await finished(api, id, 5_000);
    expect(job.state).toBe('CANCELLED');
    expect(job.epoch).toBeLessThan(5000);
    expect(job.modelVersion).toBeNull();
    expect(await versionsOf(api, id)).toHaveLength(0);
    expect(await api.built.jobs.status(id)).toMatchObject({ state: 'cancelled' });
  });

  test('resume enqueues an unfinished row from before the job queue (no claim) once, and a replica runs it', async () => {
    const api = await replica(false);
    const id = await startJob(api, 'legacy', 10);
    // What a row left by the old in-process runner looks like: RUNNING, and no claim.
    const em = api.built.orm.em.fork();
    await em.getConnection().execute('DELETE FROM job_claim WHERE job_id = ?', [id]);
    await em.getConnection().execute(`UPDATE training_jobs SET state = 'RUNNING' WHERE id = ?`, [id]);
    const consumer = await replica(true);
    expect(await consumer.built.resume()).toEqual({ trainingJobs: 1, studies: 0, pipelineRuns: 0 });
    expect(await consumer.built.resume()).toBeUndefined();
    const job = await finished(consumer, id);
    expect(job).toMatchObject({ state: 'SUCCEEDED', attempts: 1, epoch: 10, modelVersion: { version: 1 } });
    expect(await versionsOf(consumer, id)).toHaveLength(1);
  });
});
