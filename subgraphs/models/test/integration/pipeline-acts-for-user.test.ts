import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { gql } from '../../../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../../../lib/src/testing/postgres';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { waitFor } from '../../../../lib/src/testing/wait-for';
import { IRIS_FEATURES, irisRecords } from '../reference/datasets';
import { PG_REACHABLE } from '../support/postgres-reachable';
import { toCsv } from './catalog-contract.server';
import type { CatalogUnderTest } from './catalog-service.harness';
import { startCatalogService } from './catalog-service.harness';
import type { ModelsUnderTest } from './models-harness';
import { modelsTestConfig, startModels } from './models-harness';

// A pipeline's steps act for the user who started it, on the real catalog: the catalog's quality rules
// run with the user's delegated token (so the user's access to the dataset counts when the step runs,
// not the models service's), and the steps read only the columns the run uses (an unrelated PII column
// needs no catalog:read-pii; a PII column an inline rule names does, and is refused at submission).
const ORG = 'org-pipeline-obo';
let issuer: TestIssuer;
let catalog: CatalogUnderTest;
let db: ReturnType<typeof testPostgresDatabase>;
let dataDir: string;
let steward: string;
let scientist: string;
const running: ModelsUnderTest[] = [];

const RUN_FIELDS = 'id state error steps { name state outputs error }';

/** A models replica on the shared database; `consume: false` serves the API only (runs no step). */
async function replica(consume: boolean): Promise<ModelsUnderTest> {
  const m = await startModels(
    modelsTestConfig(issuer, { dataDir, catalogUrl: catalog.url, databaseUrl: db.url, workerThreads: false }),
    { consume },
  );
  running.push(m);
  return m;
}

function pipeline(name: string, datasetId: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    datasetId,
    training: {
      modelName: `obo-${name}`,
      datasetId,
      featureColumns: IRIS_FEATURES,
      targetColumn: 'species',
      algorithm: 'LOGISTIC_REGRESSION',
      hyperparameters: { epochs: 2, seed: 1 },
      validationFraction: 0.3,
    },
    evaluation: { alias: 'production', metric: 'accuracy' },
    promote: false,
    ...extra,
  };
}

const start = (m: ModelsUnderTest, input: Record<string, unknown>) =>
  gql(
    m.service.graphqlUrl,
    'mutation($i: StartPipelineRunInput!) { startPipelineRun(input: $i) { id } }',
    { i: input },
    scientist,
  );

const ended = (m: ModelsUnderTest, id: string) =>
  waitFor(
    async () => {
      const run = (
        await gql(m.service.graphqlUrl, `query($id: ID!) { pipelineRun(id: $id) { ${RUN_FIELDS} } }`, { id }, scientist)
      ).data.pipelineRun;
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.state) && run;
    },
    `pipeline run ${id} to end`,
    { timeoutMs: 120_000, intervalMs: 100 },
  );

async function catalogCall(query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await gql(catalog.service.graphqlUrl, query, variables, steward);
  expect(res.errors, query).toBeUndefined();
  return res.data;
}

/** Iris with an `email` column the steward classified PII. */
async function irisWithEmails(name: string): Promise<string> {
  const rows = irisRecords().map((r, i) => ({ ...r, email: `person${i}@example.org` }));
  const id = await catalog.addDataset(steward, name, toCsv(rows));
  await catalogCall('mutation($id: ID!, $i: UpdateDatasetInput!) { updateDataset(id: $id, input: $i) { id } }', {
    id,
    i: { columns: [{ name: 'email', classification: 'PII' }] },
  });
  await catalog.addQualityRule(steward, id, { type: 'columnValuesToBeNotNull', column: 'species' });
  return id;
}

beforeAll(async () => {
  if (!PG_REACHABLE) return;
  issuer = await startTestIssuer();
  catalog = await startCatalogService(issuer);
  db = testPostgresDatabase('models_pipeline_obo');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-models-pipeline-obo-'));
  steward = await issuer.issue({
    sub: 'user-obo-steward',
    org: ORG,
    perms: ['catalog:read', 'catalog:write', 'catalog:read-pii'],
  });
  // A data scientist: reads the catalog, but not PII.
  scientist = await issuer.issue({
    sub: 'user-obo-scientist',
    org: ORG,
    perms: ['models:read', 'models:train', 'catalog:read'],
  });
});

afterEach(async () => {
  for (const m of running.splice(0)) await m.service.stop().catch(() => undefined);
});

