import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { gql } from '../../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { IRIS_FEATURES, irisRecords } from '../reference/datasets';
import { startCatalogContractServer, toCsv } from './catalog-contract.server';
import { modelsTestConfig, startModels } from './models-harness';
import { collectSubscription } from './subscription-client';

// The entry point of the Kubernetes training Job (k8s/base/training/job-template.yaml), run as its
// own process on the models database: it finishes a job the service started.
const ORG = 'org-worker';
let issuer: TestIssuer;
let catalog: Awaited<ReturnType<typeof startCatalogContractServer>>;
let dataDir: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  catalog = await startCatalogContractServer(issuer);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-models-worker-'));
});

afterAll(async () => {
  await catalog?.close();
  await issuer?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function runWorker(jobId: string): Promise<{ code: number | null; output: string }> {
  const main = path.resolve(__dirname, '../../src/training-job.main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      AIC_DATA_DIR: dataDir,
      DATABASE_URL: '',
      AIC_CATALOG_URL: catalog.url,
      AIC_IDENTITY_URL: issuer.url,
      AIC_SERVICE_SECRET: issuer.serviceSecret,
      AIC_TRAINING_JOB_ID: jobId,
      AIC_TRAINING_WORKER_THREADS: 'false',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

test('the training worker finishes a job the service started, and the service sees the result', async () => {
  const token = await issuer.issue({
    sub: 'user-worker',
    org: ORG,
    perms: ['models:read', 'models:train', 'catalog:read'],
  });
  const datasetId = catalog.addDataset(ORG, 'iris', toCsv(irisRecords()));
  const config = modelsTestConfig(issuer, { dataDir, catalogUrl: catalog.url, persistent: true });
  const first = await startModels(config);
  const started = await gql(
    first.service.graphqlUrl,
    'mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }',
    {
      i: {
        modelName: 'iris-worker',
        datasetId,
        featureColumns: IRIS_FEATURES,
        targetColumn: 'species',
        algorithm: 'MLP_CLASSIFIER',
        hyperparameters: { hiddenLayers: [8], epochs: 40, batchSize: 8, seed: 5 },
        validationFraction: 0.3,
      },
    },
    token,
  );
  const id = started.data.startTrainingJob.id;
  await collectSubscription(
    first.service.graphqlUrl,
    token,
    'subscription($id: ID!) { trainingJobProgress(id: $id) { epoch state } }',
    { id },
    async (event) => {
      if (event.trainingJobProgress.epoch === 3) await first.service.stop();
    },
  ).catch(() => undefined);

  const worker = await runWorker(id);
  expect(worker.code, worker.output).toBe(0);

  const after = await startModels(config);
  try {
    expect(await after.built.resume()).toBeUndefined();
    const job = await gql(
      after.service.graphqlUrl,
      'query($id: ID!) { trainingJob(id: $id) { state epoch attempts modelVersion { version source } } }',
      { id },
      token,
    );
    // attempts 2: the service's interrupted run, then the worker's.
    expect(job.data.trainingJob).toMatchObject({
      state: 'SUCCEEDED',
      epoch: 40,
      attempts: 2,
      modelVersion: { version: 1, source: 'TRAINING_JOB' },
    });
  } finally {
    await after.service.stop();
  }
});
