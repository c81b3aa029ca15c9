import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogHarness } from './catalog.harness';
import { READER, WRITER, createWithContent, startCatalog } from './catalog.harness';
import { testDatabases } from './databases';
import { OPENLINEAGE_FIXTURES } from './fixtures';

let h: CatalogHarness;

const INGEST =
  'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { eventId kind runKey job { namespace name } } }';
const exampleFiles = [
  'serde_example_run_event.json',
  'serde_example_job_event.json',
  'serde_example_dataset_event.json',
  'tests/example_full_event.json',
];

function runEvent(
  job: string,
  inputs: { namespace: string; name: string }[],
  outputs: { namespace: string; name: string }[],
  eventType = 'COMPLETE',
  runId = randomUUID(),
) {
  return {
    eventTime: new Date().toISOString(),
    eventType,
    producer: 'https://github.com/aic/platform/models',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId },
    job: { namespace: 'aic://models', name: job },
    inputs,
    outputs,
  };
}

describe.each(testDatabases())('on $label', (db) => {
  beforeAll(async () => {
    h = await startCatalog({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await h?.stop();
    await db.drop();
  });

  describe('lineage API', () => {
    it('ingests every example event of the spec through the mutation', async () => {
      const token = await h.token({ org: 'org-l', perms: WRITER });
      for (const file of exampleFiles) {
        const event = JSON.parse(fs.readFileSync(path.join(OPENLINEAGE_FIXTURES, file), 'utf8'));
        const res = await h.gql(INGEST, { e: event }, token);
        expect(res.errors, file).toBeUndefined();
      }
      const run = await h.gql(
        '{ lineageRun(runId: "69f4acab-b87d-4fc0-b27b-8ea950370ff3") { state job { name } facets } }',
        {},
        token,
      );
      expect(run.data.lineageRun).toMatchObject({ state: 'START', job: { name: 'name' } });
      expect(run.data.lineageRun.facets.nominalTime.nominalStartTime).toBe('2020-01-01');
      const node = await h.gql('{ lineageNode(namespace: "openlineage", name: "name") { facets } }', {}, token);
      expect(node.data.lineageNode.facets.schema.fields).toEqual([
        { name: 'a', type: 'string' },
        { name: 'b', type: 'string' },
      ]);
    });

    it('refuses malformed events with BAD_USER_INPUT and the validation paths', async () => {
      const token = await h.token({ org: 'org-l', perms: WRITER });
      const event: any = runEvent('bad', [], []);
      event.run.runId = 'nope';
      event.eventType = 'FINISHED';
      delete event.producer;
      const res = await h.gql(INGEST, { e: event }, token);
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions.fields).toEqual(
        expect.arrayContaining([
          { field: '/producer', message: "must have required property 'producer'" },
          { field: '/eventType', message: 'must be equal to one of the allowed values' },
          { field: '/run/runId', message: 'must match format "uuid"' },
        ]),
      );
      const rest = await fetch(`${h.service.url}/api/v1/lineage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(event),
      });
      expect(rest.status).toBe(400);
      expect(((await rest.json()) as any).fields).toContainEqual({
        field: '/run/runId',
        message: 'must match format "uuid"',
      });
      const reader = await h.token({ org: 'org-l', perms: READER });
      expect((await h.gql(INGEST, { e: runEvent('x', [], []) }, reader)).errors?.[0].extensions.code).toBe('FORBIDDEN');
      const anon = await fetch(`${h.service.url}/api/v1/lineage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(anon.status).toBe(401);
      const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
      expect(metrics).toMatch(/catalog_lineage_events_total\{[^}]*outcome="invalid"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/catalog_lineage_events_total\{[^}]*kind="RunEvent",outcome="accepted"[^}]*\} [1-9]/);
    });

    it('builds the graph from a chain of events posted Marquez-style, linking catalog datasets, with depth bounds', async () => {
      const token = await h.token({ org: 'org-chain', perms: WRITER });
      const { id } = await createWithContent(h, token, { name: 'training-data', format: 'CSV' }, 'x,y\n1,2\n');
      const catalogDs = { namespace: 'aic://catalog', name: `datasets/${id}` };
      const post = async (e: unknown): Promise<number> =>
        (
          await fetch(`${h.service.url}/api/v1/lineage`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(e),
          })
        ).status;
      expect(await post(runEvent('extract', [{ namespace: 's3://raw', name: 'events' }], [catalogDs]))).toBe(201);
      expect(
        await post(runEvent('train', [catalogDs], [{ namespace: 'aic://models', name: 'model-versions/m1' }])),
      ).toBe(201);
      expect(
        await post(
          runEvent(
            'evaluate',
            [{ namespace: 'aic://models', name: 'model-versions/m1' }],
            [{ namespace: 'aic://models', name: 'reports/m1' }],
          ),
        ),
      ).toBe(201);
      const q =
        'query($id: ID!, $d: Int!, $dir: LineageDirection!) { dataset(id: $id) { lineage(depth: $d, direction: $dir) { truncated nodes { depth node { kind name dataset { id } } } edges { fromId toId } } } }';
      const both = (await h.gql(q, { id, d: 4, dir: 'BOTH' }, token)).data.dataset.lineage;
      expect(both.nodes.map((n: any) => `${n.depth} ${n.node.kind} ${n.node.name}`)).toEqual([
        `0 DATASET datasets/${id}`,
        '1 JOB extract',
        '1 JOB train',
        '2 DATASET events',
        '2 DATASET model-versions/m1',
        '3 JOB evaluate',
        '4 DATASET reports/m1',
      ]);
      expect(both.nodes[0].node.dataset).toEqual({ id });
      expect(both.edges).toHaveLength(6);
      const down2 = (await h.gql(q, { id, d: 2, dir: 'DOWNSTREAM' }, token)).data.dataset.lineage;
      expect(down2.nodes.map((n: any) => n.node.name)).toEqual([`datasets/${id}`, 'train', 'model-versions/m1']);
      const job = await h.gql(
        '{ lineage(namespace: "aic://models", name: "train", kind: JOB, direction: UPSTREAM, depth: 1) { nodes { node { name } } } }',
        {},
        token,
      );
      expect(job.data.lineage.nodes.map((n: any) => n.node.name)).toEqual(['train', `datasets/${id}`]);
      const tooDeep = await h.gql(
        '{ lineage(namespace: "aic://models", name: "train", kind: JOB, depth: 99) { truncated } }',
        {},
        token,
      );
      expect(tooDeep.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'depth' }] });
      const other = await h.token({ org: 'org-elsewhere', perms: WRITER });
      expect(
        (await h.gql('{ lineage(namespace: "aic://models", name: "train", kind: JOB) { truncated } }', {}, other))
          .errors?.[0].extensions.code,
      ).toBe('NOT_FOUND');
    });

    it('answers column lineage from the facet', async () => {
      const token = await h.token({ org: 'org-col', perms: WRITER });
      const facet = JSON.parse(
        fs.readFileSync(path.join(OPENLINEAGE_FIXTURES, 'tests/ColumnLineageDatasetFacet/1.json'), 'utf8'),
      );
      const e = runEvent(
        'discounts',
        [{ namespace: 'SnowflakeOpenLineage', name: 'CUSTOMERS' }],
        [{ namespace: 'SnowflakeOpenLineage', name: 'CUSTOMER_DISCOUNTS', facets: facet } as any],
      );
      expect((await h.gql(INGEST, { e }, token)).errors).toBeUndefined();
      const res = await h.gql(
        '{ columnLineage(namespace: "SnowflakeOpenLineage", name: "CUSTOMER_DISCOUNTS", field: "NAME") { depth input { dataset { name } field } output { field } transformations } }',
        {},
        token,
      );
      expect(res.data.columnLineage.map((l: any) => `${l.input.dataset.name}.${l.input.field}`).sort()).toEqual([
        'CUSTOMERS.ID',
        'CUSTOMERS.NAME',
        'DISCOUNTS.CUSTOMERS_ID',
      ]);
    });

    it('streams lineage events of the organization over graphql-ws', async () => {
      const token = await h.token({ org: 'org-ws', perms: WRITER });
      const outsider = await h.token({ org: 'org-ws-other', perms: WRITER });
      const client = createClient({
        url: h.service.graphqlUrl.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
      });
      const received: any[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const unsubscribe = client.subscribe(
          {
            query:
              'subscription { lineageEvents(namespace: "aic://models") { kind eventType job { name } inputs { name } outputs { name } } }',
          },
          {
            next: (v) => {
              received.push(v.data);
              unsubscribe();
              resolve();
            },
            error: reject,
            complete: () => resolve(),
          },
        );
      });
      // graphql-ws subscribes asynchronously: publish until the first event arrives; the outsider's never arrive.
      const inflight: Promise<unknown>[] = [];
      const timer = setInterval(() => {
        inflight.push(h.gql(INGEST, { e: runEvent('outsider', [], [{ namespace: 'x', name: 'y' }]) }, outsider));
        inflight.push(
          h.gql(
            INGEST,
            { e: runEvent('train', [{ namespace: 's3://raw', name: 'a' }], [{ namespace: 'x', name: 'b' }], 'START') },
            token,
          ),
        );
      }, 100);
      await done;
      clearInterval(timer);
      await Promise.all(inflight);
      await client.dispose();
      expect(received[0]).toEqual({
        lineageEvents: {
          kind: 'RunEvent',
          eventType: 'START',
          job: { name: 'train' },
          inputs: [{ name: 'a' }],
          outputs: [{ name: 'b' }],
        },
      });
    });
  });
});
