import { afterAll, assert, beforeAll, describe, expect, test } from 'vitest';
import * as ort from 'onnxruntime-node';
import { gql } from '../../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { IRIS_FEATURES, irisRecords } from '../reference/datasets';
import { startCatalogContractServer, toCsv } from './catalog-contract.server';
import type { ModelsUnderTest } from './models-harness';
import { modelsTestConfig, startModels } from './models-harness';
import { collectSubscription } from './subscription-client';

const ORG = 'org-training';
let issuer: TestIssuer;
let catalog: Awaited<ReturnType<typeof startCatalogContractServer>>;
let models: ModelsUnderTest;
let engineer: string;
let irisId: string;

const START =
  'mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id state epochs resources { cpu gpu } } }';
const PROGRESS =
  'subscription($id: ID!) { trainingJobProgress(id: $id) { jobId state epoch epochs trainLoss validationLoss metrics modelVersionId error } }';

const LIST_BY_MODEL = 'query($m: String) { trainingJobs(modelName: $m) { id state } }';

function irisJob(overrides: Record<string, unknown> = {}) {
  return {
    modelName: 'iris-classifier',
    datasetId: irisId,
    featureColumns: IRIS_FEATURES,
    targetColumn: 'species',
    algorithm: 'LOGISTIC_REGRESSION',
    hyperparameters: { epochs: 30, learningRate: 0.05, seed: 1 },
    validationFraction: 0.3,
    resources: { cpu: 2, gpu: 1 },
    ...overrides,
  };
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  catalog = await startCatalogContractServer(issuer);
  models = await startModels(modelsTestConfig(issuer, { catalogUrl: catalog.url }));
  engineer = await issuer.issue({
    sub: 'user-ml',
    org: ORG,
    // The job reads its dataset as this user (a delegated token), which needs catalog:read.
    perms: ['models:read', 'models:write', 'models:train', 'models:promote', 'catalog:read'],
  });
  irisId = catalog.addDataset(ORG, 'iris', toCsv(irisRecords()));
});

afterAll(async () => {
  await models?.service.stop();
  await catalog?.close();
  await issuer?.close();
});

