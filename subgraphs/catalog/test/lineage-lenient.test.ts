// OpenLineage ingestion keeps lineage that breaks the spec in non-fatal ways (as Marquez does): the
// dbt integration sends `dataSource.uri: "bigquery"`, which the spec's `format: uri` refuses. Such an
// event is stored whole, folded into the graph without the offending facet, and answered with
// warnings; only what the graph cannot be built from is refused — or everything, when strict.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogHarness } from './catalog.harness';
import { WRITER, startCatalog } from './catalog.harness';

const INGEST =
  'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { eventId kind job { name } warnings { path message } } }';

/** A COMPLETE run event shaped like dbt-ol's, with a BigQuery data source whose `uri` is not a URI. */
function dbtEvent(job: string) {
  return {
    eventTime: new Date().toISOString(),
    eventType: 'COMPLETE',
    producer: 'https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/dbt',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: randomUUID() },
    job: { namespace: 'dbt://analytics', name: job },
    inputs: [
      {
        namespace: 'bigquery',
        name: 'project.raw.orders',
        facets: {
          dataSource: {
            _producer: 'https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/dbt',
            _schemaURL:
              'https://openlineage.io/spec/facets/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet',
            name: 'bigquery',
            uri: 'bigquery',
          },
          schema: {
            _producer: 'https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/dbt',
            _schemaURL: 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
            fields: [{ name: 'order_id', type: 'INT64' }],
          },
        },
      },
    ],
    outputs: [{ namespace: 'bigquery', name: `project.marts.${job}` }],
  };
}

const post = async (h: CatalogHarness, token: string, body: unknown) => {
  const res = await fetch(`${h.service.url}/api/v1/lineage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { warnings?: { path: string }[]; fields?: unknown[] } };
};

describe('lenient OpenLineage ingestion (the default)', () => {
  let h: CatalogHarness;
  beforeAll(async () => {
    h = await startCatalog();
  });
  afterAll(() => h?.stop());

  it('accepts an event whose facet breaks its schema, with warnings, and keeps its lineage', async () => {
    const token = await h.token({ org: 'org-dbt', perms: WRITER });
    const res = await h.gql(INGEST, { e: dbtEvent('orders_daily') }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.ingestLineageEvent.job).toEqual({ name: 'orders_daily' });
    expect(res.data.ingestLineageEvent.warnings).toEqual([
      { path: '/inputs/0/facets/dataSource/uri', message: 'must match format "uri"' },
    ]);
    // The graph has the whole chain; the input keeps its valid facet, the invalid one is left out.
    const graph = await h.gql(
      '{ lineage(namespace: "dbt://analytics", name: "orders_daily", kind: JOB, depth: 2) { nodes { node { namespace name } } } }',
      {},
      token,
    );
    expect(graph.errors).toBeUndefined();
    expect(graph.data.lineage.nodes.map((n: { node: { name: string } }) => n.node.name).sort()).toEqual(
      ['orders_daily', 'project.marts.orders_daily', 'project.raw.orders'].sort(),
    );
    const input = await h.gql(
      '{ lineageNode(namespace: "bigquery", name: "project.raw.orders") { facets } }',
      {},
      token,
    );
    expect(input.data.lineageNode.facets.schema.fields).toEqual([{ name: 'order_id', type: 'INT64' }]);
    expect(input.data.lineageNode.facets.dataSource).toBeUndefined();
  });

  it('answers Marquez-style posts 201 with the warnings, and counts them in metrics', async () => {
    const token = await h.token({ org: 'org-dbt', perms: WRITER });
    const res = await post(h, token, dbtEvent('customers'));
    expect(res.status).toBe(201);
    expect(res.body.warnings?.map((w) => w.path)).toEqual(['/inputs/0/facets/dataSource/uri']);
    const clean = dbtEvent('clean');
    delete (clean.inputs[0]!.facets as Record<string, unknown>).dataSource;
    expect(await post(h, token, clean)).toEqual({ status: 201, body: {} });
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    expect(metrics).toMatch(/catalog_lineage_events_total\{[^}]*outcome="accepted_with_warnings"[^}]*\} [2-9]/);
    expect(metrics).toMatch(/catalog_lineage_event_warnings_total\{[^}]*kind="RunEvent"[^}]*\} [2-9]/);
  });

  it('leaves out a facet map that is not a map, and still refuses what the graph cannot be built from', async () => {
    const token = await h.token({ org: 'org-dbt', perms: WRITER });
    const odd = { ...dbtEvent('odd'), run: { runId: randomUUID(), facets: 'not an object' } };
    const accepted = await h.gql(INGEST, { e: odd }, token);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.ingestLineageEvent.warnings.map((w: { path: string }) => w.path)).toContain('/run/facets');
    const broken = dbtEvent('broken') as Record<string, unknown>;
    broken.job = { namespace: 'dbt://analytics' };
    const refused = await h.gql(INGEST, { e: broken }, token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // The refusal names every violation, the non-fatal one too.
    expect(refused.errors?.[0]?.extensions?.fields).toEqual(
      expect.arrayContaining([
        { field: '/job/name', message: "must have required property 'name'" },
        { field: '/inputs/0/facets/dataSource/uri', message: 'must match format "uri"' },
      ]),
    );
    const rest = await post(h, token, broken);
    expect(rest.status).toBe(400);
  });
});

describe('strict OpenLineage ingestion (AIC_OPENLINEAGE_STRICT=true)', () => {
  let h: CatalogHarness;
  beforeAll(async () => {
    h = await startCatalog({ openLineageStrict: true });
  });
  afterAll(() => h?.stop());

  it('refuses any spec violation and stores nothing', async () => {
    const token = await h.token({ org: 'org-strict', perms: WRITER });
    const res = await h.gql(INGEST, { e: dbtEvent('orders_daily') }, token);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.fields).toEqual([
      { field: '/inputs/0/facets/dataSource/uri', message: 'must match format "uri"' },
    ]);
    expect((await post(h, token, dbtEvent('customers'))).status).toBe(400);
    const node = await h.gql(
      '{ lineageNode(namespace: "dbt://analytics", name: "orders_daily", kind: JOB) { name } }',
      {},
      token,
    );
    expect(node.data.lineageNode).toBeNull();
  });
});
