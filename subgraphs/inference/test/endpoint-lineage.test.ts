// Endpoint deployments reach a real catalog as lineage: model versions → deploy/<endpoint> → endpoints/<id>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINEAGE_NAMESPACES, lineageNames } from '../../../lib/contracts/index';
import type { CatalogHarness } from '../../catalog/test/catalog.harness';
import { startCatalog } from '../../catalog/test/catalog.harness';
import { buildDenseSigmoidModel } from './support/onnx-model.builder';
import { ALL_INFERENCE, startInferenceHarness, waitFor, type InferenceHarness } from './support/inference.harness';

let catalog: CatalogHarness;
let h: InferenceHarness;
let admin: string;
let reader: string;

const RUNS =
  'query($ns: String!, $name: String!) { lineageRuns(namespace: $ns, name: $name) { runId state inputs { namespace name } outputs { namespace name } facets } }';
const UPSTREAM =
  'query($from: LineageNodeInput!) { lineage(from: $from, direction: UPSTREAM) { nodes { depth node { kind namespace name } } } }';

beforeAll(async () => {
  catalog = await startCatalog();
  h = await startInferenceHarness({ catalogUrl: catalog.service.url }, undefined, catalog.issuer);
  admin = await h.token(ALL_INFERENCE);
  reader = await h.token(['catalog:read']);
});
afterAll(async () => {
  await h?.close();
  await catalog?.stop();
});

const model = (version: number) =>
  h.platform.addModel({
    organizationId: h.org,
    modelName: 'lineage-scorer',
    version,
    bytes: buildDenseSigmoidModel([[0.1], [0.2], [0.3], [0.4]], [0]),
  });

describe('endpoint lineage', () => {
  it('reports create, traffic split and version changes as deploy runs into the endpoint node; settings alone are not', async () => {
    const v1 = model(1);
    const v2 = model(2);
    const created = await h.gql(
      'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id name } }',
      { i: { name: 'lineage-ep', routes: [{ modelVersion: v1.id, weight: 1 }] } },
      admin,
    );
    expect(created.errors).toBeUndefined();
    const endpoint = created.data.createEndpoint;
    const endpointNode = { namespace: LINEAGE_NAMESPACES.inference, name: lineageNames.endpoint(endpoint.id) };
    const job = { ns: LINEAGE_NAMESPACES.inference, name: lineageNames.endpointDeployJob('lineage-ep') };
    const runs = async (n: number) =>
      waitFor(
        async () => {
          const r = (await catalog.gql(RUNS, job, reader)).data?.lineageRuns;
          return r?.length === n ? r : undefined;
        },
        10_000,
        `${n} deploy runs`,
      );
    const [first] = await runs(1);
    expect(first).toMatchObject({
      state: 'COMPLETE',
      inputs: [{ namespace: 'aic://models', name: `model-versions/${v1.id}` }],
      outputs: [endpointNode],
    });
    expect(first.facets.trafficSplit).toMatchObject({
      routes: [{ modelVersionId: v1.id, weight: 1 }],
      shadowModelVersionId: null,
    });

    // Replicas only: not a deployment.
    const scaled = await h.gql(
      'mutation($id: ID!, $i: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $i) { id } }',
      { id: endpoint.id, i: { replicas: 2 } },
      admin,
    );
    expect(scaled.errors).toBeUndefined();
    await h.built.services.endpointLineage!.settled();
    expect(await runs(1)).toHaveLength(1);

    // A canary: v2 added with 10 % of the traffic.
    const canary = await h.gql(
      'mutation($id: ID!, $i: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $i) { id } }',
      {
        id: endpoint.id,
        i: {
          routes: [
            { modelVersion: v1.id, weight: 9 },
            { modelVersion: v2.id, weight: 1 },
          ],
        },
      },
      admin,
    );
    expect(canary.errors).toBeUndefined();
    const [latest] = await runs(2);
    expect(latest.inputs.map((d: any) => d.name).sort()).toEqual(
      [`model-versions/${v1.id}`, `model-versions/${v2.id}`].sort(),
    );
    expect(latest.facets.trafficSplit.routes).toEqual([
      { modelVersionId: v1.id, weight: 9 },
      { modelVersionId: v2.id, weight: 1 },
    ]);

    // The catalog joins it up: endpoint ← deploy ← both model versions.
    const graph = await catalog.gql(UPSTREAM, { from: endpointNode }, reader);
    expect(graph.errors).toBeUndefined();
    expect(graph.data.lineage.nodes.map((n: any) => `${n.depth} ${n.node.kind} ${n.node.name}`).sort()).toEqual(
      [
        `0 DATASET endpoints/${endpoint.id}`,
        '1 JOB deploy/lineage-ep',
        `2 DATASET model-versions/${v1.id}`,
        `2 DATASET model-versions/${v2.id}`,
      ].sort(),
    );
  });

  it('never fails the deploy when the catalog cannot be reached', async () => {
    const down = await startInferenceHarness({ catalogUrl: 'http://127.0.0.1:9' });
    try {
      const token = await down.token(ALL_INFERENCE);
      const v = down.platform.addModel({
        organizationId: down.org,
        modelName: 'offline',
        version: 1,
        bytes: buildDenseSigmoidModel([[0.1], [0.2], [0.3], [0.4]], [0]),
      });
      const res = await down.gql(
        'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id name } }',
        { i: { name: 'offline-ep', routes: [{ modelVersion: v.id, weight: 1 }] } },
        token,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.createEndpoint.name).toBe('offline-ep');
    } finally {
      await down.close();
    }
  });
});
