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

const ORG = 'org-restart';
let issuer: TestIssuer;
let catalog: Awaited<ReturnType<typeof startCatalogContractServer>>;
let dataDir: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  catalog = await startCatalogContractServer(issuer);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-models-restart-'));
});

afterAll(async () => {
  await catalog?.close();
  await issuer?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a job interrupted by a process restart finishes after the restart', async () => {
  const token = await issuer.issue({
    sub: 'user-restart',
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
        modelName: 'iris-restart',
        datasetId,
        featureColumns: IRIS_FEATURES,
        targetColumn: 'species',
        algorithm: 'MLP_CLASSIFIER',
        hyperparameters: { hiddenLayers: [8], epochs: 60, batchSize: 8, seed: 5 },
        validationFraction: 0.3,
      },
    },
    token,
  );
  const id = started.data.startTrainingJob.id;
  // Stop the first process while the job is mid-training.
  await collectSubscription(
    first.service.graphqlUrl,
    token,
    'subscription($id: ID!) { trainingJobProgress(id: $id) { epoch state } }',
    { id },
    async (event) => {
      if (event.trainingJobProgress.epoch === 5) await first.service.stop();
    },
  ).catch(() => undefined);

  const second = await startModels(config);
  try {
    const events = await collectSubscription(
      second.service.graphqlUrl,
      token,
      'subscription($id: ID!) { trainingJobProgress(id: $id) { epoch state modelVersionId } }',
      { id },
    );
    const last = events[events.length - 1].trainingJobProgress;
    expect(last.state).toBe('SUCCEEDED');
    const job = await gql(
      second.service.graphqlUrl,
      'query($id: ID!) { trainingJob(id: $id) { state attempts epoch history { epoch } modelVersion { version source } } }',
      { id },
      token,
    );
    expect(job.data.trainingJob).toMatchObject({
      state: 'SUCCEEDED',
      attempts: 2,
      epoch: 60,
      modelVersion: { version: 1, source: 'TRAINING_JOB' },
    });
    expect(job.data.trainingJob.history.map((h: { epoch: number }) => h.epoch)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    expect(catalog.lineage.filter((l) => l.event.run.runId === id).map((l) => l.event.eventType)).toEqual([
      'START',
      'START',
      'COMPLETE',
    ]);
  } finally {
    await second.service.stop();
  }
});

test('a study interrupted by a process restart keeps its finished trials and completes after the restart', async () => {
  const token = await issuer.issue({
    sub: 'user-restart',
    org: ORG,
    perms: ['models:read', 'models:train', 'catalog:read'],
  });
  const datasetId = catalog.addDataset(ORG, 'iris-study', toCsv(irisRecords()));
  const studyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-models-restart-study-'));
  const config = modelsTestConfig(issuer, { dataDir: studyDir, catalogUrl: catalog.url, persistent: true });
  const first = await startModels(config);
  const started = await gql(
    first.service.graphqlUrl,
    'mutation($i: StartStudyInput!) { startStudy(input: $i) { id } }',
    {
      i: {
        modelName: 'iris-study-restart',
        datasetId,
        featureColumns: IRIS_FEATURES,
        targetColumn: 'species',
        algorithm: 'LOGISTIC_REGRESSION',
        baseHyperparameters: { epochs: 20, batchSize: 8 },
        searchSpace: [{ name: 'learningRate', type: 'FLOAT', low: 0.001, high: 0.3, log: true }],
        sampler: 'RANDOM',
        pruner: 'NONE',
        nTrials: 5,
        parallelism: 1,
      },
    },
    token,
  );
  const id = started.data.startStudy.id;
  await collectSubscription(
    first.service.graphqlUrl,
    token,
    'subscription($id: ID!) { studyProgress(id: $id) { trialNumber trialState } }',
    { id },
    async (event) => {
      if (event.studyProgress.trialNumber === 2 && event.studyProgress.trialState === 'RUNNING')
        await first.service.stop();
    },
  ).catch(() => undefined);

  const second = await startModels(config);
  try {
    await collectSubscription(
      second.service.graphqlUrl,
      token,
      'subscription($id: ID!) { studyProgress(id: $id) { state } }',
      { id },
    );
    const study = (
      await gql(
        second.service.graphqlUrl,
        'query($id: ID!) { study(id: $id) { state trials { number state } modelVersion { version } } }',
        { id },
        token,
      )
    ).data.study;
    expect(study.state).toBe('SUCCEEDED');
    expect(study.trials.map((t: { number: number }) => t.number)).toEqual([0, 1, 2, 3, 4]);
    expect(study.trials.every((t: { state: string }) => t.state === 'COMPLETE')).toBe(true);
    expect(study.modelVersion.version).toBe(1);
  } finally {
    await second.service.stop();
    fs.rmSync(studyDir, { recursive: true, force: true });
  }
});
