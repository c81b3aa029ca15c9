import { printSubgraphSchema } from '@apollo/subgraph';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gql } from '../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import type { ModelsUnderTest } from './integration/models-harness';
import { modelsTestConfig, startModels } from './integration/models-harness';

let issuer: TestIssuer;
let models: ModelsUnderTest;

beforeAll(async () => {
  issuer = await startTestIssuer();
  models = await startModels(modelsTestConfig(issuer));
});

afterAll(async () => {
  await models?.service.stop();
  await issuer?.close();
});

describe('models subgraph schema', () => {
  test('the printed SDL matches the checked-in schema.graphql', async () => {
    await expect(printSubgraphSchema(models.built.schema)).toMatchFileSnapshot('../schema.graphql');
  });

  test('_entities resolves Model and ModelVersion with permissions applied, only within the organization', async () => {
    const writer = await issuer.issue({ org: 'org-entities', perms: ['models:read', 'models:write'] });
    const created = await gql(
      models.service.graphqlUrl,
      'mutation { createModel(input: { name: "entities-model", tags: ["t"] }) { id name } }',
      {},
      writer,
    );
    const id = created.data.createModel.id;
    const query =
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Model { id name tags latestVersionNumber } ... on TrainingJob { id } ... on Study { id } } }';
    const mine = await gql(
      models.service.graphqlUrl,
      query,
      {
        r: [
          { __typename: 'Model', id },
          { __typename: 'TrainingJob', id: 'missing' },
          { __typename: 'Study', id: 'missing' },
        ],
      },
      writer,
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities).toEqual([
      { id, name: 'entities-model', tags: ['t'], latestVersionNumber: 0 },
      null,
      null,
    ]);
    const stranger = await issuer.issue({ org: 'org-other', perms: ['models:read'] });
    const theirs = await gql(models.service.graphqlUrl, query, { r: [{ __typename: 'Model', id }] }, stranger);
    expect(theirs.data._entities).toEqual([null]);
    const versions = await gql(
      models.service.graphqlUrl,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on ModelVersion { id } } }',
      { r: [{ __typename: 'ModelVersion', id: 'nope' }] },
      writer,
    );
    expect(versions.data._entities).toEqual([null]);
  });

  test('root fields need their permission', async () => {
    const anon = await gql(models.service.graphqlUrl, '{ models { id } }');
    expect(anon.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const noPerm = await issuer.issue({ perms: ['catalog:read'] });
    const denied = await gql(models.service.graphqlUrl, '{ models { id } }', {}, noPerm);
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const reader = await issuer.issue({ perms: ['models:read'] });
    const write = await gql(
      models.service.graphqlUrl,
      'mutation { createModel(input: { name: "x" }) { id } }',
      {},
      reader,
    );
    expect(write.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });
});
