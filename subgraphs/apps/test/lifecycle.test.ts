// Deploy -> scale -> degrade -> rollback on the local driver, against the real inference service
// (its test harness: real onnxruntime sessions, models served from the contract routes), through the
// real gateway, with the timeline and the status subscription checked step by step.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../../test/support/gateway-harness';
import { startGatewayOver } from '../../../test/support/gateway-harness';
import { gql } from '../../../lib/src/testing/harness';
import { ALL_INFERENCE, settledEndpoint, startInferenceHarness } from '../../inference/test/support/inference.harness';
import type { InferenceHarness } from '../../inference/test/support/inference.harness';
import { buildDenseSigmoidModel } from '../../inference/test/support/onnx-model.builder';
import { ALL_APPS, startApps } from './support/apps.harness';
import type { AppsHarness } from './support/apps.harness';

let inference: InferenceHarness;
let apps: AppsHarness;
let gateway: RunningGateway;
let token: string;
const models = { v1: '', v2: '', broken: '' };

const DEPLOYMENT_FIELDS = `id status health revision replicas environment driver
  endpoints { name weight routes { modelVersion { id } weight } endpoint { id } }
  configVersion { version entries { key kind value secret { name key } } }
  diagnostics { endpoint { id } endpointName modelVersion { id } check severity message }`;

const call = async (query: string, variables: Record<string, unknown> = {}, as = token) => {
  const res = await gql(gateway.graphqlUrl, query, variables, as);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
};

/** Waits until inference has finished loading every endpoint of the deployment, then runs one check as the caller. */
async function settleAndCheck(deploymentId: string) {
  const { deployment } = await call(`query($id: ID!) { deployment(id: $id) { endpoints { endpoint { id } } } }`, {
    id: deploymentId,
  });
  for (const e of deployment.endpoints) await settledEndpoint(inference, e.endpoint.id, token);
  return (
    await call(`mutation($id: ID!) { checkDeploymentHealth(id: $id) { ${DEPLOYMENT_FIELDS} } }`, { id: deploymentId })
  ).checkDeploymentHealth;
}

beforeAll(async () => {
  inference = await startInferenceHarness();
  apps = await startApps(inference.issuer, { inferenceUrl: inference.service.url });
  const { issuer } = inference;
  gateway = await startGatewayOver([apps.service, inference.service], {
    auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
  });
  token = await inference.token([...ALL_APPS, ...ALL_INFERENCE]);
  const add = (name: string, version: number, bytes: Uint8Array) =>
    inference.platform.addModel({ organizationId: inference.org, modelName: name, version, bytes }).id;
  models.v1 = add('scorer', 1, buildDenseSigmoidModel([[0.5], [0.25]], [0.1]));
  models.v2 = add('scorer', 2, buildDenseSigmoidModel([[0.4], [0.3]], [0.0]));
  // Not an ONNX model: inference fails to load it, which leaves its endpoint unready.
  models.broken = add('scorer', 3, new TextEncoder().encode('this is not an onnx model'));
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await apps?.close();
  await inference?.close();
});

