import { printSubgraphSchema } from '@apollo/subgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestIssuer } from '../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import { ALL_APPS, startApps } from './support/apps.harness';
import type { AppsHarness } from './support/apps.harness';

let issuer: TestIssuer;
let apps: AppsHarness;

beforeAll(async () => {
  issuer = await startTestIssuer();
  apps = await startApps(issuer);
});

afterAll(async () => {
  await apps?.close();
  await issuer?.close();
});

describe('apps subgraph schema', () => {
  it('matches the checked-in SDL', async () => {
    await expect(printSubgraphSchema(apps.built.schema)).toMatchFileSnapshot('../schema.graphql');
  });

  it('resolves Application, ConfigVersion and Deployment through _entities with permissions applied, only in the own organization', async () => {
    const token = await issuer.issue({ org: 'org-entities', perms: ALL_APPS });
    const app = await apps.gql('mutation { createApplication(input: { name: "Entity App" }) { id } }', {}, token);
    const applicationId = app.data.createApplication.id;
    const config = await apps.gql(
      'mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [{ key: "MODE", value: "fast" }] }) { id } }',
      { id: applicationId },
      token,
    );
    const dry = await apps.gql(
      `mutation($id: ID!) { deploy(input: { applicationId: $id, environment: "dev", driver: KUBERNETES, dryRun: true,
        endpoints: [{ name: "main", weight: 100, routes: [{ modelVersion: "mv-1", weight: 1 }] }] }) { dryRun deployment { id } } }`,
      { id: applicationId },
      token,
    );
    expect(dry.data.deploy).toEqual({ dryRun: true, deployment: null });
    const query = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Application { id name environments }
      ... on ConfigVersion { id version entries { key value } } } }`;
    const representations = [
      { __typename: 'Application', id: applicationId },
      { __typename: 'ConfigVersion', id: config.data.createConfigVersion.id },
    ];
    const mine = await apps.gql(query, { r: representations }, token);
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities).toEqual([
      { id: applicationId, name: 'Entity App', environments: ['dev', 'staging', 'production'] },
      { id: config.data.createConfigVersion.id, version: 1, entries: [{ key: 'MODE', value: 'fast' }] },
    ]);
    const stranger = await issuer.issue({ org: 'org-other', perms: ALL_APPS });
    const theirs = await apps.gql(query, { r: representations }, stranger);
    expect(theirs.data._entities).toEqual([null, null]);
    const deployments = await apps.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Deployment { id } } }',
      { r: [{ __typename: 'Deployment', id: 'missing' }] },
      token,
    );
    expect(deployments.data._entities).toEqual([null]);
  });
});
