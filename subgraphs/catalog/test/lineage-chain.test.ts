// The platform's lineage chain as its services emit it (names from lib/contracts): dataset → training
// run → model version → endpoint deployment → endpoint → application rollout → application, with a
// batch inference run and a synthetic data job off the same nodes; `lineage(from:)` from any of them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINEAGE_NAMESPACES as NS, lineageNames as names } from '../../../lib/contracts/index';
import type { CatalogHarness } from './catalog.harness';
import { WRITER, createWithContent, startCatalog } from './catalog.harness';
import { testDatabases } from './databases';

type Node = { namespace: string; name: string };

const GRAPH = `query($from: LineageNodeInput!, $dir: LineageDirection!) {
  lineage(from: $from, direction: $dir) { truncated nodes { depth node { id kind namespace name } } edges { fromId toId } }
}`;

function runEvent(job: Node, inputs: Node[], outputs: Node[]) {
  return {
    eventTime: new Date().toISOString(),
    eventType: 'COMPLETE',
    producer: 'https://github.com/aic-platform/aic-ai-platform/tree/main/test',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: randomUUID() },
    job,
    inputs,
    outputs,
  };
}

const label = (n: { depth: number; node: { kind: string; namespace: string; name: string } }) =>
  `${n.depth} ${n.node.kind} ${n.node.namespace} ${n.node.name}`;

