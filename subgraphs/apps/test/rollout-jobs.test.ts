// Rollouts are jobs (issue #17): a release is applied by whichever replica's worker claims it, waits
// in the queue while no worker runs, and acts at inference for the user who asked for it through a
// delegated token (issue #19). Two apps replicas on one database, the real inference service.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../../lib/src/testing/harness';
import { ALL_INFERENCE, startInferenceHarness } from '../../inference/test/support/inference.harness';
import type { InferenceHarness } from '../../inference/test/support/inference.harness';
import { buildDenseSigmoidModel } from '../../inference/test/support/onnx-model.builder';
import { rolloutJobId } from '../src/deployment/rollout.model';
import { registerEndpoints } from '../src/drivers/endpoint.registrar';
import type { DriverTarget } from '../src/drivers/driver.model';
import { InferenceClient } from '../src/drivers/inference.client';
import { ALL_APPS, startApps } from './support/apps.harness';
import type { AppsHarness } from './support/apps.harness';

let inference: InferenceHarness;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-rollouts-'));
const databaseUrl = path.join(dir, 'apps.sqlite');
const replicas: AppsHarness[] = [];
const userId = randomUUID();
let token = '';
let model = '';

const start = async (consume: boolean, rolloutWaitSeconds = 60) => {
  const apps = await startApps(
    inference.issuer,
    { inferenceUrl: inference.service.url, databaseUrl, rolloutWaitSeconds, jobLeaseMs: 2_000 },
    { kit: { consume } },
  );
  replicas.push(apps);
  return apps;
};

const call = async (apps: AppsHarness, query: string, variables: Record<string, unknown> = {}) => {
  const res = await apps.gql(query, variables, token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
};

const DEPLOY =
  'mutation($input: DeployInput!) { deploy(input: $input) { deployment { id status revision endpoints { name endpoint { id } } } } }';

beforeAll(async () => {
  inference = await startInferenceHarness();
  token = await inference.issuer.issue({ sub: userId, org: inference.org, perms: [...ALL_APPS, ...ALL_INFERENCE] });
  model = inference.platform.addModel({
    organizationId: inference.org,
    modelName: 'scorer',
    version: 1,
    bytes: buildDenseSigmoidModel([[0.5], [0.25]], [0.1]),
  }).id;
}, 120_000);

afterAll(async () => {
  for (const r of replicas.reverse()) await r.close().catch(() => undefined);
  await inference?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('rollouts as jobs', () => {
  it("runs on another replica's worker, for the user who deployed, and waits in the queue while no worker runs", async () => {
    const api = await start(false);
    const worker = await start(true);
    const { createApplication: app } = await call(
      api,
      'mutation { createApplication(input: { name: "Queued" }) { id } }',
    );
    const input = (environment: string) => ({
      applicationId: app.id,
      environment,
      endpoints: [{ name: 'main', weight: 100, routes: [{ modelVersion: model, weight: 1 }] }],
    });

    // The API replica does not consume: the worker replica applied the release and the mutation saw it finish.
    const { deployment } = (await call(api, DEPLOY, { input: input('dev') })).deploy;
    expect(deployment).toMatchObject({ status: 'RUNNING', revision: 1 });
    const endpointId = deployment.endpoints[0].endpoint.id as string;
    expect((await api.built.jobs.status(rolloutJobId(deployment.id, 1)))?.state).toBe('done');
    // Inference saw the user (the delegated token), not the apps service.
    const created = await gql(
      inference.service.graphqlUrl,
      'query($id: String!) { endpoint(id: $id) { createdBy { id } } }',
      { id: endpointId },
      token,
    );
    expect(created.data.endpoint.createdBy.id).toBe(userId);

    // No worker: the mutation answers DEPLOYING after its wait (1 s on this replica), and the job waits for one.
    await worker.close();
    const impatient = await start(false, 1);
    const queued = (await call(impatient, DEPLOY, { input: input('production') })).deploy.deployment;
    expect(queued).toMatchObject({ status: 'DEPLOYING', revision: 1 });
    // A second release while one is pending is refused, not run beside it.
    const overlapping = await api.gql(DEPLOY, { input: input('production') }, token);
    expect(overlapping.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await start(true);
    const deadline = Date.now() + 30_000;
    let status = 'DEPLOYING';
    while (status === 'DEPLOYING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await call(api, 'query($id: ID!) { deployment(id: $id) { status } }', { id: queued.id })).deployment
        .status;
    }
    expect(status).toBe('RUNNING');
  }, 120_000);

  it('adopts an endpoint an earlier attempt of the same rollout created, and refuses anyone else’s', async () => {
    const client = new InferenceClient(`${inference.service.url}/graphql`);
    const auth = `Bearer ${token}`;
    const target = {
      deploymentId: 'd-1',
      revision: 3,
      application: { id: 'a-1', name: 'Adopted' },
      environment: 'dev',
      content: {
        endpoints: [{ name: 'main', weight: 100, routes: [{ modelVersionId: model, weight: 1 }], endpointId: null }],
        configVersionId: null,
        resources: null,
        scaling: null,
        replicas: 1,
      },
      config: { version: 0, values: {}, secrets: [] },
    } as unknown as DriverTarget;
    // The attempt that died had created the endpoint (its id was never recorded).
    const [first] = await registerEndpoints(client, auth, target, true);
    const [again] = await registerEndpoints(client, auth, target, true);
    expect(again!.endpointId).toBe(first!.endpointId);
    expect((await client.endpoint(auth, first!.endpointId!))!.name).toBe('adopted-dev-main');
    // Same name, made by someone else (another description): still a conflict.
    const other = { ...target, application: { id: 'a-2', name: 'Other' } } as unknown as DriverTarget;
    await client.createEndpoint(auth, {
      name: 'other-dev-main',
      description: 'made by hand',
      routes: [{ modelVersion: model, weight: 1 }],
    });
    await expect(registerEndpoints(client, auth, other, true)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
  }, 60_000);
});
