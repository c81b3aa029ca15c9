import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../../lib/src/testing/harness';
import type { RunningGateway } from '../../../test/support/gateway-harness';
import { startGatewayOver } from '../../../test/support/gateway-harness';
import { createServer as createSchemasServer } from '../../schemas/src/server';
import type { CatalogHarness } from './catalog.harness';
import { startCatalog } from './catalog.harness';

// The schemas subgraph owns SchemaVersion; the catalog only holds its id (a key-only stub).
let catalog: CatalogHarness;
let schemas: RunningService;
let gateway: RunningGateway;
let dataDir: string;

beforeAll(async () => {
  catalog = await startCatalog();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-catalog-gw-'));
  const auth = { jwksUrl: catalog.issuer.jwksUrl, issuer: catalog.issuer.issuer, audience: catalog.issuer.audience };
  const built = await createSchemasServer({
    ...testBaseConfig('schemas', { dataDir, auth }),
    defaultCompatibility: 'BACKWARD',
    maxSchemaBytes: 256 * 1024,
    parsedCacheSize: 100,
  });
  schemas = await startService('schemas', built.server);
  gateway = await startGatewayOver([catalog.service, schemas], { auth });
});

afterAll(async () => {
  await gateway?.stop();
  await schemas?.stop();
  await catalog?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('through the gateway', () => {
  it('shows a dataset with its schemaVersion from the schemas subgraph', async () => {
    const token = await catalog.token({
      org: 'org-gw',
      perms: ['catalog:read', 'catalog:write', 'schemas:read', 'schemas:write'],
    });
    const avro = JSON.stringify({
      type: 'record',
      name: 'Penguin',
      fields: [
        { name: 'species', type: 'string' },
        { name: 'mass', type: ['null', 'int'] },
      ],
    });
    const reg = await gql(
      gateway.graphqlUrl,
      'mutation($i: RegisterSchemaInput!) { registerSchema(input: $i) { id subject version } }',
      { i: { subject: 'penguins-value', type: 'AVRO', schema: avro } },
      token,
    );
    expect(reg.errors).toBeUndefined();
    const sv = reg.data.registerSchema;
    const created = await gql(
      gateway.graphqlUrl,
      'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
      { i: { name: 'penguins', format: 'CSV', schemaVersionId: sv.id } },
      token,
    );
    expect(created.errors).toBeUndefined();
    const res = await gql(
      gateway.graphqlUrl,
      'query($id: ID!) { dataset(id: $id) { name schemaVersion { id subject version type } } }',
      { id: created.data.createDataset.id },
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.dataset).toEqual({
      name: 'penguins',
      schemaVersion: { id: sv.id, subject: 'penguins-value', version: 1, type: 'AVRO' },
    });
  });

  it('streams lineage events through the gateway over graphql-ws', async () => {
    const token = await catalog.token({ org: 'org-gw-sub', perms: ['catalog:read', 'catalog:write'] });
    const created = await gql(
      gateway.graphqlUrl,
      'mutation { createDataset(input: { name: "features", format: CSV }) { id } }',
      {},
      token,
    );
    const datasetId = created.data.createDataset.id;
    const client = createClient({
      url: gateway.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const received: any[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const unsubscribe = client.subscribe(
        { query: 'subscription { lineageEvents { eventType job { name } inputs { namespace name } } }' },
        {
          next: (v) => {
            received.push(v);
            unsubscribe();
            resolve();
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    const event = {
      eventTime: new Date().toISOString(),
      eventType: 'START',
      producer: 'https://example.com/models',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      run: { runId: '0190b6a4-8c1e-7c5a-b3f1-1a2b3c4d5e60' },
      job: { namespace: 'aic://models', name: 'train' },
      inputs: [{ namespace: 'aic://catalog', name: `datasets/${datasetId}` }],
    };
    // graphql-ws subscribes asynchronously: publish until the first event arrives.
    const inflight: Promise<unknown>[] = [];
    const timer = setInterval(
      () =>
        inflight.push(
          gql(
            gateway.graphqlUrl,
            'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { eventId } }',
            { e: event },
            token,
          ),
        ),
      150,
    );
    await done;
    clearInterval(timer);
    await Promise.all(inflight);
    await client.dispose();
    expect(received[0]).toEqual({
      data: {
        lineageEvents: {
          eventType: 'START',
          job: { name: 'train' },
          inputs: [{ namespace: 'aic://catalog', name: `datasets/${datasetId}` }],
        },
      },
    });
  });
});
