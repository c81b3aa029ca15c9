// Issue #17 on the whole platform: two replica sets of every service (seven subgraphs and a gateway
// each, 16 OS processes, started as `npm start` starts one) on one PostgreSQL database per service and
// one Redis, with a 2 s job lease. Jobs started through gateway A, followed and cancelled through
// gateway B; the process of replica A that runs a job is killed (SIGKILL) or stopped (SIGTERM) and the
// job must finish exactly once on replica B.
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName, SubgraphName } from '../lib/contracts/services';
import { SUBGRAPH_NAMES } from '../lib/contracts/services';
import { gql } from '../lib/src/testing/harness';
import { skipWithoutRedis } from '../lib/src/testing/redis';
import { waitFor } from '../lib/src/testing/wait-for';
import { SDMETRICS_FIXTURES } from './fixtures';
import type { Replica, ReplicaPlatform } from './support/replicas';
import { replicaPlatform, signIn } from './support/replicas';

const LEASE_MS = 2000;
const FEATURES = ['second_perc', 'high_perc', 'degree_perc', 'employability_perc', 'mba_perc'];
// SDMetrics' student placements (215 rows); the batch and long training jobs read it 20 times over.
const placements = fs
  .readFileSync(path.join(SDMETRICS_FIXTURES, 'student_placements_real.csv'), 'utf8')
  .trim()
  .split('\n');
const COPIES = 20;
const BIG_ROWS = (placements.length - 1) * COPIES;
const bigCsv = [placements[0], ...Array.from({ length: COPIES }, () => placements.slice(1)).flat()].join('\n') + '\n';
/** An MLP on the big table with batch size 1: about a second per epoch on a busy 2-core machine. */
const LONG_TRAINING = { hiddenLayers: [32, 32], batchSize: 1, seed: 5 };
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'PARTIAL'];
let platform: ReplicaPlatform;
let A: Replica;
let B: Replica;
let token = '';
const datasets = { small: '', big: '' };
let endpointName = '';

beforeAll(async () => {
  platform = await replicaPlatform(2, { AIC_JOB_LEASE_MS: String(LEASE_MS) });
  [A, B] = platform.replicas as [Replica, Replica];
  // About a minute on an idle 2-core machine (16 Node processes compile and boot); more beside other suites.
  await platform.start();
}, 240_000);

afterAll(async () => {
  // AIC_TEST_REPLICA_LOGS=1 prints the end of every process's output (to see why a job did not move).
  if (process.env.AIC_TEST_REPLICA_LOGS && platform) console.log(platform.logs());
  await platform?.stop();
}, 60_000);

/** An operation through a replica's gateway; GraphQL errors throw. */
async function call<T = any>(replica: Replica, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql(replica.graphqlUrl, query, variables, token);
  if (res.errors || !res.data) throw new Error(`${replica.label}: ${JSON.stringify(res.errors ?? res.body)}`);
  return res.data as T;
}

