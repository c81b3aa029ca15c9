import { printSubgraphSchema } from '@apollo/subgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../../lib/src/testing/harness';
import { startIdentity, type TestIdentity } from './support/test-server';

let svc: TestIdentity;

beforeAll(async () => {
  svc = await startIdentity();
});
afterAll(async () => svc?.stop());

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  __typename
  ... on User { id email }
  ... on Organization { id slug }
  ... on Role { id name }
  ... on Session { id method }
  ... on ApiKey { id prefix }
} }`;

describe('identity subgraph schema', () => {
  it('matches the checked-in schema.graphql', async () => {
    await expect(printSubgraphSchema(svc.identity.schema)).toMatchFileSnapshot('../schema.graphql');
  });

  it('serves _service without a token', async () => {
    const res = await gql(svc.graphqlUrl, '{ _service { sdl } }');
    for (const type of ['User', 'Organization', 'Role', 'Session', 'ApiKey']) {
      expect(res.data._service.sdl).toMatch(new RegExp(`type ${type}\\s+@key\\(fields: "id"\\)`));
    }
  });

  it("resolves _entities for every @key type with permissions applied, inside the viewer's organization only", async () => {
    const { accessToken, user, organization } = await svc.login();
    const roles = await gql(svc.graphqlUrl, '{ roles { id name } sessions { id } }', {}, accessToken);
    const ownerRole = roles.data.roles.find((r: { name: string }) => r.name === 'owner');
    const sessionId = roles.data.sessions[0].id;
    const key = await gql(
      svc.graphqlUrl,
      'mutation { createApiKey(input: { name: "entities", roles: ["viewer"] }) { apiKey { id prefix } } }',
      {},
      accessToken,
    );
    const apiKey = key.data.createApiKey.apiKey;
    const representations = [
      { __typename: 'User', id: user.id },
      { __typename: 'Organization', id: organization.id },
      { __typename: 'Role', id: ownerRole.id },
      { __typename: 'Session', id: sessionId },
      { __typename: 'ApiKey', id: apiKey.id },
      { __typename: 'Organization', id: 'another-organization' },
    ];
    const res = await gql(svc.graphqlUrl, ENTITIES, { r: representations }, accessToken);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { __typename: 'User', id: user.id, email: 'owner@example.com' },
      { __typename: 'Organization', id: organization.id, slug: 'default' },
      { __typename: 'Role', id: ownerRole.id, name: 'owner' },
      { __typename: 'Session', id: sessionId, method: 'password' },
      { __typename: 'ApiKey', id: apiKey.id, prefix: apiKey.prefix },
      null,
    ]);
    const anonymous = await gql(svc.graphqlUrl, ENTITIES, { r: representations.slice(0, 2) });
    expect(anonymous.data._entities).toEqual([null, null]);
  });
});
