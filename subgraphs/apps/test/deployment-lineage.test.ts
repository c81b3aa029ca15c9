// A rollout reaches a real catalog as lineage, joined to what inference reports of the same release:
// dataset → training/<model> → model-versions/<id> → deploy/<endpoint> → endpoints/<id>
// → deploy/<application>/<environment> → applications/<id>. Real catalog, inference and apps on port 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINEAGE_NAMESPACES, lineageNames } from '../../../lib/contracts/index';
import type { CatalogHarness } from '../../catalog/test/catalog.harness';
import { createWithContent, startCatalog } from '../../catalog/test/catalog.harness';
import type { InferenceHarness } from '../../inference/test/support/inference.harness';
import { ALL_INFERENCE, startInferenceHarness, waitFor } from '../../inference/test/support/inference.harness';
import { buildDenseSigmoidModel } from '../../inference/test/support/onnx-model.builder';
import type { AppsHarness } from './support/apps.harness';
import { ALL_APPS, startApps } from './support/apps.harness';

let catalog: CatalogHarness;
let inference: InferenceHarness;
let apps: AppsHarness;
let token: string;

const UPSTREAM =
  'query($from: LineageNodeInput!) { lineage(from: $from, direction: UPSTREAM) { nodes { depth node { kind namespace name } } } }';
const DEPLOY =
  'mutation($input: DeployInput!) { deploy(input: $input) { deployment { id status revision endpoints { name endpoint { id } } } } }';

beforeAll(async () => {
  catalog = await startCatalog();
  inference = await startInferenceHarness({ catalogUrl: catalog.service.url }, undefined, catalog.issuer);
  apps = await startApps(catalog.issuer, { inferenceUrl: inference.service.url, catalogUrl: catalog.service.url });
  token = await inference.token([...ALL_APPS, ...ALL_INFERENCE, 'catalog:read', 'catalog:write']);
}, 120_000);

afterAll(async () => {
  await apps?.close();
  await inference?.close();
  await catalog?.stop();
});

describe('deployment lineage', () => {
  it('a rollout reports the endpoints it uses into the application node, and the chain reaches the dataset', async () => {
    // What models reports of a training run (dataset → training → model version).
    const { id: datasetId } = await createWithContent(catalog, token, { name: 'fraud', format: 'CSV' }, 'a,b\n1,0\n');
    const mv = inference.platform.addModel({
      organizationId: inference.org,
      modelName: 'fraud',
      version: 1,
      bytes: buildDenseSigmoidModel([[0.5], [0.25]], [0.1]),
    }).id;
    const training = await catalog.gql(
      'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { eventId } }',
      {
        e: {
          eventTime: new Date().toISOString(),
          eventType: 'COMPLETE',
          producer: 'https://github.com/aic-platform/aic-ai-platform/tree/main/subgraphs/models',
          schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
          run: { runId: '0d0c3f7e-3f0b-4c4e-9c2a-5b0f0e6d1a01' },
          job: { namespace: LINEAGE_NAMESPACES.models, name: lineageNames.trainingJob('fraud') },
          inputs: [{ namespace: LINEAGE_NAMESPACES.catalog, name: lineageNames.catalogDataset(datasetId) }],
          outputs: [{ namespace: LINEAGE_NAMESPACES.models, name: lineageNames.modelVersion(mv) }],
        },
      },
      token,
    );
    expect(training.errors).toBeUndefined();

    const app = (
      await apps.gql(
        'mutation { createApplication(input: { name: "Fraud Desk", environments: ["production"] }) { id name } }',
        {},
        token,
      )
    ).data.createApplication;
    const res = await apps.gql(
      DEPLOY,
      {
        input: {
          applicationId: app.id,
          environment: 'production',
          endpoints: [{ name: 'score', weight: 100, routes: [{ modelVersion: mv, weight: 1 }] }],
        },
      },
      token,
    );
    expect(res.errors).toBeUndefined();
    const deployment = res.data.deploy.deployment;
    expect(deployment).toMatchObject({ status: 'RUNNING', revision: 1 });
    const endpointId = deployment.endpoints[0].endpoint.id;

    const appNode = { namespace: LINEAGE_NAMESPACES.apps, name: lineageNames.application(app.id) };
    const chain = await waitFor(
      async () => {
        const g = await catalog.gql(UPSTREAM, { from: appNode }, token);
        const nodes = g.data?.lineage?.nodes ?? [];
        return nodes.length === 7 ? nodes : undefined;
      },
      15_000,
      'the whole chain upstream of the application',
    );
    const endpointName = (
      await inference.gql('query($id: String!) { endpoint(id: $id) { name } }', { id: endpointId }, token)
    ).data.endpoint.name;
    expect(chain.map((n: any) => `${n.depth} ${n.node.kind} ${n.node.namespace} ${n.node.name}`)).toEqual([
      `0 DATASET aic://apps applications/${app.id}`,
      '1 JOB aic://apps deploy/Fraud Desk/production',
      `2 DATASET aic://inference endpoints/${endpointId}`,
      `3 JOB aic://inference deploy/${endpointName}`,
      `4 DATASET aic://models model-versions/${mv}`,
      '5 JOB aic://models training/fraud',
      `6 DATASET aic://catalog datasets/${datasetId}`,
    ]);
    const [run] = (
      await catalog.gql(
        'query($ns: String!, $name: String!) { lineageRuns(namespace: $ns, name: $name) { runId state facets } }',
        { ns: LINEAGE_NAMESPACES.apps, name: lineageNames.applicationDeployJob('Fraud Desk', 'production') },
        token,
      )
    ).data.lineageRuns;
    expect(run.state).toBe('COMPLETE');
    expect(run.facets.release).toMatchObject({
      deploymentId: deployment.id,
      environment: 'production',
      revision: 1,
      rolledBackFrom: null,
      endpoints: [{ name: 'score', weight: 100, endpointId }],
    });
  });

  it('a rollout succeeds when the catalog cannot be reached', async () => {
    const offline = await startApps(catalog.issuer, {
      inferenceUrl: inference.service.url,
      catalogUrl: 'http://127.0.0.1:9',
    });
    try {
      const mv = inference.platform.addModel({
        organizationId: inference.org,
        modelName: 'offline',
        version: 1,
        bytes: buildDenseSigmoidModel([[0.5], [0.25]], [0.1]),
      }).id;
      const app = (
        await offline.gql(
          'mutation { createApplication(input: { name: "Offline", environments: ["dev"] }) { id } }',
          {},
          token,
        )
      ).data.createApplication;
      const res = await offline.gql(
        DEPLOY,
        {
          input: {
            applicationId: app.id,
            environment: 'dev',
            endpoints: [{ name: 'x', weight: 100, routes: [{ modelVersion: mv, weight: 1 }] }],
          },
        },
        token,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.deploy.deployment).toMatchObject({ status: 'RUNNING', revision: 1 });
    } finally {
      await offline.close();
    }
  });
});