/** Creates a CSV dataset through a gateway and waits until the catalog has profiled it. */
async function uploadDataset(replica: Replica, name: string, csv: string): Promise<string> {
  const { createDataset } = await call(
    replica,
    'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
    {
      i: { name, format: 'CSV' },
    },
  );
  const { createDatasetUpload: ticket } = await call(
    replica,
    'mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { id url token } }',
    { i: { purpose: 'DATASET_CONTENT', filename: `${name}.csv`, contentType: 'text/csv' } },
  );
  const put = await fetch(ticket.url, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ticket.token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  expect(put.status, await put.text()).toBe(201);
  await call(replica, 'mutation($d: ID!, $u: ID!) { addDatasetVersion(datasetId: $d, uploadId: $u) { version } }', {
    d: createDataset.id,
    u: ticket.id,
  });
  await waitFor(
    async () => {
      const { dataset } = await call(replica, 'query($id: ID!) { dataset(id: $id) { versions { status error } } }', {
        id: createDataset.id,
      });
      if (dataset.versions[0]?.status === 'FAILED') throw new Error(`profiling failed: ${dataset.versions[0].error}`);
      return dataset.versions[0]?.status === 'READY';
    },
    `dataset ${name} to be profiled`,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  return createDataset.id as string;
}

const startTraining = async (replica: Replica, modelName: string, datasetId: string, hyperparameters: object) =>
  (
    await call(replica, 'mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }', {
      i: {
        modelName,
        datasetId,
        featureColumns: FEATURES,
        targetColumn: 'placed',
        algorithm: 'MLP_CLASSIFIER',
        hyperparameters,
      },
    })
  ).startTrainingJob.id as string;

const trainingJob = async (replica: Replica, id: string) =>
  (
    await call(
      replica,
      'query($id: ID!) { trainingJob(id: $id) { state epoch epochs error attempts modelVersion { id version } } }',
      { id },
    )
  ).trainingJob;

/** Polls a job through a gateway until it reaches a final state. */
function finished<T extends { state?: string; status?: string }>(
  read: () => Promise<T>,
  what: string,
  timeoutMs = 90_000,
): Promise<T> {
  return waitFor(
    async () => {
      const job = await read();
      return TERMINAL.includes(job.state ?? job.status ?? '') && job;
    },
    what,
    { timeoutMs, intervalMs: 100 },
  );
}

/** A graphql-ws subscription through a gateway, collecting its events until it completes. */
function subscribe(replica: Replica, query: string, variables: Record<string, unknown>) {
  const client = createClient({
    url: replica.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const events: any[] = [];
  const errors: unknown[] = [];
  const done = (async () => {
    try {
      for await (const e of client.iterate({ query, variables })) {
        if (e.errors) errors.push(e.errors);
        else events.push(Object.values(e.data!)[0]);
      }
    } catch (err) {
      errors.push(err);
    }
  })();
  return { events, errors, done, dispose: () => client.dispose() };
}

interface ClaimRow {
  state: string;
  owner: string | null;
  attempts: number;
}

/** The job's row in the service's claim table (lib/src/jobs), or undefined. */
async function claimOf(service: SubgraphName, jobId: string): Promise<ClaimRow | undefined> {
  const rows = await platform.sql<ClaimRow>(service, 'SELECT state, owner, attempts FROM job_claim WHERE job_id = ?', [
    jobId,
  ]);
  return rows[0] && { ...rows[0], attempts: Number(rows[0].attempts) };
}

/** The training job's state and epochs done, straight from the models database. */
async function trainingRow(jobId: string): Promise<{ state: string; epoch: number } | undefined> {
  const rows = await platform.sql<{ state: string; epoch: number }>(
    'models',
    'SELECT state, epoch FROM training_jobs WHERE id = ?',
    [jobId],
  );
  return rows[0] && { state: rows[0].state, epoch: Number(rows[0].epoch) };
}

/** The job's claim once its worker has recorded the end (just after the handler wrote the job row). */
const finishedClaim = (service: SubgraphName, jobId: string) =>
  waitFor(
    async () => {
      const claim = await claimOf(service, jobId);
      return claim && ['done', 'failed', 'cancelled'].includes(claim.state) && claim;
    },
    `the ${service} claim of ${jobId} to be finished`,
    { timeoutMs: 10_000, intervalMs: 50 },
  );

/** The replica whose process of `service` holds the job's claim now (owner is `host:pid:random`). */
async function runnerOf(service: SubgraphName, jobId: string, freeze = false): Promise<Replica> {
  return waitFor(
    async () => {
      const claim = await claimOf(service, jobId);
      if (claim && claim.state !== 'claimed' && claim.state !== 'queued')
        throw new Error(`the ${service} job ended (${claim.state}) before it was seen running`);
      if (claim?.state !== 'claimed' || !claim.owner) return undefined;
      const runner = platform.replicaOfPid(service, Number(claim.owner.split(':').at(-2)));
      // A short job is frozen in its claim at once (SIGSTOP), so it is still running when it is killed.
      if (freeze) runner?.processes[service]!.proc.kill('SIGSTOP');
      return runner;
    },
    `a ${service} process to claim job ${jobId} (is ${service} on lib/src/jobs?)`,
    { timeoutMs: 20_000, intervalMs: 50 },
  );
}

/**
 * Lets a frozen process run in short slices (SIGCONT, a few milliseconds, SIGSTOP) until `reached` holds:
 * it stops close after that point however fast or slow the machine is, never far past it.
 */
async function stepUntil(
  proc: { kill(signal: NodeJS.Signals): boolean },
  reached: () => Promise<boolean>,
  what: string,
): Promise<void> {
  const until = Date.now() + 150_000;
  while (!(await reached())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    proc.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 25));
    proc.kill('SIGSTOP');
  }
}

/** Two epochs done, in the training job's own row. */
const TWO_EPOCHS = {
  what: 'two epochs of training on A',
  reached: async (id: string) => ((await trainingRow(id))?.epoch ?? 0) >= 2,
};

/** How startOnA ends a replica-A process that claimed a job: after `until` holds, with `signal`. */
interface EndOnA {
  signal: 'SIGKILL' | 'SIGTERM';
  until?: { what: string; reached: (jobId: string) => Promise<boolean> };
}

/**
 * Starts jobs through gateway A while B's job processes are stopped, so replica A claims them. The
 * processes named in `end` are frozen (SIGSTOP) as soon as they claim their job (a short job must not
 * finish first), run on in slices until `until` holds if given, and are ended with their signal (a
 * SIGTERM is handled as the process goes on) before B goes on, their claims read just before: B cannot
 * take a frozen job over in between, so each claim read is the one A's process held at its end.
 */
async function startOnA(
  services: ServiceName[],
  start: () => Promise<[SubgraphName, string][]>,
  end: Partial<Record<SubgraphName, EndOnA>> = {},
): Promise<{ ids: string[]; claimsAtEnd: Partial<Record<SubgraphName, ClaimRow>> }> {
  return platform.paused(B, services, async () => {
    const jobs = await start();
    // All at once: a short job must be seen claimed while it runs, not after the others were checked.
    const runners = await Promise.all(jobs.map(([service, id]) => runnerOf(service, id, !!end[service])));
    runners.forEach((r, i) => expect(r.label, `${jobs[i]![0]} job runner`).toBe('A'));
    const claimsAtEnd: Partial<Record<SubgraphName, ClaimRow>> = {};
    for (const [service, id] of jobs) {
      const how = end[service];
      if (!how) continue;
      const proc = A.processes[service]!.proc;
      if (how.until) await stepUntil(proc, () => how.until!.reached(id), how.until.what);
      claimsAtEnd[service] = await claimOf(service, id);
      const exited = platform.kill(A, service, how.signal);
      if (how.signal === 'SIGTERM') proc.kill('SIGCONT');
      expect(await exited, `${service} on A ended with ${how.signal}`).toBe(how.signal === 'SIGTERM' ? 0 : 'SIGKILL');
    }
    return { ids: jobs.map(([, id]) => id), claimsAtEnd };
  });
}

/** Asserts `read` keeps returning `expected` for `ms` (a takeover or late worker would change it). */
async function staysFor(read: () => Promise<unknown>, expected: unknown, ms: number, what: string): Promise<void> {
  let changed: unknown;
  await expect(
    waitFor(
      async () => {
        const now = await read();
        if (JSON.stringify(now) !== JSON.stringify(expected)) changed = now;
        return changed !== undefined;
      },
      what,
      { timeoutMs: ms, intervalMs: 100 },
    ),
  ).rejects.toThrow(/timed out/);
  expect(changed, what).toBeUndefined();
}

const modelVersionsOf = async (replica: Replica, name: string) =>
  (await call(replica, 'query($n: String!) { modelByName(name: $n) { versions { id version } } }', { n: name }))
    .modelByName?.versions ?? [];

const datasetsNamed = async (replica: Replica, name: string) =>
  (
    await call(replica, 'query($q: String!) { datasets(query: $q, first: 100) { edges { node { id name } } } }', {
      q: name,
    })
  ).datasets.edges
    .map((e: any) => e.node)
    .filter((d: any) => d.name === name);

let prepared: Promise<void> | undefined;
/**
 * Test data for the job cases, made once through gateway A: the placements table, a larger copy, and
 * an endpoint over a small model trained on it.
 */
function prepare(): Promise<void> {
  prepared ??= (async () => {
    token ||= await signIn(A.graphqlUrl, platform.owner);
    datasets.small = await uploadDataset(A, 'placements', placements.join('\n') + '\n');
    datasets.big = await uploadDataset(A, 'placements-x20', bigCsv);
    const base = await startTraining(A, 'placement-base', datasets.small, { epochs: 3, seed: 1 });
    const trained = await finished(() => trainingJob(A, base), 'the base model to be trained');
    expect(trained).toMatchObject({ state: 'SUCCEEDED', error: null });
    const { createEndpoint } = await call(
      A,
      'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
      {
        i: { name: 'placement-scorer', routes: [{ modelVersion: trained.modelVersion.id, weight: 100 }] },
      },
    );
    await waitFor(
      async () =>
        (await call(A, 'query($id: String!) { endpoint(id: $id) { status } }', { id: createEndpoint.id })).endpoint
          .status === 'READY',
      'the endpoint to be ready on A',
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    endpointName = 'placement-scorer';
  })();
  return prepared;
}

describe.skipIf(skipWithoutRedis('the two-replica platform tests are'))(
  'two replica sets of the platform on one PostgreSQL and one Redis (#17)',
  () => {
    it('boot at the same moment on empty databases: all 16 processes become ready (migrations under a lock), tokens from A work on B', async () => {
      for (const r of platform.replicas)
        for (const name of [...SUBGRAPH_NAMES, 'gateway'] as const)
          expect((await fetch(`${r.urls[name]}/health/ready`)).status, `${r.label}/${name}`).toBe(200);
      // One owner (first run made once), one signing identity: a token from A is accepted on B.
      token ||= await signIn(A.graphqlUrl, platform.owner);
      const me = await gql(B.graphqlUrl, '{ me { email } organizations { slug } }', {}, token);
      expect(me.errors).toBeUndefined();
      expect(me.data).toEqual({ me: { email: platform.owner.email }, organizations: [{ slug: 'default' }] });
      // The migrations ran once per database (under the lock): every service's tables exist on the one database.
      for (const service of SUBGRAPH_NAMES) {
        const [row] = await platform.sql<{ n: number }>(
          service,
          "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
        );
        expect(Number(row!.n), `${service} tables`).toBeGreaterThan(0);
      }
    }, 30_000);

    it('boot at the same moment: no process fails on the way (first run made by exactly one replica)', () => {
      expect(
        platform.bootFailures.map(
          (f) =>
            `${f.replica}/${f.name}: ${f.output.split('\n').find((l) => /failed to start/.test(l)) ?? f.output.slice(-500)}`,
        ),
        'processes that failed to boot',
      ).toEqual([]);
    });

    it('SIGKILL of the replica-A processes running a training, a synthetic and a batch job: each finishes exactly once on B', async () => {
      await prepare();
      const EPOCHS = 10;
      // Synthetic jobs restart whole on takeover; A's processes are frozen as soon as they hold their claims.
      const SYNTHETIC_ROWS = 40_000;
      const started = await startOnA(
        ['models', 'synthetic', 'inference'],
        async () => {
          const t = await startTraining(A, 'placement-killed', datasets.big, { ...LONG_TRAINING, epochs: EPOCHS });
          const b = (
            await call(A, 'mutation($i: StartBatchInferenceInput!) { startBatchInference(input: $i) { id } }', {
              i: {
                endpoint: endpointName,
                dataset: datasets.big,
                mapping: [{ input: 'features', columns: FEATURES }],
                passthroughColumns: ['student_id'],
                outputDatasetName: 'placement-scores-killed',
                chunkSize: 1,
              },
            })
          ).startBatchInference.id;
          // The synthetic job last: it is the shortest.
          const s = (
            await call(A, 'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }', {
              i: {
                sourceDatasetId: datasets.small,
                rows: SYNTHETIC_ROWS,
                seed: 11,
                outputName: 'placements-synthetic-killed',
              },
            })
          ).createSyntheticDataJob.id;
          return [
            ['models', t],
            ['synthetic', s],
            ['inference', b],
          ];
        },
        {
          // Training is killed after two epochs (A's own row, straight from the database), so B resumes it.
          models: { signal: 'SIGKILL', until: TWO_EPOCHS },
          synthetic: { signal: 'SIGKILL' },
          inference: { signal: 'SIGKILL' },
        },
      );
      const [trainingId, syntheticId, batchId] = started.ids as [string, string, string];
      const progress = subscribe(
        B,
        'subscription($id: ID!) { trainingJobProgress(id: $id) { state epoch epochs modelVersionId } }',
        { id: trainingId },
      );
      try {
        // Each process is killed once its job is under way (and not finished).
        const killedAt: Record<string, unknown> = {};
        const claimsAtKill = started.claimsAtEnd;
        await Promise.all([
          (async () => {
            // Killed by startOnA after two epochs: the row as A's process left it.
            killedAt.training = await trainingRow(trainingId);
          })(),
          (async () => {
            // Frozen in its claim and killed by startOnA: not finished, whatever state its row shows.
            const { syntheticDataJob: j } = await call(
              B,
              'query($id: ID!) { syntheticDataJob(id: $id) { status stage progress } }',
              { id: syntheticId },
            );
            killedAt.synthetic = j;
          })(),
          (async () => {
            // Frozen in its claim and killed by startOnA (a batch this small can finish between two polls under load).
            const { batchInferenceJob: j } = await call(
              B,
              'query($id: ID!) { batchInferenceJob(id: $id) { status rowsDone } }',
              { id: batchId },
            );
            killedAt.batch = j;
          })(),
        ]);
        // Killed mid-run: each claim was still A's first attempt (nothing had recorded an end before the kill).
        for (const service of ['models', 'synthetic', 'inference'] as const)
          expect(claimsAtKill[service], `${service} job when A was killed`).toMatchObject({
            state: 'claimed',
            attempts: 1,
          });
        for (const [what, at] of Object.entries(killedAt))
          expect(TERMINAL, `${what} had not finished when A was killed`).not.toContain(
            (at as any).state ?? (at as any).status,
          );

        // Training: resumed on B, one model version; the subscriber on B saw epochs after the kill and the end.
        const training = await finished(() => trainingJob(B, trainingId), 'the training job to finish on B');
        expect(training).toMatchObject({ state: 'SUCCEEDED', epoch: EPOCHS, error: null });
        const versions = await modelVersionsOf(B, 'placement-killed');
        expect(versions).toEqual([{ id: training.modelVersion.id, version: 1 }]);
        await waitFor(
          () => progress.events.some((e) => TERMINAL.includes(e.state)),
          'the subscriber on B to see the end',
        );
        const last = progress.events.at(-1);
        expect(last).toMatchObject({ state: 'SUCCEEDED', modelVersionId: training.modelVersion.id });
        const killedEpoch = (killedAt.training as { epoch: number }).epoch;
        expect(killedEpoch, 'epochs done on A when it was killed').toBeLessThan(EPOCHS);
        expect(progress.events.filter((e) => e.epoch > killedEpoch).map((e) => e.epoch)).toContain(EPOCHS);
        expect(progress.errors).toEqual([]);

        // Synthetic: restarted whole on B, one output dataset.
        const synthetic = await finished(
          async () =>
            (
              await call(
                B,
                'query($id: ID!) { syntheticDataJob(id: $id) { status error output { id latestContent { rowCount } } } }',
                { id: syntheticId },
              )
            ).syntheticDataJob,
          'the synthetic job to finish on B',
        );
        expect(synthetic).toMatchObject({ status: 'SUCCEEDED', error: null });
        expect(synthetic.output.latestContent.rowCount).toBe(SYNTHETIC_ROWS);
        expect((await datasetsNamed(B, 'placements-synthetic-killed')).map((d: any) => d.id)).toEqual([
          synthetic.output.id,
        ]);

        // Batch: resumed on B, every row written once into one output dataset.
        const batch = await finished(
          async () =>
            (
              await call(
                B,
                'query($id: ID!) { batchInferenceJob(id: $id) { status rowsDone rowsTotal rowsFailed error outputDataset { id versions { version rowCount } } } }',
                { id: batchId },
              )
            ).batchInferenceJob,
          'the batch job to finish on B',
        );
        expect(batch).toMatchObject({
          status: 'SUCCEEDED',
          rowsDone: BIG_ROWS,
          rowsTotal: BIG_ROWS,
          rowsFailed: 0,
          error: null,
        });
        expect(batch.outputDataset.versions).toEqual([{ version: 1, rowCount: BIG_ROWS }]);
        expect((await datasetsNamed(B, 'placement-scores-killed')).map((d: any) => d.id)).toEqual([
          batch.outputDataset.id,
        ]);

        // Each claim was taken over (attempt 2 or later, A being dead) and finished once.
        for (const [service, id] of [
          ['models', trainingId],
          ['synthetic', syntheticId],
          ['inference', batchId],
        ] as const) {
          const claim = await finishedClaim(service, id);
          expect(claim.state, `${service} claim`).toBe('done');
          expect(claim.attempts, `${service} attempts`).toBeGreaterThanOrEqual(2);
        }
      } finally {
        await progress.dispose();
        // A's models serves the next cases again.
        await platform.restart(A, 'models');
      }
    }, 180_000);

    it('cancel through gateway B stops a job running on A: CANCELLED, and never SUCCEEDED later', async () => {
      await prepare();
      const {
        ids: [jobId],
      } = await startOnA(['models'], async () => [
        ['models', await startTraining(A, 'placement-cancelled', datasets.big, { ...LONG_TRAINING, epochs: 30 })],
      ]);
      await waitFor(async () => (await trainingJob(B, jobId!)).epoch >= 1, 'an epoch of the job on A', {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      const asked = Date.now();
      const { cancelTrainingJob } = await call(B, 'mutation($id: ID!) { cancelTrainingJob(id: $id) { id state } }', {
        id: jobId,
      });
      expect(['RUNNING', 'CANCELLED']).toContain(cancelTrainingJob.state);
      // The worker on A stops within 2 s (the claim ends cancelled; the row says CANCELLED).
      await waitFor(
        async () => (await claimOf('models', jobId!))?.state === 'cancelled',
        'the claim to end cancelled',
        {
          timeoutMs: 4000,
          intervalMs: 50,
        },
      );
      const cancelled = await waitFor(
        async () => {
          const j = await trainingJob(B, jobId!);
          return j.state === 'CANCELLED' && j;
        },
        'the job to be CANCELLED',
        { timeoutMs: 4000, intervalMs: 50 },
      );
      expect(Date.now() - asked).toBeLessThan(4000);
      expect(cancelled.modelVersion).toBeNull();
      // No worker picks it up again: over two leases and more, it stays as it is (state, epoch, no version).
      const snapshot = { state: 'CANCELLED', epoch: cancelled.epoch, modelVersion: null };
      await staysFor(
        async () => {
          const j = await trainingJob(A, jobId!);
          return { state: j.state, epoch: j.epoch, modelVersion: j.modelVersion };
        },
        snapshot,
        3 * LEASE_MS,
        'the cancelled job to change',
      );
      expect(await modelVersionsOf(B, 'placement-cancelled')).toEqual([]);
    }, 90_000);

    it('SIGTERM of the process running a job hands it back: not CANCELLED, it finishes on the other replica', async () => {
      await prepare();
      const EPOCHS = 8;
      // Asked to stop after two epochs (A's own row), while B cannot take the job yet: the claim A hands back
      // is its first attempt, still running.
      const {
        ids: [jobId],
        claimsAtEnd,
      } = await startOnA(
        ['models'],
        async () => [
          [
            'models',
            await startTraining(A, 'placement-handed-back', datasets.big, { ...LONG_TRAINING, epochs: EPOCHS }),
          ],
        ],
        { models: { signal: 'SIGTERM', until: TWO_EPOCHS } },
      );
      expect(claimsAtEnd.models, 'the job on A when it was asked to stop').toMatchObject({
        state: 'claimed',
        attempts: 1,
      });
      const handedBack = await trainingRow(jobId!);
      expect(handedBack!.epoch, 'epochs done on A').toBeLessThan(EPOCHS);
      expect(handedBack!.state, 'the job after the hand-back').not.toBe('CANCELLED');
      const progress = subscribe(
        B,
        'subscription($id: ID!) { trainingJobProgress(id: $id) { state epoch epochs modelVersionId } }',
        { id: jobId },
      );
      try {
        const done = await finished(() => trainingJob(B, jobId!), 'the handed-back job to finish on B');
        expect(done).toMatchObject({ state: 'SUCCEEDED', epoch: EPOCHS, error: null });
        expect(await modelVersionsOf(B, 'placement-handed-back')).toEqual([{ id: done.modelVersion.id, version: 1 }]);
        await waitFor(
          () => progress.events.some((e) => TERMINAL.includes(e.state)),
          'the subscriber on B to see the end',
        );
        expect(progress.events.map((e) => e.state)).not.toContain('CANCELLED');
        expect(progress.events.at(-1)).toMatchObject({ state: 'SUCCEEDED', modelVersionId: done.modelVersion.id });
        const claim = await finishedClaim('models', jobId!);
        expect(claim.state).toBe('done');
        expect(claim!.attempts).toBeGreaterThanOrEqual(2);
      } finally {
        await progress.dispose();
      }
    }, 90_000);
  },
);
