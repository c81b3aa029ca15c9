import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gql } from '../../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { median } from '../../src/engine/hpo/median.pruner';
import { PENGUIN_FEATURES, penguinRecords } from '../reference/datasets';
import { startCatalogContractServer, toCsv } from './catalog-contract.server';
import type { ModelsUnderTest } from './models-harness';
import { modelsTestConfig, startModels } from './models-harness';
import { collectSubscription } from './subscription-client';

const ORG = 'org-study';
let issuer: TestIssuer;
let catalog: Awaited<ReturnType<typeof startCatalogContractServer>>;
let models: ModelsUnderTest;
let token: string;
let penguinsId: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  catalog = await startCatalogContractServer(issuer);
  models = await startModels(modelsTestConfig(issuer, { catalogUrl: catalog.url, trainingConcurrency: 2 }));
  token = await issuer.issue({ sub: 'user-hpo', org: ORG, perms: ['models:read', 'models:train', 'catalog:read'] });
  penguinsId = catalog.addDataset(ORG, 'penguins', toCsv(penguinRecords()));
});

afterAll(async () => {
  await models?.service.stop();
  await catalog?.close();
  await issuer?.close();
});

const STUDY_FIELDS =
  'id state bestTrialNumber bestValue direction modelVersion { id version parameters metrics } trials { number state params value reports { step value } }';