describe('training jobs', () => {
  test('the subscription delivers every epoch in order and a final state; the version matches onnxruntime; lineage is emitted', async () => {
    const started = await gql(models.service.graphqlUrl, START, { i: irisJob() }, engineer);
    expect(started.errors).toBeUndefined();
    const job = started.data.startTrainingJob;
    expect(job).toMatchObject({ epochs: 30, resources: { cpu: 2, gpu: 1 } });
    const events = await collectSubscription(models.service.graphqlUrl, engineer, PROGRESS, { id: job.id });
    const progress = events.map((e) => e.trainingJobProgress);
    expect(progress.filter((e) => e.epoch !== null).map((e) => e.epoch)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const final = progress[progress.length - 1];
    expect(final.state).toBe('SUCCEEDED');
    expect(final.epoch).toBeNull();
    expect(final.modelVersionId).toBeTruthy();

    const version = await gql(
      models.service.graphqlUrl,
      'query($id: ID!) { modelVersion(id: $id) { version source metrics parameters dataset { id } trainingJob { id state attempts history { epoch } } signature { inputs { name elementType shape { size symbol } } outputs { name } } } }',
      { id: final.modelVersionId },
      engineer,
    );
    const v = version.data.modelVersion;
    expect(v.source).toBe('TRAINING_JOB');
    expect(v.dataset).toEqual({ id: irisId });
    expect(v.trainingJob).toMatchObject({ id: job.id, state: 'SUCCEEDED', attempts: 1 });
    expect(v.trainingJob.history).toHaveLength(30);
    expect(v.signature.inputs).toEqual([
      {
        name: 'features',
        elementType: 'FLOAT',
        shape: [
          { size: null, symbol: 'N' },
          { size: 4, symbol: null },
        ],
      },
    ]);
    expect(v.signature.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities', 'label']);
    expect(v.metrics.accuracy).toBeGreaterThan(0.85);
    expect(v.parameters).toMatchObject({
      algorithm: 'LOGISTIC_REGRESSION',
      classes: ['setosa', 'versicolor', 'virginica'],
      validationRows: 45,
    });

    const artifact = await fetch(`${models.service.url}/internal/model-versions/${final.modelVersionId}/artifact`, {
      headers: { authorization: `Bearer ${engineer}` },
    });
    const session = await ort.InferenceSession.create(new Uint8Array(await artifact.arrayBuffer()));
    const rows = irisRecords();
    const input = Float32Array.from(rows.flatMap((r) => IRIS_FEATURES.map((f) => r[f] as number)));
    const out = await session.run({ features: new ort.Tensor('float32', input, [rows.length, 4]) });
    assert.isDefined(out.label);
    const labels = Array.from(out.label.data as BigInt64Array, Number);
    const truth = rows.map((r) => ['setosa', 'versicolor', 'virginica'].indexOf(r.species as string));
    expect(labels.filter((l, i) => l === truth[i]).length / rows.length).toBeGreaterThan(0.85);
    await session.release();

    const mine = catalog.lineage.filter((l) => l.event.run.runId === job.id);
    expect(mine.map((l) => l.event.eventType)).toEqual(['START', 'COMPLETE']);
    expect(mine[0]!.organizationId).toBe(ORG);
    expect(mine[1]!.event.inputs).toEqual([{ namespace: 'aic://catalog', name: `datasets/${irisId}` }]);
    expect(mine[1]!.event.outputs[0].name).toBe(`model-versions/${final.modelVersionId}`);
    expect(catalog.invalidLineage).toEqual([]);
  });

  test('a cancelled job stops, ends CANCELLED and registers nothing', async () => {
    const started = await gql(
      models.service.graphqlUrl,
      START,
      {
        i: irisJob({
          modelName: 'iris-cancelled',
          algorithm: 'MLP_CLASSIFIER',
          hyperparameters: { epochs: 100000, batchSize: 4, seed: 2 },
        }),
      },
      engineer,
    );
    const id = started.data.startTrainingJob.id;
    let cancelled = false;
    const events = await collectSubscription(models.service.graphqlUrl, engineer, PROGRESS, { id }, async (event) => {
      if (!cancelled && event.trainingJobProgress.epoch >= 3) {
        cancelled = true;
        const res = await gql(
          models.service.graphqlUrl,
          'mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }',
          { id },
          engineer,
        );
        expect(res.errors).toBeUndefined();
      }
    });
    const last = events[events.length - 1].trainingJobProgress;
    expect(last.state).toBe('CANCELLED');
    const job = await gql(
      models.service.graphqlUrl,
      'query($id: ID!) { trainingJob(id: $id) { state epoch modelVersion { id } finishedAt } }',
      { id },
      engineer,
    );
    expect(job.data.trainingJob.state).toBe('CANCELLED');
    expect(job.data.trainingJob.epoch).toBeLessThan(1000);
    expect(job.data.trainingJob.modelVersion).toBeNull();
    expect(catalog.lineage.filter((l) => l.event.run.runId === id).map((l) => l.event.eventType)).toEqual([
      'START',
      'ABORT',
    ]);
    const again = await gql(
      models.service.graphqlUrl,
      'mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }',
      { id },
      engineer,
    );
    expect(again.errors?.[0].extensions.code).toBe('CONFLICT');
  });

  test('bad requests: invalid hyperparameters and a missing column are BAD_USER_INPUT at submission; a job failing on its data ends FAILED; a viewer is FORBIDDEN', async () => {
    const bad = await gql(
      models.service.graphqlUrl,
      START,
      { i: irisJob({ hyperparameters: { learningRate: -1 } }) },
      engineer,
    );
    expect(bad.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'hyperparameters.learningRate' }],
    });
    const missing = await gql(
      models.service.graphqlUrl,
      START,
      { i: irisJob({ modelName: 'no-such-column', featureColumns: ['sepalLength', 'nope'] }) },
      engineer,
    );
    expect(missing.errors?.[0].message).toContain('nope');
    expect(missing.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'featureColumns[1]' }],
    });
    const listed = await gql(models.service.graphqlUrl, LIST_BY_MODEL, { m: 'no-such-column' }, engineer);
    expect(listed.data.trainingJobs).toEqual([]);
    // A target with one class passes the submission checks and fails when the job reads the data.
    const oneClass = catalog.addDataset(
      ORG,
      'iris-setosa',
      toCsv(irisRecords().filter((r) => r.species === irisRecords()[0]!.species)),
    );
    const started = await gql(models.service.graphqlUrl, START, { i: irisJob({ datasetId: oneClass }) }, engineer);
    expect(started.errors).toBeUndefined();
    const events = await collectSubscription(models.service.graphqlUrl, engineer, PROGRESS, {
      id: started.data.startTrainingJob.id,
    });
    const last = events[events.length - 1].trainingJobProgress;
    expect(last.state).toBe('FAILED');
    expect(last.error).toContain('species');
    expect(
      catalog.lineage
        .filter((l) => l.event.run.runId === started.data.startTrainingJob.id)
        .map((l) => l.event.eventType),
    ).toEqual(['START', 'FAIL']);
    const viewer = await issuer.issue({ org: ORG, perms: ['models:read'] });
    expect((await gql(models.service.graphqlUrl, START, { i: irisJob() }, viewer)).errors?.[0].extensions.code).toBe(
      'FORBIDDEN',
    );
    const outsider = await issuer.issue({ org: ORG, perms: ['catalog:read'] });
    await expect(
      collectSubscription(models.service.graphqlUrl, outsider, PROGRESS, { id: started.data.startTrainingJob.id }),
    ).rejects.toThrow(/FORBIDDEN/);
    const otherOrg = await issuer.issue({ org: 'org-other', perms: ['models:read'] });
    await expect(
      collectSubscription(models.service.graphqlUrl, otherOrg, PROGRESS, { id: started.data.startTrainingJob.id }),
    ).rejects.toThrow(/NOT_FOUND/);
  });
  test('a user without catalog:read is refused at submission, naming the permission, and no job is created', async () => {
    // Without the check, this job would be queued and fail at its first delegated read.
    const noCatalog = await issuer.issue({ sub: 'user-no-catalog', org: ORG, perms: ['models:read', 'models:train'] });
    const refused = await gql(
      models.service.graphqlUrl,
      START,
      { i: irisJob({ modelName: 'refused-model' }) },
      noCatalog,
    );
    expect(refused.data?.startTrainingJob ?? null).toBeNull();
    expect(refused.errors?.[0].message).toContain('catalog:read');
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', permission: 'catalog:read' });
    const listed = await gql(models.service.graphqlUrl, LIST_BY_MODEL, { m: 'refused-model' }, engineer);
    expect(listed.data.trainingJobs).toEqual([]);
  });
  test('a PII column the job reads needs catalog:read-pii at submission; columns it does not read do not', async () => {
    const withPii = catalog.addDataset(ORG, 'iris-pii', toCsv(irisRecords()), ['sepalLength']);
    const refused = await gql(
      models.service.graphqlUrl,
      START,
      { i: irisJob({ modelName: 'refused-pii', datasetId: withPii }) },
      engineer,
    );
    expect(refused.errors?.[0].message).toContain('catalog:read-pii');
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      permission: 'catalog:read-pii',
      dataset: 'iris-pii',
      columns: ['sepalLength'],
    });
    const listed = await gql(models.service.graphqlUrl, LIST_BY_MODEL, { m: 'refused-pii' }, engineer);
    expect(listed.data.trainingJobs).toEqual([]);
    const others = IRIS_FEATURES.filter((f) => f !== 'sepalLength');
    const started = await gql(
      models.service.graphqlUrl,
      START,
      { i: irisJob({ modelName: 'no-pii-read', datasetId: withPii, featureColumns: others }) },
      engineer,
    );
    expect(started.errors).toBeUndefined();
    const events = await collectSubscription(models.service.graphqlUrl, engineer, PROGRESS, {
      id: started.data.startTrainingJob.id,
    });
    expect(events[events.length - 1].trainingJobProgress.state).toBe('SUCCEEDED');
  });
});