describe('application lifecycle through the gateway (local driver)', () => {
  it('deploys, scales, degrades, rolls back, pauses and resumes, with the timeline and the subscription in order', async () => {
    const { createApplication: app } = await call(
      'mutation { createApplication(input: { name: "Fraud Scoring", environments: ["dev", "production"] }) { id } }',
    );
    const config1 = (
      await call(
        `mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [
        { key: "THRESHOLD", value: 0.8 }, { key: "FEATURE_STORE_TOKEN", secret: { name: "fraud-secrets", key: "token" } }] }) { id version } }`,
        { id: app.id },
      )
    ).createConfigVersion;
    const config2 = (
      await call(
        `mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [{ key: "THRESHOLD", value: 0.9 }] }) { id } }`,
        { id: app.id },
      )
    ).createConfigVersion;
    assert.isDefined(config1);
    assert.isDefined(config2);

    const ws = createClient({
      url: gateway.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const streamed: { kind: string; status: string; revision: number }[] = [];
    let subscribed!: () => void;
    const ready = new Promise<void>((resolve) => (subscribed = resolve));
    const unsubscribe = ws.subscribe(
      {
        query:
          'subscription($a: ID) { deploymentStatusChanged(applicationId: $a) { kind status revision health deploymentId } }',
        variables: { a: app.id },
      },
      {
        next: (v) => streamed.push((v.data as any).deploymentStatusChanged),
        error: (e) => console.error(e),
        complete: () => undefined,
      },
    );
    // graphql-ws subscribes asynchronously; give the gateway a moment to open the upstream subscription.
    setTimeout(subscribed, 1000);
    await ready;

    const release = (b: string, configId: string) => ({
      applicationId: app.id,
      environment: 'dev',
      configVersionId: configId,
      endpoints: [
        { name: 'a', weight: 70, routes: [{ modelVersion: models.v1, weight: 1 }] },
        { name: 'b', weight: 30, routes: [{ modelVersion: b, weight: 1 }] },
      ],
    });
    const deployed = (
      await call(`mutation($input: DeployInput!) { deploy(input: $input) { deployment { ${DEPLOYMENT_FIELDS} } } }`, {
        input: release(models.v2, config1.id),
      })
    ).deploy.deployment;
    expect(deployed).toMatchObject({ status: 'RUNNING', health: 'UNKNOWN', revision: 1, replicas: 1, driver: 'LOCAL' });
    expect(deployed.endpoints.map((e: any) => [e.name, e.weight, Boolean(e.endpoint?.id)])).toEqual([
      ['a', 70, true],
      ['b', 30, true],
    ]);
    expect(deployed.configVersion.entries).toContainEqual({
      key: 'FEATURE_STORE_TOKEN',
      kind: 'SECRET',
      value: null,
      secret: { name: 'fraud-secrets', key: 'token' },
    });
    const id = deployed.id;
    const endpointB = deployed.endpoints[1].endpoint.id;
    const endpointIds = deployed.endpoints.map((e: any) => e.endpoint.id as string);
    // The local driver's replicas are the inference endpoints' concurrent session workers.
    const replicasInInference = (ids: string[]) =>
      Promise.all(
        ids.map(
          async (e) =>
            (await call('query($id: String!) { endpoint(id: $id) { replicas } }', { id: e })).endpoint
              .replicas as number,
        ),
      );
    expect(await replicasInInference(endpointIds)).toEqual([1, 1]);

    expect(await settleAndCheck(id)).toMatchObject({ status: 'RUNNING', health: 'HEALTHY', diagnostics: [] });

    const scaled = (
      await call(`mutation($id: ID!) { scaleDeployment(id: $id, replicas: 3) { replicas scaling { minReplicas } } }`, {
        id,
      })
    ).scaleDeployment;
    expect(scaled).toEqual({ replicas: 3, scaling: null });
    expect(await replicasInInference(endpointIds)).toEqual([3, 3]);

    const bad = (
      await call(
        `mutation($input: DeployInput!) { deploy(input: $input) { deployment { revision endpoints { endpoint { id } } } } }`,
        { input: { ...release(models.broken, config2.id), replicas: 2 } },
      )
    ).deploy.deployment;
    expect(bad.revision).toBe(2);
    expect(await replicasInInference(endpointIds)).toEqual([2, 2]);
    expect(bad.endpoints[1].endpoint.id).toBe(endpointB);
    const degraded = await settleAndCheck(id);
    expect(degraded).toMatchObject({ status: 'DEGRADED', health: 'DEGRADED' });
    expect(degraded.diagnostics).toEqual([
      expect.objectContaining({
        endpoint: { id: endpointB },
        endpointName: 'b',
        modelVersion: null,
        check: 'READINESS',
        severity: 'CRITICAL',
      }),
    ]);

    const rolledBack = (
      await call(
        `mutation($id: ID!) { rollbackDeployment(id: $id) { ${DEPLOYMENT_FIELDS} releases { revision rolledBackFrom } } }`,
        { id },
      )
    ).rollbackDeployment;
    expect(rolledBack).toMatchObject({
      revision: 3,
      status: 'RUNNING',
      replicas: 1,
      configVersion: { version: config1.version },
    });
    expect(await replicasInInference(endpointIds)).toEqual([1, 1]);
    expect(rolledBack.endpoints[1]).toMatchObject({
      name: 'b',
      weight: 30,
      routes: [{ modelVersion: { id: models.v2 }, weight: 1 }],
      endpoint: { id: endpointB },
    });
    expect(rolledBack.releases.map((r: any) => [r.revision, r.rolledBackFrom])).toEqual([
      [3, 1],
      [2, null],
      [1, null],
    ]);
    expect(await settleAndCheck(id)).toMatchObject({ status: 'RUNNING', health: 'HEALTHY' });
    // The inference endpoint itself routes to the restored version again.
    const restored = await call('query($id: String!) { endpoint(id: $id) { routes { modelVersion { id } } } }', {
      id: endpointB,
    });
    expect(restored.endpoint.routes).toEqual([{ modelVersion: { id: models.v2 } }]);

    expect(
      (await call(`mutation($id: ID!) { pauseDeployment(id: $id) { status endpoints { endpoint { id } } } }`, { id }))
        .pauseDeployment,
    ).toEqual({
      status: 'PAUSED',
      endpoints: [{ endpoint: null }, { endpoint: null }],
    });
    const gone = await gql(
      gateway.graphqlUrl,
      'query($id: String!) { endpoint(id: $id) { id } }',
      { id: endpointB },
      token,
    );
    expect(gone.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const resumed = (
      await call(
        `mutation($id: ID!) { resumeDeployment(id: $id) { status revision replicas endpoints { endpoint { id } } } }`,
        { id },
      )
    ).resumeDeployment;
    expect(resumed).toMatchObject({ status: 'RUNNING', revision: 3, replicas: 1 });
    expect(await replicasInInference(resumed.endpoints.map((e: any) => e.endpoint.id))).toEqual([1, 1]);

    const expected = [
      ['DEPLOYED', 'RUNNING', 1],
      ['HEALTH_CHANGED', 'RUNNING', 1],
      ['SCALED', 'RUNNING', 1],
      ['DEPLOYED', 'RUNNING', 2],
      ['HEALTH_CHANGED', 'DEGRADED', 2],
      ['ROLLED_BACK', 'RUNNING', 3],
      ['HEALTH_CHANGED', 'RUNNING', 3],
      ['PAUSED', 'PAUSED', 3],
      ['RESUMED', 'RUNNING', 3],
    ];
    const { deployment } = await call(
      `query($id: ID!) { deployment(id: $id) { timeline { sequence kind status revision message } } }`,
      { id },
    );
    expect(deployment.timeline.map((e: any) => [e.kind, e.status, e.revision])).toEqual(expected);
    expect(deployment.timeline.map((e: any) => e.sequence)).toEqual(expected.map((_, i) => i + 1));
    const until = Date.now() + 10_000;
    while (streamed.length < expected.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    unsubscribe();
    await ws.dispose();
    expect(streamed.map((e) => [e.kind, e.status, e.revision])).toEqual(expected);
  });

  it('runs the autoscaler on the live endpoint metrics in the scheduled round, as a service, recording the decision with its inputs', async () => {
    const { createApplication: app } = await call(
      'mutation { createApplication(input: { name: "Autoscaled" }) { id } }',
    );
    const input = {
      applicationId: app.id,
      environment: 'dev',
      endpoints: [{ name: 'main', weight: 100, routes: [{ modelVersion: models.v1, weight: 1 }] }],
      // A tiny target: any real traffic is far above it, so the step must scale up to the maximum.
      scaling: { minReplicas: 1, maxReplicas: 5, target: 'CONCURRENCY', targetValue: 0.00001 },
    };
    const { deployment } = (
      await call(
        `mutation($input: DeployInput!) { deploy(input: $input) { deployment { id replicas endpoints { endpoint { id } } } } }`,
        { input },
      )
    ).deploy;
    expect(deployment.replicas).toBe(1);
    const endpointId = deployment.endpoints[0].endpoint.id;
    await settledEndpoint(inference, endpointId, token);
    for (let i = 0; i < 20; i += 1) {
      await call('mutation($input: PredictInput!) { predict(input: $input) { __typename } }', {
        input: { endpoint: endpointId, inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [0.1 * i, 0.2] }] },
      });
    }
    await apps.built.services.monitor.runOnce();
    const after = (
      await call(
        `query($id: ID!) { deployment(id: $id) { replicas health
        lastScalingDecision { currentReplicas metricReplicas desiredReplicas reason observedValue inputs }
        timeline { kind actorId data } } }`,
        { id: deployment.id },
      )
    ).deployment;
    expect(after.health).toBe('HEALTHY');
    expect(after.replicas).toBe(5);
    expect(
      (await call('query($id: String!) { endpoint(id: $id) { replicas } }', { id: endpointId })).endpoint.replicas,
    ).toBe(5);
    expect(after.lastScalingDecision).toMatchObject({
      currentReplicas: 1,
      desiredReplicas: 5,
      reason: 'TooManyReplicas',
    });
    expect(after.lastScalingDecision.metricReplicas).toBeGreaterThan(5);
    expect(after.lastScalingDecision.observedValue).toBeGreaterThan(0);
    expect(after.lastScalingDecision.inputs).toMatchObject({
      policy: { minReplicas: 1, maxReplicas: 5, target: { kind: 'CONCURRENCY', averageValue: 0.00001 } },
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      observation: { kind: 'TOTAL', value: expect.any(Number) },
    });
    expect(after.timeline.map((e: any) => [e.kind, e.actorId])).toEqual([
      ['DEPLOYED', expect.any(String)],
      ['HEALTH_CHANGED', null],
      ['AUTOSCALED', null],
    ]);
    expect(after.timeline[2].data.decision.desiredReplicas).toBe(5);
  });

  it('refuses deploys without apps:deploy, and invalid resource requests with BAD_USER_INPUT field details', async () => {
    const reader = await inference.token(['apps:read']);
    const { createApplication: app } = await call('mutation { createApplication(input: { name: "Guarded" }) { id } }');
    const input = {
      applicationId: app.id,
      environment: 'dev',
      endpoints: [{ name: 'main', weight: 100, routes: [{ modelVersion: models.v1, weight: 1 }] }],
    };
    const denied = await gql(
      gateway.graphqlUrl,
      'mutation($input: DeployInput!) { deploy(input: $input) { dryRun } }',
      { input },
      reader,
    );
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    // The rollout acts for the caller at inference: without inference:manage it is refused before anything is written.
    const appsOnly = await inference.token(ALL_APPS);
    const upstream = await gql(
      gateway.graphqlUrl,
      'mutation($input: DeployInput!) { deploy(input: $input) { dryRun } }',
      { input },
      appsOnly,
    );
    expect(upstream.errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect(upstream.errors?.[0].message).toMatch(/needs inference:manage/);
    expect(upstream.errors?.[0].extensions.permission).toBe('inference:manage');
    const none = await call('query($id: ID!) { deployments(applicationId: $id) { status } }', { id: app.id });
    expect(none.deployments).toEqual([]);
    const invalid = await gql(
      gateway.graphqlUrl,
      'mutation($input: DeployInput!) { deploy(input: $input) { dryRun } }',
      {
        input: {
          ...input,
          driver: 'KUBERNETES',
          resources: { cpuRequest: '2', cpuLimit: '500m', memoryRequest: 'lots', gpu: 0.5 },
        },
      },
      token,
    );
    expect(invalid.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'resources.requests.memory', message: expect.stringContaining('not a Kubernetes quantity') },
        { field: 'resources.limits.cpu', message: 'limit 500m is below the request 2' },
        { field: 'resources.gpu', message: expect.stringContaining('whole number') },
      ],
    });
  });

  it('renders a GPU release for Kubernetes on a dry run, and needs a kubeconfig to apply', async () => {
    const { createApplication: app } = await call('mutation { createApplication(input: { name: "Vision" }) { id } }');
    const input = {
      applicationId: app.id,
      environment: 'production',
      driver: 'KUBERNETES',
      resources: { cpuRequest: '1', memoryRequest: '2Gi', memoryLimit: '4Gi', gpu: 1 },
      scaling: { minReplicas: 1, maxReplicas: 4, target: 'CONCURRENCY', targetValue: 8 },
      endpoints: [{ name: 'detector', weight: 100, routes: [{ modelVersion: models.v1, weight: 1 }] }],
    };
    const dry = (
      await call('mutation($input: DeployInput!) { deploy(input: $input) { dryRun deployment { id } objects } }', {
        input: { ...input, dryRun: true },
      })
    ).deploy;
    expect(dry.deployment).toBeNull();
    expect(dry.objects.map((o: any) => o.kind)).toEqual([
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'Service',
      'VirtualService',
    ]);
    const container = dry.objects[0].spec.template.spec.containers[0];
    expect(container.resources).toEqual({
      requests: { cpu: '1', memory: '2Gi' },
      limits: { memory: '4Gi', 'nvidia.com/gpu': 1 },
    });
    expect(dry.objects[0].spec.template.spec.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
    ]);
    const real = await gql(
      gateway.graphqlUrl,
      'mutation($input: DeployInput!) { deploy(input: $input) { dryRun } }',
      { input },
      token,
    );
    expect(real.errors?.[0].extensions.code).toBe('DRIVER_UNAVAILABLE');
  });
});
