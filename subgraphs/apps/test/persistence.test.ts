// The same deployment history on a SQLite file and on a real PostgreSQL database, across a restart
// of the apps service: releases, timeline, config versions and the autoscaler's JSON state survive.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startService, testBaseConfig } from '../../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import { ALL_INFERENCE, settledEndpoint, startInferenceHarness } from '../../inference/test/support/inference.harness';
import type { InferenceHarness } from '../../inference/test/support/inference.harness';
import { buildDenseSigmoidModel } from '../../inference/test/support/onnx-model.builder';
import type { Config } from '../src/config';
import { createServer } from '../src/server';
import { ALL_APPS } from './support/apps.harness';

let inference: InferenceHarness;
let token: string;
let modelVersion: string;
const pg = testPostgresDatabase('aic_apps');
const dirs: string[] = [];

beforeAll(async () => {
  inference = await startInferenceHarness();
  token = await inference.token([...ALL_APPS, ...ALL_INFERENCE]);
  modelVersion = inference.platform.addModel({
    organizationId: inference.org,
    modelName: 'persisted',
    version: 1,
    bytes: buildDenseSigmoidModel([[1], [1]], [0]),
  }).id;
}, 120_000);

afterAll(async () => {
  await inference?.close();
  await pg.drop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(databaseUrl: string | undefined, dataDir: string) {
  const { issuer } = inference;
  const config: Config = {
    ...testBaseConfig('apps', {
      dataDir,
      databaseUrl,
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
      identityUrl: issuer.url,
      serviceSecret: issuer.serviceSecret,
    }),
    inferenceUrl: inference.service.url,
    schemasUrl: 'http://127.0.0.1:9',
    catalogUrl: 'http://127.0.0.1:9',
    monitorIntervalSeconds: 0,
    rolloutWaitSeconds: 60,
    kubernetes: { namespace: 'aic-apps-test', inferenceImage: 'ghcr.io/aic-platform/inference:test' },
  };
  const built = await createServer(config);
  const service = await startService('apps', built.server);
  const call = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await gql(service.graphqlUrl, query, variables, token);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };
  return { built, service, call };
}

describe.each([
  ['SQLite file', () => undefined],
  ['PostgreSQL', () => pg.url],
])('deployment history on %s', (name, url) => {
  it('survives a restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-apps-persist-'));
    dirs.push(dataDir);
    const first = await start(url(), dataDir);
    const appName = `Persisted ${name} ${path.basename(dataDir)}`;
    const { createApplication: app } = await first.call(
      'mutation($n: String!) { createApplication(input: { name: $n }) { id } }',
      { n: appName },
    );
    const v1 = (
      await first.call(
        `mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [{ key: "LIMITS", value: { rows: 10, nested: [1, 2] } }] }) { id checksum } }`,
        { id: app.id },
      )
    ).createConfigVersion;
    await first.call(
      `mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [{ key: "LIMITS", value: { rows: 20 } }] }) { id } }`,
      { id: app.id },
    );
    const restored = (
      await first.call(
        `mutation($id: ID!) { restoreConfigVersion(applicationId: $id, version: 1) { version checksum } }`,
        { id: app.id },
      )
    ).restoreConfigVersion;
    expect(restored).toEqual({ version: 3, checksum: v1.checksum });
    const input = (endpointName: string) => ({
      applicationId: app.id,
      environment: 'staging',
      configVersionId: v1.id,
      endpoints: [{ name: endpointName, weight: 100, routes: [{ modelVersion, weight: 1 }] }],
      scaling: { minReplicas: 1, maxReplicas: 3, target: 'CONCURRENCY', targetValue: 2 },
    });
    const { deployment } = (
      await first.call(
        'mutation($input: DeployInput!) { deploy(input: $input) { deployment { id endpoints { endpoint { id } } } } }',
        { input: input('main') },
      )
    ).deploy;
    await settledEndpoint(inference, deployment.endpoints[0].endpoint.id, token);
    await first.built.services.monitor.runOnce();
    await first.call('mutation($input: DeployInput!) { deploy(input: $input) { deployment { revision } } }', {
      input: input('main'),
    });
    await first.call('mutation($id: ID!) { rollbackDeployment(id: $id, toRevision: 1) { revision } }', {
      id: deployment.id,
    });
    const query = `query($id: ID!) { deployment(id: $id) { revision status replicas
      configVersion { version entries { key value } }
      scaling { minReplicas maxReplicas target targetValue scaleDownStabilizationSeconds }
      lastScalingDecision { reason inputs }
      releases { revision rolledBackFrom }
      timeline { sequence kind status } } }`;
    const before = (await first.call(query, { id: deployment.id })).deployment;
    expect(before).toMatchObject({
      revision: 3,
      status: 'RUNNING',
      configVersion: { version: 1, entries: [{ key: 'LIMITS', value: { rows: 10, nested: [1, 2] } }] },
      scaling: {
        minReplicas: 1,
        maxReplicas: 3,
        target: 'CONCURRENCY',
        targetValue: 2,
        scaleDownStabilizationSeconds: 300,
      },
      releases: [
        { revision: 3, rolledBackFrom: 1 },
        { revision: 2, rolledBackFrom: null },
        { revision: 1, rolledBackFrom: null },
      ],
    });
    expect(before.lastScalingDecision.inputs.observation.kind).toBe('TOTAL');
    expect(before.timeline.map((e: any) => e.kind)).toEqual(['DEPLOYED', 'HEALTH_CHANGED', 'DEPLOYED', 'ROLLED_BACK']);
    await first.service.stop();

    const second = await start(url(), dataDir);
    expect((await second.call(query, { id: deployment.id })).deployment).toEqual(before);
    await second.call('mutation($id: ID!) { deleteDeployment(id: $id) { status } }', { id: deployment.id });
    await second.service.stop();
  });
});
