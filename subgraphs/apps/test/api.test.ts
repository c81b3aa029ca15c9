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

const create = 'mutation($n: String!) { createApplication(input: { name: $n }) { id name } }';

describe('apps API', () => {
  it('answers UNAUTHENTICATED without a token and FORBIDDEN without the permission', async () => {
    expect((await apps.gql('{ applications { id } }')).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const reader = await issuer.issue({ org: 'org-perm', perms: ['apps:read'] });
    const deployer = await issuer.issue({ org: 'org-perm', perms: ['apps:read', 'apps:deploy'] });
    expect((await apps.gql(create, { n: 'Nope' }, reader)).errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect((await apps.gql(create, { n: 'Nope' }, deployer)).errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect(
      (await apps.gql('mutation { deleteDeployment(id: "x") { id } }', {}, deployer)).errors?.[0].extensions.code,
    ).toBe('FORBIDDEN');
    expect((await apps.gql('{ applications { id } }', {}, reader)).data.applications).toEqual([]);
  });

  it('scopes applications to the organization and refuses duplicate names and bad environments', async () => {
    const a = await issuer.issue({ org: 'org-a', perms: ALL_APPS });
    const b = await issuer.issue({ org: 'org-b', perms: ALL_APPS });
    const { data } = await apps.gql(create, { n: 'Scoped' }, a);
    expect((await apps.gql(create, { n: 'Scoped' }, a)).errors?.[0].extensions.code).toBe('CONFLICT');
    expect((await apps.gql(create, { n: 'Scoped' }, b)).data.createApplication.name).toBe('Scoped');
    const theirs = await apps.gql(
      'query($id: ID!) { application(id: $id) { id } }',
      { id: data.createApplication.id },
      b,
    );
    expect(theirs.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const bad = await apps.gql(
      'mutation { createApplication(input: { name: "Envs", environments: ["Prod!", "dev", "dev"] }) { id } }',
      {},
      a,
    );
    expect(bad.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'environments.0', message: 'lower-case letters, digits and -, starting with a letter (at most 31)' },
        { field: 'environments', message: 'each environment once' },
      ],
    });
  });

  it('never returns or echoes a secret, and diffs versions with references only', async () => {
    const token = await issuer.issue({ org: 'org-secrets', perms: ALL_APPS });
    const { data } = await apps.gql(create, { n: 'Secretive' }, token);
    const id = data.createApplication.id;
    const refused = await apps.gql(
      'mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [{ key: "DB_PASSWORD", value: "hunter2-s3cr3t" }] }) { id } }',
      { id },
      token,
    );
    expect(refused.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(refused.body)).not.toContain('hunter2-s3cr3t');
    const v1 = await apps.gql(
      'mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [{ key: "DB_URL", value: "postgres://db:5432/app" }] }) { id } }',
      { id },
      token,
    );
    const v2 = await apps.gql(
      'mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [{ key: "DB_URL", secret: { name: "db", key: "url" } }, { key: "DB_PASSWORD", secret: { name: "db", key: "password" } }] }) { id entries { key kind value secret { name key } } } }',
      { id },
      token,
    );
    expect(v2.data.createConfigVersion.entries).toEqual([
      { key: 'DB_PASSWORD', kind: 'SECRET', value: null, secret: { name: 'db', key: 'password' } },
      { key: 'DB_URL', kind: 'SECRET', value: null, secret: { name: 'db', key: 'url' } },
    ]);
    const diff = await apps.gql(
      'query($from: ID!, $to: ID!) { configDiff(from: $from, to: $to) { key change before { kind value } after { kind value secret { name key } } } }',
      { from: v1.data.createConfigVersion.id, to: v2.data.createConfigVersion.id },
      token,
    );
    expect(diff.data.configDiff).toEqual([
      {
        key: 'DB_PASSWORD',
        change: 'ADDED',
        before: null,
        after: { kind: 'SECRET', value: null, secret: { name: 'db', key: 'password' } },
      },
      {
        key: 'DB_URL',
        change: 'CHANGED',
        before: { kind: 'VALUE', value: 'postgres://db:5432/app' },
        after: { kind: 'SECRET', value: null, secret: { name: 'db', key: 'url' } },
      },
    ]);
  });

  it('refuses a deploy to an unknown environment and bad weights with field details', async () => {
    const token = await issuer.issue({ org: 'org-deploy', perms: ALL_APPS });
    const { data } = await apps.gql(create, { n: 'Weights' }, token);
    const res = await apps.gql(
      `mutation($id: ID!) { deploy(input: { applicationId: $id, environment: "qa", dryRun: true, endpoints: [
        { name: "a", weight: 80, routes: [{ modelVersion: "m1", weight: 1 }] },
        { name: "b", weight: 30, routes: [{ modelVersion: "m2", weight: 0 }] }] }) { dryRun } }`,
      { id: data.createApplication.id },
      token,
    );
    expect(res.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'environment', message: 'must be one of dev, staging, production' },
        { field: 'endpoints', message: 'weights must sum to 100 (got 110)' },
        { field: 'endpoints.1.routes', message: 'at least one route with a positive weight' },
      ],
    });
  });
});