describe('studies', () => {
  test('TPE with the median pruner: pruned trials are exactly those the hand-computed median says; the best trial is registered', async () => {
    const started = await gql(
      models.service.graphqlUrl,
      `mutation($i: StartStudyInput!) { startStudy(input: $i) { id state } }`,
      {
        i: {
          modelName: 'penguin-species-hpo',
          datasetId: penguinsId,
          featureColumns: PENGUIN_FEATURES,
          targetColumn: 'Species',
          algorithm: 'LOGISTIC_REGRESSION',
          baseHyperparameters: { epochs: 8, batchSize: 16, seed: 3 },
          validationFraction: 0.3,
          searchSpace: [{ name: 'learningRate', type: 'FLOAT', low: 0.00001, high: 0.5, log: true }],
          sampler: 'TPE',
          samplerSeed: 11,
          pruner: 'MEDIAN',
          prunerStartupTrials: 3,
          objectiveMetric: 'validationLoss',
          nTrials: 10,
          parallelism: 1,
        },
      },
      token,
    );
    expect(started.errors).toBeUndefined();
    const id = started.data.startStudy.id;
    const events = await collectSubscription(
      models.service.graphqlUrl,
      token,
      'subscription($id: ID!) { studyProgress(id: $id) { state trialNumber trialState step value } }',
      { id },
    );
    expect(events[events.length - 1].studyProgress.state).toBe('SUCCEEDED');
    const study = (
      await gql(models.service.graphqlUrl, `query($id: ID!) { study(id: $id) { ${STUDY_FIELDS} } }`, { id }, token)
    ).data.study;
    expect(study.direction).toBe('MINIMIZE');
    expect(study.trials).toHaveLength(10);

    // Replay the median rule by hand over the persisted reports (trials ran one at a time, in order).
    for (const trial of study.trials) {
      const earlier = study.trials.filter((t: any) => t.number < trial.number && t.state === 'COMPLETE');
      let prunedAt: number | null = null;
      if (earlier.length >= 3) {
        let best = Infinity;
        for (const { step, value } of trial.reports) {
          best = Math.min(best, value);
          const atStep = earlier
            .map((t: any) => t.reports.find((r: any) => r.step === step)?.value)
            .filter((v: number | undefined) => v !== undefined);
          if (atStep.length > 0 && best > median(atStep)) {
            prunedAt = step;
            break;
          }
        }
      }
      expect({ number: trial.number, state: trial.state }).toEqual({
        number: trial.number,
        state: prunedAt === null ? 'COMPLETE' : 'PRUNED',
      });
      if (prunedAt !== null) expect(trial.reports[trial.reports.length - 1].step).toBe(prunedAt);
      else expect(trial.reports).toHaveLength(8);
    }
    expect(study.trials.some((t: any) => t.state === 'PRUNED')).toBe(true);

    const complete = study.trials.filter((t: any) => t.state === 'COMPLETE');
    const best = complete.reduce((a: any, b: any) => (b.value < a.value ? b : a));
    expect(study.bestTrialNumber).toBe(best.number);
    expect(study.bestValue).toBeCloseTo(best.value, 12);
    expect(study.modelVersion.version).toBe(1);
    expect(study.modelVersion.parameters).toMatchObject({
      studyId: id,
      trialNumber: best.number,
      learningRate: best.params.learningRate,
    });
    expect(study.modelVersion.metrics.logLoss).toBeCloseTo(best.value, 9);
    const reportEvents = events.map((e) => e.studyProgress).filter((e) => e.step !== null);
    expect(reportEvents.length).toBe(study.trials.reduce((n: number, t: any) => n + t.reports.length, 0));
  });

  test('grid search with parallel trials runs every combination once', async () => {
    const started = await gql(
      models.service.graphqlUrl,
      `mutation($i: StartStudyInput!) { startStudy(input: $i) { id } }`,
      {
        i: {
          modelName: 'penguin-mass-grid',
          datasetId: penguinsId,
          featureColumns: PENGUIN_FEATURES.slice(0, 3),
          targetColumn: 'Body Mass (g)',
          algorithm: 'MLP_REGRESSOR',
          baseHyperparameters: { epochs: 3, batchSize: 32 },
          searchSpace: [
            { name: 'hiddenUnits', type: 'INT', low: 4, high: 8, step: 4 },
            { name: 'activation', type: 'CATEGORICAL', choices: ['RELU', 'TANH'] },
          ],
          sampler: 'GRID',
          pruner: 'NONE',
          objectiveMetric: 'rmse',
          nTrials: 50,
          parallelism: 4,
        },
      },
      token,
    );
    const id = started.data.startStudy.id;
    await collectSubscription(
      models.service.graphqlUrl,
      token,
      'subscription($id: ID!) { studyProgress(id: $id) { state } }',
      { id },
    );
    const study = (
      await gql(models.service.graphqlUrl, `query($id: ID!) { study(id: $id) { ${STUDY_FIELDS} } }`, { id }, token)
    ).data.study;
    expect(study.state).toBe('SUCCEEDED');
    expect(study.trials.map((t: any) => `${t.params.hiddenUnits}-${t.params.activation}`).sort()).toEqual([
      '4-RELU',
      '4-TANH',
      '8-RELU',
      '8-TANH',
    ]);
    expect(study.modelVersion.parameters.hiddenLayers).toEqual([
      study.trials.find((t: any) => t.number === study.bestTrialNumber).params.hiddenUnits,
    ]);
  });

  test('an invalid search space is BAD_USER_INPUT naming the parameter', async () => {
    const res = await gql(
      models.service.graphqlUrl,
      `mutation($i: StartStudyInput!) { startStudy(input: $i) { id } }`,
      {
        i: {
          modelName: 'x',
          datasetId: penguinsId,
          featureColumns: PENGUIN_FEATURES,
          targetColumn: 'Species',
          algorithm: 'LOGISTIC_REGRESSION',
          searchSpace: [{ name: 'learningRate', type: 'FLOAT', low: 0, high: 1, log: true }],
        },
      },
      token,
    );
    expect(res.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'searchSpace[0].low' }],
    });
  });
  test('a user without catalog:read is refused at startStudy, naming the permission, and no study is created', async () => {
    const noCatalog = await issuer.issue({
      sub: 'user-hpo-no-catalog',
      org: ORG,
      perms: ['models:read', 'models:train'],
    });
    const before = (await gql(models.service.graphqlUrl, '{ studies(limit: 500) { id } }', {}, token)).data.studies;
    const res = await gql(
      models.service.graphqlUrl,
      `mutation($i: StartStudyInput!) { startStudy(input: $i) { id } }`,
      {
        i: {
          modelName: 'refused-study',
          datasetId: penguinsId,
          featureColumns: PENGUIN_FEATURES,
          targetColumn: 'Species',
          algorithm: 'LOGISTIC_REGRESSION',
          searchSpace: [{ name: 'learningRate', type: 'FLOAT', low: 0.001, high: 0.5, log: true }],
          nTrials: 2,
        },
      },
      noCatalog,
    );
    expect(res.errors?.[0].message).toContain('catalog:read');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', permission: 'catalog:read' });
    const after = (await gql(models.service.graphqlUrl, '{ studies(limit: 500) { id } }', {}, token)).data.studies;
    expect(after).toEqual(before);
  });
});
