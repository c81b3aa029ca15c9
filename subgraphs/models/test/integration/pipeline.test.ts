import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gql } from '../../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { IRIS_FEATURES, irisRecords } from '../reference/datasets';
import { startCatalogContractServer, toCsv } from './catalog-contract.server';
import type { ModelsUnderTest } from './models-harness';
import { modelsTestConfig, startModels } from './models-harness';

const ORG = 'org-pipeline';
let issuer: TestIssuer;
let catalog: Awaited<ReturnType<typeof startCatalogContractServer>>;
let models: ModelsUnderTest;
let token: string;
let irisId: string;

const RUN_FIELDS = 'id state error steps { name state outputs error }';

async function runPipeline(input: Record<string, unknown>, as = token): Promise<any> {
  const started = await gql(models.service.graphqlUrl, `mutation($i: StartPipelineRunInput!) { startPipelineRun(input: $i) { id } }`, { i: input }, as);
  if (started.errors) return { errors: started.errors };
  const id = started.data.startPipelineRun.id;
  for (;;) {
    const run = (await gql(models.service.graphqlUrl, `query($id: ID!) { pipelineRun(id: $id) { ${RUN_FIELDS} } }`, { id }, as)).data.pipelineRun;
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function pipeline(name: string, hyperparameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name,
    datasetId: irisId,
    qualityRules: [
      { type: 'tableRowCountToBeBetween', min: 100, max: 1000 },
      { type: 'columnValuesToBeNotNull', column: 'species' },
      { type: 'columnValuesToBeBetween', column: 'petalLength', min: 0, max: 10 },
    ],
    training: { modelName: 'iris-pipeline', datasetId: irisId, featureColumns: IRIS_FEATURES, targetColumn: 'species', algorithm: 'LOGISTIC_REGRESSION', hyperparameters, validationFraction: 0.3 },
    evaluation: { alias: 'production', metric: 'accuracy' },
    promote: true,
    ...extra,
  };
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  catalog = await startCatalogContractServer(issuer);
  // In-process training here (the other suites use worker threads), so both modes stay tested.
  models = await startModels(modelsTestConfig(issuer, { catalogUrl: catalog.url, workerThreads: false }));
  token = await issuer.issue({ sub: 'user-pipe', org: ORG, perms: ['models:read', 'models:train', 'models:promote'] });
  irisId = catalog.addDataset(ORG, 'iris', toCsv(irisRecords()));
});

afterAll(async () => {
  await models?.service.stop();
  await catalog?.close();
  await issuer?.close();
});

describe('pipelines', () => {
  test('check → train → evaluate against the alias → promote only when better', async () => {
    // A barely trained model first: no incumbent, so it is promoted.
    const first = await runPipeline(pipeline('weak', { epochs: 1, learningRate: 0.0005, seed: 1 }));
    expect(first.state).toBe('SUCCEEDED');
    expect(first.steps.map((s: any) => [s.name, s.state])).toEqual([['CHECK_QUALITY', 'SUCCEEDED'], ['TRAIN', 'SUCCEEDED'], ['EVALUATE', 'SUCCEEDED'], ['PROMOTE', 'SUCCEEDED']]);
    expect(first.steps[2].outputs).toMatchObject({ candidateVersion: 1, incumbent: null, better: true });
    expect(first.steps[3].outputs).toMatchObject({ alias: 'production', version: 1 });

    const strong = await runPipeline(pipeline('strong', { epochs: 60, learningRate: 0.05, seed: 1 }));
    expect(strong.state).toBe('SUCCEEDED');
    const evaluation = strong.steps[2].outputs;
    expect(evaluation).toMatchObject({ candidateVersion: 2, incumbentVersion: 1, better: true });
    expect(evaluation.candidate.accuracy).toBeGreaterThan(evaluation.incumbent.accuracy);
    expect(strong.steps[3].outputs).toMatchObject({ alias: 'production', version: 2 });

    const weakAgain = await runPipeline(pipeline('weak-again', { epochs: 1, learningRate: 0.0005, seed: 1 }));
    expect(weakAgain.state).toBe('SUCCEEDED');
    expect(weakAgain.steps[2].outputs).toMatchObject({ candidateVersion: 3, incumbentVersion: 2, better: false });
    expect(weakAgain.steps[3].state).toBe('SKIPPED');

    const model = (await gql(models.service.graphqlUrl, '{ modelByName(name: "iris-pipeline") { aliases { name version } aliasHistory { fromVersion toVersion reason } } }', {}, token)).data.modelByName;
    expect(model.aliases).toEqual([{ name: 'production', version: 2 }]);
    expect(model.aliasHistory.map((e: any) => [e.fromVersion, e.toVersion])).toEqual([[null, 1], [1, 2]]);
    expect(model.aliasHistory[1].reason).toContain('pipeline strong: accuracy');
  });

  test('a failed quality rule stops the run with its reason', async () => {
    const run = await runPipeline(pipeline('too-few-rows', {}, { qualityRules: [{ type: 'tableRowCountToBeBetween', min: 1000 }, { type: 'columnToExist', column: 'species' }] }));
    expect(run.state).toBe('FAILED');
    expect(run.steps.map((s: any) => s.state)).toEqual(['FAILED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(run.steps[0].error).toBe('quality rules failed: tableRowCountToBeBetween: 150 rows');
    expect(run.error).toContain('CHECK_QUALITY');
  });

  test('promoting needs models:promote', async () => {
    const trainer = await issuer.issue({ org: ORG, perms: ['models:read', 'models:train'] });
    const denied = await runPipeline(pipeline('no-promote-permission', {}), trainer);
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const evaluateOnly = await runPipeline(pipeline('evaluate-only', { epochs: 1 }, { promote: false }), trainer);
    expect(evaluateOnly.state).toBe('SUCCEEDED');
    expect(evaluateOnly.steps.map((s: any) => s.name)).toEqual(['CHECK_QUALITY', 'TRAIN', 'EVALUATE']);
  });
});