describe.each(testDatabases())('the platform lineage chain on $label', (db) => {
  let h: CatalogHarness;
  let token: string;
  const ids = { mv: randomUUID(), endpoint: randomUUID(), app: randomUUID(), synthetic: randomUUID() };
  let dataset = '';
  let predictions = '';
  let synthesized = '';
  const node = {
    dataset: (): Node => ({ namespace: NS.catalog, name: names.catalogDataset(dataset) }),
    training: { namespace: NS.models, name: names.trainingJob('churn') },
    modelVersion: { namespace: NS.models, name: names.modelVersion(ids.mv) },
    deploy: { namespace: NS.inference, name: names.endpointDeployJob('churn-live') },
    endpoint: { namespace: NS.inference, name: names.endpoint(ids.endpoint) },
    rollout: { namespace: NS.apps, name: names.applicationDeployJob('shop', 'production') },
    app: { namespace: NS.apps, name: names.application(ids.app) },
    batch: { namespace: NS.inference, name: names.batchInferenceJob('churn-live') },
    synthetic: { namespace: NS.synthetic, name: names.syntheticJob(ids.synthetic) },
  };

  beforeAll(async () => {
    h = await startCatalog({ databaseUrl: db.url });
    token = await h.token({ org: `org-chain-${randomUUID()}`, perms: WRITER });
    dataset = (await createWithContent(h, token, { name: 'churn', format: 'CSV' }, 'a,b\n1,2\n')).id;
    predictions = (await createWithContent(h, token, { name: 'churn-scored', format: 'CSV' }, 'a,y\n1,0\n')).id;
    synthesized = (await createWithContent(h, token, { name: 'churn-synth', format: 'CSV' }, 'a,b\n3,4\n')).id;
    const events = [
      runEvent(node.training, [node.dataset()], [node.modelVersion]),
      runEvent(node.deploy, [node.modelVersion], [node.endpoint]),
      runEvent(node.rollout, [node.endpoint], [node.app]),
      runEvent(
        node.batch,
        [node.dataset(), node.modelVersion, node.endpoint],
        [{ namespace: NS.catalog, name: names.catalogDataset(predictions) }],
      ),
      runEvent(node.synthetic, [node.dataset()], [{ namespace: NS.catalog, name: names.catalogDataset(synthesized) }]),
    ];
    // Posted the way the services' emitters post them (Marquez's route).
    for (const e of events) {
      const res = await fetch(`${h.service.url}/api/v1/lineage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(e),
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await h?.stop();
    await db.drop();
  });

  it('from the application: upstream through endpoint, model version and training to the dataset', async () => {
    const res = await h.gql(GRAPH, { from: node.app, dir: 'BOTH' }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.lineage.nodes.map(label)).toEqual([
      `0 DATASET aic://apps applications/${ids.app}`,
      '1 JOB aic://apps deploy/shop/production',
      `2 DATASET aic://inference endpoints/${ids.endpoint}`,
      '3 JOB aic://inference deploy/churn-live',
      `4 DATASET aic://models model-versions/${ids.mv}`,
      '5 JOB aic://models training/churn',
      `6 DATASET aic://catalog datasets/${dataset}`,
    ]);
    // A path, edge by edge, from the dataset to the application.
    const byId = new Map(res.data.lineage.nodes.map((n: any) => [n.node.id, n.depth]));
    expect(res.data.lineage.edges.map((e: any) => [byId.get(e.fromId), byId.get(e.toId)]).sort()).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 4],
      [6, 5],
    ]);
  });

  it('from the dataset: downstream through the application, with the batch run and the synthetic job', async () => {
    const res = await h.gql(GRAPH, { from: node.dataset(), dir: 'DOWNSTREAM' }, token);
    expect(res.errors).toBeUndefined();
    // (Nodes come by depth, then by name: the two output datasets' order is their random ids'.)
    expect(res.data.lineage.nodes.map(label).sort()).toEqual(
      [
        `0 DATASET aic://catalog datasets/${dataset}`,
        '1 JOB aic://inference batch-inference.churn-live',
        '1 JOB aic://models training/churn',
        `1 JOB aic://synthetic synthetic-data-job/${ids.synthetic}`,
        `2 DATASET aic://catalog datasets/${predictions}`,
        `2 DATASET aic://catalog datasets/${synthesized}`,
        `2 DATASET aic://models model-versions/${ids.mv}`,
        '3 JOB aic://inference deploy/churn-live',
        `4 DATASET aic://inference endpoints/${ids.endpoint}`,
        '5 JOB aic://apps deploy/shop/production',
        `6 DATASET aic://apps applications/${ids.app}`,
      ].sort(),
    );
    // The dataset's own lineage field reaches as far.
    const field = await h.gql(
      'query($id: ID!) { dataset(id: $id) { lineage(direction: DOWNSTREAM) { nodes { depth node { name } } } } }',
      { id: dataset },
      token,
    );
    expect(field.data.dataset.lineage.nodes.at(-1)).toEqual({ depth: 6, node: { name: names.application(ids.app) } });
  });

  it('from a job, a model version or an endpoint (kind found by itself): both ways', async () => {
    const fromJob = await h.gql(GRAPH, { from: node.deploy, dir: 'BOTH' }, token);
    expect(fromJob.errors).toBeUndefined();
    expect(fromJob.data.lineage.nodes[0].node).toMatchObject({ kind: 'JOB', name: 'deploy/churn-live' });
    const namesOf = (r: any) => r.data.lineage.nodes.map((n: any) => n.node.name);
    expect(namesOf(fromJob)).toEqual(
      expect.arrayContaining([names.catalogDataset(dataset), names.application(ids.app), node.batch.name]),
    );
    for (const from of [node.modelVersion, node.endpoint]) {
      const res = await h.gql(GRAPH, { from, dir: 'BOTH' }, token);
      expect(res.errors).toBeUndefined();
      expect(namesOf(res)).toEqual(expect.arrayContaining([names.catalogDataset(dataset), names.application(ids.app)]));
    }
  });

  it('refuses a missing, doubled or ambiguous start node, and answers NOT_FOUND for an unknown one', async () => {
    const both = await h.gql(
      '{ lineage(from: { namespace: "aic://apps", name: "x" }, namespace: "aic://apps", name: "x") { truncated } }',
      {},
      token,
    );
    expect(both.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'from' }] });
    const none = await h.gql('{ lineage { truncated } }', {}, token);
    expect(none.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'from' }] });
    const empty = await h.gql('{ lineage(from: { namespace: "aic://apps", name: " " }) { truncated } }', {}, token);
    expect(empty.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'from.name' }] });
    const unknown = await h.gql(
      GRAPH,
      { from: { namespace: NS.apps, name: names.application('nope') }, dir: 'BOTH' },
      token,
    );
    expect(unknown.errors?.[0].extensions.code).toBe('NOT_FOUND');
    // A job and a dataset of one name: the kind decides.
    const twin = { namespace: 'aic://test-twin', name: 'twin' };
    const post = await h.gql(
      'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { eventId } }',
      { e: runEvent(twin, [], [twin]) },
      token,
    );
    expect(post.errors).toBeUndefined();
    const ambiguous = await h.gql(GRAPH, { from: twin, dir: 'BOTH' }, token);
    expect(ambiguous.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'from.kind' }],
    });
    const asJob = await h.gql(GRAPH, { from: { ...twin, kind: 'JOB' }, dir: 'DOWNSTREAM' }, token);
    expect(asJob.data.lineage.nodes.map(label)).toEqual([
      '0 JOB aic://test-twin twin',
      '1 DATASET aic://test-twin twin',
    ]);
    // Another organization sees none of it.
    const other = await h.token({ org: `org-other-${randomUUID()}`, perms: WRITER });
    expect((await h.gql(GRAPH, { from: node.app, dir: 'BOTH' }, other)).errors?.[0].extensions.code).toBe('NOT_FOUND');
  });
});
