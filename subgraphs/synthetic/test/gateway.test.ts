import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../../test/support/gateway-harness';
import { startGatewayOver } from '../../../test/support/gateway-harness';
import { gql } from '../../../lib/src/testing/harness';
import { toCsv } from '../src/table/csv.codec';
import { vegaTable } from './datasets';
import type { SyntheticHarness } from './synthetic.harness';
import { RUNNER, registerDataset, startSynthetic } from './synthetic.harness';

let h: SyntheticHarness;
let gateway: RunningGateway;

beforeAll(async () => {
  h = await startSynthetic();
  gateway = await startGatewayOver([h.catalog, h.synthetic], {
    auth: { jwksUrl: h.issuer.jwksUrl, issuer: h.issuer.issuer, audience: h.issuer.audience },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await h?.stop();
});

describe('through the gateway', () => {
  it('starts a job, follows its subscription to the end, reads the reports and finds the output in the catalog', async () => {
    const token = await h.issuer.issue({ sub: 'gw-user', org: 'org-gw', perms: [...RUNNER, 'catalog:read-pii'] });
    const source = await registerDataset(h, token, {
      name: 'cars',
      format: 'CSV',
      content: toCsv(vegaTable('cars')),
      classification: 'INTERNAL',
    });
    const created = await gql(
      gateway.graphqlUrl,
      'mutation($s: ID!) { createSyntheticDataJob(input: { sourceDatasetId: $s, rows: 300, seed: 8 }) { id } }',
      { s: source },
      token,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data.createSyntheticDataJob.id;
    const client = createClient({
      url: gateway.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const statuses: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        {
          query:
            'subscription($id: ID!) { syntheticDataJobUpdated(id: $id) { id status progress source { id name } } }',
          variables: { id },
        },
        {
          next: (value) => {
            if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
            const event = (value.data as any).syntheticDataJobUpdated;
            expect(event.source).toEqual({ id: source, name: 'cars' });
            statuses.push(event.status);
            if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(event.status)) resolve();
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    await client.dispose();
    expect(statuses[statuses.length - 1]).toBe('SUCCEEDED');
    const job = await gql(
      gateway.graphqlUrl,
      'query($id: ID!) { syntheticDataJob(id: $id) { status output { id name classification } report { quality { overall } privacy { exactMatchCount } } } }',
      { id },
      token,
    );
    expect(job.errors).toBeUndefined();
    expect(job.data.syntheticDataJob.output).toMatchObject({ classification: 'INTERNAL' });
    expect(job.data.syntheticDataJob.output.name).toContain('cars (synthetic');
    expect(job.data.syntheticDataJob.report.privacy.exactMatchCount).toBe(0);
    expect(job.data.syntheticDataJob.report.quality.overall).toBeGreaterThan(0.8);
  });
});
