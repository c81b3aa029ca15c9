// Issue 9's promise on the real platform: a training job's progress, subscribed at the gateway over
// graphql-ws, where every event carries the job's dataset (catalog) and creator (identity).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from './support/gateway-harness';
import { startGatewayOver } from './support/gateway-harness';
import type { RunningService } from '../lib/src/testing/harness';
import { gql, startService } from '../lib/src/testing/harness';
import { loadConfig as loadCatalogConfig } from '../subgraphs/catalog/src/config';
import { createServer as createCatalog } from '../subgraphs/catalog/src/server';
import { loadConfig as loadIdentityConfig } from '../subgraphs/identity/src/config';
import { createServer as createIdentity } from '../subgraphs/identity/src/server';
import { loadConfig as loadModelsConfig } from '../subgraphs/models/src/config';
import { createServer as createModels } from '../subgraphs/models/src/server';
import { waitFor } from '../lib/src/testing/wait-for';

const ADMIN = { email: 'ml@example.com', password: 'train all the models' };
const SECRET = 'e2e-service-secret-0123456789';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-sub-e2e-'));
const services: RunningService[] = [];
let gateway: RunningGateway;
let token: string;

const env = (name: string, extra: Record<string, string> = {}) => ({
  AIC_DATA_DIR: path.join(dir, name),
  DATABASE_URL: ':memory:',
  LOG_LEVEL: 'silent',
  AIC_SERVICE_SECRET: SECRET,
  ...extra,
});

function penguinsCsv(): string {
  const rows = JSON.parse(
    fs.readFileSync(path.join(__dirname, '../node_modules/vega-datasets/data/penguins.json'), 'utf8'),
  ) as Record<string, unknown>[];
  const cols = ['Species', 'Beak Length (mm)', 'Beak Depth (mm)'];
  const full = rows.filter((r) => cols.every((c) => r[c] !== null && r[c] !== undefined));
  return [cols.join(','), ...full.map((r) => cols.map((c) => r[c]).join(','))].join('\n') + '\n';
}

beforeAll(async () => {
  const identityConfig = loadIdentityConfig(
    env('identity', { AIC_ADMIN_EMAIL: ADMIN.email, AIC_ADMIN_PASSWORD: ADMIN.password }),
  );
  const identity = await startService(
    'identity',
    (await createIdentity({ ...identityConfig, port: 0, host: '127.0.0.1' })).server,
  );
  services.push(identity);
  const shared = { AIC_IDENTITY_URL: identity.url };
  const catalog = await startService(
    'catalog',
    (await createCatalog({ ...loadCatalogConfig(env('catalog', shared)), port: 0, host: '127.0.0.1' })).server,
  );
  services.push(catalog);
  const models = await startService(
    'models',
    (
      await createModels({
        ...loadModelsConfig(env('models', { ...shared, AIC_CATALOG_URL: catalog.url })),
        port: 0,
        host: '127.0.0.1',
      })
    ).server,
  );
  services.push(models);
  gateway = await startGatewayOver(services, {
    auth: {
      jwksUrl: `${identity.url}/.well-known/jwks.json`,
      issuer: identityConfig.auth.issuer,
      audience: identityConfig.auth.audience,
    },
  });
  token = (
    await gql(
      gateway.graphqlUrl,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: ADMIN.email, p: ADMIN.password },
    )
  ).data.login.accessToken;
}, 180_000);

afterAll(async () => {
  await gateway?.stop();
  for (const s of services.reverse()) await s.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(gateway.graphqlUrl, query, variables, token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
};

describe('federated subscription on the platform', () => {
  it('streams training progress with the dataset from catalog and the creator from identity in every event', async () => {
    const { createDataset } = await call('mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }', {
      i: { name: 'penguins', format: 'CSV', description: 'Palmer penguins' },
    });
    const ticket = (
      await call('mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { id url token } }', {
        i: { purpose: 'DATASET_CONTENT', filename: 'penguins.csv', contentType: 'text/csv' },
      })
    ).createDatasetUpload;
    const put = await fetch(`${gateway.url}${new URL(ticket.url).pathname}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ticket.token}`, 'content-type': 'text/csv' },
      body: penguinsCsv(),
    });
    expect(put.status).toBe(201);
    await call('mutation($d: ID!, $u: ID!) { addDatasetVersion(datasetId: $d, uploadId: $u) { version } }', {
      d: createDataset.id,
      u: ticket.id,
    });
    await waitFor(
      async () =>
        (await call('query($id: ID!) { dataset(id: $id) { versions { status } } }', { id: createDataset.id })).dataset
          .versions[0].status === 'READY',
      'the dataset version to be profiled',
      { timeoutMs: 30_000, intervalMs: 100 },
    );

    const job = (
      await call(`mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`, {
        i: {
          modelName: 'penguin-species',
          datasetId: createDataset.id,
          featureColumns: ['Beak Length (mm)', 'Beak Depth (mm)'],
          targetColumn: 'Species',
          algorithm: 'LOGISTIC_REGRESSION',
          hyperparameters: { epochs: 5, seed: 3 },
        },
      })
    ).startTrainingJob;

    const client = createClient({
      url: gateway.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const events: any[] = [];
    for await (const e of client.iterate({
      query:
        'subscription($id: ID!) { trainingJobProgress(id: $id) { state epoch job { dataset { name } createdBy { email } } } }',
      variables: { id: job.id },
    })) {
      expect(e.errors).toBeUndefined();
      events.push(e.data!.trainingJobProgress);
    }
    await client.dispose();
    expect(events.at(-1).state).toBe('SUCCEEDED');
    expect(events.filter((e) => e.epoch !== null).map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    for (const e of events) expect(e.job).toEqual({ dataset: { name: 'penguins' }, createdBy: { email: ADMIN.email } });
  }, 180_000);
});
