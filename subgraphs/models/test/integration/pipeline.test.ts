import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gql } from '../../../../lib/src/testing/harness';
import { waitFor } from '../../../../lib/src/testing/wait-for';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { IRIS_FEATURES, irisRecords } from '../reference/datasets';
import { toCsv } from './catalog-contract.server';
import type { CatalogUnderTest } from './catalog-service.harness';
import { startCatalogService } from './catalog-service.harness';
import type { ModelsUnderTest } from './models-harness';
import { modelsTestConfig, startModels } from './models-harness';

const ORG = 'org-pipeline';
let issuer: TestIssuer;
let catalog: CatalogUnderTest;
let models: ModelsUnderTest;
let token: string;
let irisId: string;
let strictIrisId: string;

const RUN_FIELDS = 'id state error steps { name state outputs error }';

async function runPipeline(input: Record<string, unknown>, as = token): Promise<any> {
  const started = await gql(
    models.service.graphqlUrl,
    `mutation($i: StartPipelineRunInput!) { startPipelineRun(input: $i) { id } }`,
    { i: input },
    as,
  );
  if (started.errors) return { errors: started.errors };
  const id = started.data.startPipelineRun.id;
  return waitFor(
    async () => {
      const run = (
        await gql(models.service.graphqlUrl, `query($id: ID!) { pipelineRun(id: $id) { ${RUN_FIELDS} } }`, { id }, as)
      ).data.pipelineRun;
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.state) && run;
    },
    `pipeline run ${id} to end`,
    { timeoutMs: 120_000, intervalMs: 100 },
  );
}

function pipeline(
  name: string,
  hyperparameters: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  datasetId = irisId,
) {
  return {
    name,
    datasetId,
    training: {
      modelName: 'iris-pipeline',
      datasetId,
      featureColumns: IRIS_FEATURES,
      targetColumn: 'species',
      algorithm: 'LOGISTIC_REGRESSION',
      hyperparameters,
      validationFraction: 0.3,
    },
    evaluation: { alias: 'production', metric: 'accuracy' },
    promote: true,
    ...extra,
  };
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  // The real catalog: the pipeline runs each dataset's own quality rules there.
  catalog = await startCatalogService(issuer);
  // In-process training here (the other suites use worker threads), so both modes stay tested.
  models = await startModels(modelsTestConfig(issuer, { catalogUrl: catalog.url, workerThreads: false }));
  token = await issuer.issue({
    sub: 'user-pipe',
    org: ORG,
    perms: ['models:read', 'models:train', 'models:promote', 'catalog:read'],
  });
  const steward = await issuer.issue({ sub: 'user-steward', org: ORG, perms: ['catalog:read', 'catalog:write'] });
  const csv = toCsv(irisRecords());
  irisId = await catalog.addDataset(steward, 'iris', csv);
  await catalog.addQualityRule(steward, irisId, { type: 'tableRowCountToBeBetween', minValue: 100, maxValue: 1000 });
  await catalog.addQualityRule(steward, irisId, { type: 'columnValuesToBeNotNull', column: 'species' });
  await catalog.addQualityRule(steward, irisId, {
    type: 'columnValuesToBeBetween',
    column: 'petalLength',
    minValue: 0,
    maxValue: 10,
  });
  strictIrisId = await catalog.addDataset(steward, 'iris-strict', csv);
  await catalog.addQualityRule(steward, strictIrisId, { type: 'columnValuesToBeNotNull', column: 'species' });
  await catalog.addQualityRule(steward, strictIrisId, { type: 'tableRowCountToBeBetween', minValue: 1000 });
});

afterAll(async () => {
  await models?.service.stop();
  await catalog?.stop();
  await issuer?.close();
});