afterAll(async () => {
  await db?.drop().catch(() => undefined);
  await catalog?.stop();
  await issuer?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!PG_REACHABLE)('a pipeline acts for the user who started it', () => {
  test("an unrelated PII column needs no catalog:read-pii: the steps read only the run's columns", async () => {
    const models = await replica(true);
    const datasetId = await irisWithEmails('iris-emails');
    const started = await start(
      models,
      pipeline('no-pii-read', datasetId, {
        qualityRules: [
          { type: 'columnValuesToBeNotNull', column: 'petalLength' },
          // Not in the dataset: not an error at submission; the rule itself fails when the step runs.
          { type: 'columnToExist', column: 'petalColour' },
        ],
      }),
    );
    expect(started.errors).toBeUndefined();
    const run = await ended(models, started.data.startPipelineRun.id);
    expect(run.steps[0]).toMatchObject({ name: 'CHECK_QUALITY', state: 'FAILED' });
    expect(run.steps[0].outputs.results.map((r: any) => [r.type, r.status])).toEqual([
      ['columnValuesToBeNotNull', 'SUCCESS'],
    ]);
    expect(run.steps[0].outputs.failedRules).toEqual([
      expect.objectContaining({
        rule: 'columnToExist',
        column: 'petalColour',
        detail: 'column petalColour does not exist',
      }),
    ]);
    expect(run.steps[0].outputs.inlineResults).toEqual([
      expect.objectContaining({ rule: 'columnValuesToBeNotNull', column: 'petalLength', passed: true }),
      expect.objectContaining({ rule: 'columnToExist', column: 'petalColour', passed: false }),
    ]);

    // Without inline rules the whole run goes through, training and evaluation included.
    const plain = await start(models, pipeline('no-pii-read-plain', datasetId));
    expect(plain.errors).toBeUndefined();
    const done = await ended(models, plain.data.startPipelineRun.id);
    expect(done.error).toBeNull();
    expect(done.steps.map((s: any) => [s.name, s.state])).toEqual([
      ['CHECK_QUALITY', 'SUCCEEDED'],
      ['TRAIN', 'SUCCEEDED'],
      ['EVALUATE', 'SUCCEEDED'],
    ]);
  });

  test('an inline rule on a PII column is refused at submission, naming the column and the permission', async () => {
    const models = await replica(true);
    const datasetId = await irisWithEmails('iris-emails-rule');
    const refused = await start(
      models,
      pipeline('pii-rule', datasetId, { qualityRules: [{ type: 'columnValuesToBeUnique', column: 'email' }] }),
    );
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      permission: 'catalog:read-pii',
      dataset: 'iris-emails-rule',
      columns: ['email'],
    });
    const runs = (await gql(models.service.graphqlUrl, '{ pipelineRuns(limit: 500) { name } }', {}, scientist)).data
      .pipelineRuns;
    expect(runs.map((r: any) => r.name)).not.toContain('pii-rule');
  });

  test("the catalog's quality rules run as the user: access revoked after submission fails the step", async () => {
    // A confidential dataset the scientist reads through a grant.
    const datasetId = await catalog.addDataset(steward, 'iris-confidential', toCsv(irisRecords()));
    await catalogCall('mutation($id: ID!, $i: UpdateDatasetInput!) { updateDataset(id: $id, input: $i) { id } }', {
      id: datasetId,
      i: { classification: 'CONFIDENTIAL' },
    });
    await catalog.addQualityRule(steward, datasetId, { type: 'columnValuesToBeNotNull', column: 'species' });
    const { grantAccess } = await catalogCall(
      'mutation($d: ID!, $s: String!) { grantAccess(datasetId: $d, subjectType: USER, subjectId: $s, level: READ) { id } }',
      { d: datasetId, s: 'user-obo-scientist' },
    );

    // Accepted by an API replica (which runs no step), then the grant is revoked before any step runs.
    const api = await replica(false);
    const started = await start(api, pipeline('revoked', datasetId));
    expect(started.errors).toBeUndefined();
    const id = started.data.startPipelineRun.id;
    await catalogCall('mutation($g: ID!) { revokeAccess(grantId: $g) }', { g: grantAccess.id });

    // A consuming replica runs it: the catalog sees the user, who may no longer read the dataset (the
    // service's own token would have read it).
    await replica(true);
    const run = await ended(api, id);
    expect(run.state).toBe('FAILED');
    expect(run.steps.map((s: any) => [s.name, s.state])).toEqual([
      ['CHECK_QUALITY', 'FAILED'],
      ['TRAIN', 'SKIPPED'],
      ['EVALUATE', 'SKIPPED'],
    ]);
    expect(run.steps[0].error).toMatch(/not found/i);
    // The catalog recorded no check for it.
    const { dataset } = await catalogCall('query($id: ID!) { dataset(id: $id) { qualityChecks { id } } }', {
      id: datasetId,
    });
    expect(dataset.qualityChecks).toEqual([]);
  });
});
