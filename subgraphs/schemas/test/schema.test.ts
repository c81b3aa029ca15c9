import { printSubgraphSchema } from '@apollo/subgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemasHarness } from './schemas.harness';
import { READER, WRITER, startSchemas } from './schemas.harness';

let h: SchemasHarness;
beforeAll(async () => {
  h = await startSchemas();
});
afterAll(async () => h?.stop());

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on SchemaVersion { id subject version type createdBy { id } }
  ... on Subject { id name compatibility versions { version } }
} }`;

describe('schemas subgraph schema', () => {
  it('matches the checked-in SDL', async () => {
    await expect(printSubgraphSchema(h.built.schema)).toMatchFileSnapshot('../schema.graphql');
  });

  it('resolves _entities for SchemaVersion and Subject with permissions applied, scoped to the organization', async () => {
    const org = 'org-entities';
    const writer = await h.token({ org, sub: 'user-1', perms: WRITER });
    const reg = await h.gql(
      'mutation($i: RegisterSchemaInput!) { registerSchema(input: $i) { id } }',
      { i: { subject: 'entities-value', type: 'JSON', schema: '{"type":"object"}' } },
      writer,
    );
    expect(reg.errors).toBeUndefined();
    const id = reg.data.registerSchema.id;
    const subjectId = (await h.gql('{ subject(name: "entities-value") { id } }', {}, writer)).data.subject.id;
    const reps = [
      { __typename: 'SchemaVersion', id },
      { __typename: 'Subject', id: subjectId },
    ];
    const reader = await h.token({ org, perms: READER });
    const mine = await h.gql(ENTITIES, { r: reps }, reader);
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities).toEqual([
      { id, subject: 'entities-value', version: 1, type: 'JSON', createdBy: { id: 'user-1' } },
      { id: subjectId, name: 'entities-value', compatibility: 'BACKWARD', versions: [{ version: 1 }] },
    ]);
    const noPermission = await h.token({ org, perms: ['catalog:read'] });
    expect((await h.gql(ENTITIES, { r: reps }, noPermission)).data._entities).toEqual([null, null]);
    const stranger = await h.token({ org: 'org-stranger', perms: WRITER });
    expect((await h.gql(ENTITIES, { r: reps }, stranger)).data._entities).toEqual([null, null]);
  });
});