describe('pipelines', () => {
  test('check → train → evaluate against the alias → promote only when better', async () => {
    // A barely trained model first: no incumbent, so it is promoted.
    const first = await runPipeline(pipeline('weak', { epochs: 1, learningRate: 0.0005, seed: 1 }));
    expect(first.state).toBe('SUCCEEDED');
    expect(first.steps.map((s: any) => [s.name, s.state])).toEqual([
      ['CHECK_QUALITY', 'SUCCEEDED'],
      ['TRAIN', 'SUCCEEDED'],
      ['EVALUATE', 'SUCCEEDED'],
      ['PROMOTE', 'SUCCEEDED'],
    ]);
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

    const model = (
      await gql(
        models.service.graphqlUrl,
        '{ modelByName(name: "iris-pipeline") { aliases { name version } aliasHistory { fromVersion toVersion reason } } }',
        {},
        token,
      )
    ).data.modelByName;
    expect(model.aliases).toEqual([{ name: 'production', version: 2 }]);
    expect(model.aliasHistory.map((e: any) => [e.fromVersion, e.toVersion])).toEqual([
      [null, 1],
      [1, 2],
    ]);
    expect(model.aliasHistory[1].reason).toContain('pipeline strong: accuracy');
  });

  test("the dataset's own catalog rules gate the run: passing rules are recorded, a failing one stops it", async () => {
    const passed = await runPipeline(pipeline('checked', { epochs: 1, seed: 1 }, { promote: false }));
    expect(passed.state).toBe('SUCCEEDED');
    const check = passed.steps[0].outputs;
    expect(check.qualityCheckId).toEqual(expect.any(String));
    expect(check.score).toBe(100);
    expect(check.results.map((r: any) => [r.type, r.column, r.status])).toEqual([
      ['tableRowCountToBeBetween', null, 'SUCCESS'],
      ['columnValuesToBeNotNull', 'species', 'SUCCESS'],
      ['columnValuesToBeBetween', 'petalLength', 'SUCCESS'],
    ]);
    expect(check.failedRules).toEqual([]);

    const run = await runPipeline(pipeline('too-few-rows', {}, {}, strictIrisId));
    expect(run.state).toBe('FAILED');
    expect(run.steps.map((s: any) => s.state)).toEqual(['FAILED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(run.steps[0].error).toMatch(/^quality rules failed: tableRowCountToBeBetween: /);
    expect(run.steps[0].outputs.failedRules).toEqual([
      expect.objectContaining({ rule: 'tableRowCountToBeBetween', status: 'FAILED' }),
    ]);
    expect(run.steps[0].outputs.results.map((r: any) => r.status)).toEqual(['SUCCESS', 'FAILED']);
    expect(run.error).toContain('CHECK_QUALITY');
  });

  test('inline rules are checked on top of the dataset rules', async () => {
    const run = await runPipeline(
      pipeline(
        'inline-extra',
        {},
        {
          qualityRules: [
            { type: 'columnToExist', column: 'species' },
            { type: 'columnValuesToBeUnique', column: 'species' },
          ],
        },
      ),
    );
    expect(run.state).toBe('FAILED');
    expect(run.steps[0].outputs.results.every((r: any) => r.status === 'SUCCESS')).toBe(true);
    expect(run.steps[0].outputs.failedRules).toEqual([
      expect.objectContaining({ rule: 'columnValuesToBeUnique', column: 'species' }),
    ]);
  });

  test('promoting needs models:promote', async () => {
    const trainer = await issuer.issue({ org: ORG, perms: ['models:read', 'models:train', 'catalog:read'] });
    const denied = await runPipeline(pipeline('no-promote-permission', {}), trainer);
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const evaluateOnly = await runPipeline(pipeline('evaluate-only', { epochs: 1 }, { promote: false }), trainer);
    expect(evaluateOnly.state).toBe('SUCCEEDED');
    expect(evaluateOnly.steps.map((s: any) => s.name)).toEqual(['CHECK_QUALITY', 'TRAIN', 'EVALUATE']);
  });
  test('a user without catalog:read is refused at startPipelineRun, naming the permission, and no run is created', async () => {
    const noCatalog = await issuer.issue({
      sub: 'user-pipe-no-catalog',
      org: ORG,
      perms: ['models:read', 'models:train', 'models:promote'],
    });
    const runs = async () =>
      (await gql(models.service.graphqlUrl, '{ pipelineRuns(limit: 500) { id } }', {}, token)).data.pipelineRuns;
    const before = await runs();
    const refused = await runPipeline(pipeline('refused', { epochs: 1 }), noCatalog);
    expect(refused.errors?.[0].message).toContain('catalog:read');
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', permission: 'catalog:read' });
    expect(await runs()).toEqual(before);
  });
});
