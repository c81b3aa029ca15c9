import { printSubgraphSchema } from '@apollo/subgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogHarness } from './catalog.harness';
import { ALL_CATALOG, READER, createWithContent, startCatalog } from './catalog.harness';

let h: CatalogHarness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => h?.stop());

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Dataset { id name schemaVersion { id } owner { id } }
  ... on LineageRun { id runId state }
  ... on QualityCheck { id score }
  ... on AccessGrant { id level }
} }`;

describe('catalog schema', () => {
  it('matches the checked-in SDL', async () => {
    await expect(printSubgraphSchema(h.built.schema)).toMatchFileSnapshot('../schema.graphql');
  });

  it('resolves _entities for each @key type with permissions applied, scoped to the organization', async () => {
    const owner = await h.token({ org: 'org-ent', perms: ALL_CATALOG });
    const schemaVersionId = '3f2a3f4e-5b6c-4d7e-8f90-a1b2c3d4e5f6';
    const { id } = await createWithContent(
      h,
      owner,
      { name: 'entities', format: 'CSV', schemaVersionId, classification: 'CONFIDENTIAL' },
      'a,b\n1,2\n',
    );
    await h.gql(
      'mutation($d: ID!) { createQualityRule(datasetId: $d, input: { type: "tableRowCountToBeBetween", minValue: 1 }) { id } }',
      { d: id },
      owner,
    );
    const check = (await h.gql('mutation($d: ID!) { runQualityChecks(datasetId: $d) { id } }', { d: id }, owner)).data
      .runQualityChecks.id;
    const grant = (
      await h.gql(
        'mutation($d: ID!) { grantAccess(datasetId: $d, subjectType: ROLE, subjectId: "analyst", level: READ) { id } }',
        { d: id },
        owner,
      )
    ).data.grantAccess.id;
    const runId = '0190b6a4-8c1e-7c5a-b3f1-1a2b3c4d5e6f';
    const ingest = await h.gql(
      'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { runKey } }',
      {
        e: {
          eventTime: '2026-01-01T00:00:00Z',
          eventType: 'START',
          producer: 'https://example.com/p',
          schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
          run: { runId },
          job: { namespace: 'aic', name: 'job' },
        },
      },
      owner,
    );
    const runKey = ingest.data.ingestLineageEvent.runKey;
    const reps = [
      { __typename: 'Dataset', id },
      { __typename: 'LineageRun', id: runKey },
      { __typename: 'QualityCheck', id: check },
      { __typename: 'AccessGrant', id: grant },
    ];
    const mine = await h.gql(ENTITIES, { r: reps }, owner);
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities).toEqual([
      { id, name: 'entities', schemaVersion: { id: schemaVersionId }, owner: { id: expect.any(String) } },
      { id: runKey, runId, state: 'START' },
      { id: check, score: 100 },
      { id: grant, level: 'READ' },
    ]);
    // A reader of the same organization without a grant sees neither the confidential dataset nor its check or grants.
    const reader = await h.token({ org: 'org-ent', perms: READER });
    expect((await h.gql(ENTITIES, { r: reps }, reader)).data._entities).toEqual([
      null,
      { id: runKey, runId, state: 'START' },
      null,
      null,
    ]);
    // The granted role sees the dataset but not its grants (owners only).
    const analyst = await h.token({ org: 'org-ent', perms: READER, roles: ['analyst'] });
    expect((await h.gql(ENTITIES, { r: reps }, analyst)).data._entities.map((e: any) => e?.id ?? null)).toEqual([
      id,
      runKey,
      check,
      null,
    ]);
    const stranger = await h.token({ org: 'org-other', perms: ALL_CATALOG });
    expect((await h.gql(ENTITIES, { r: reps }, stranger)).data._entities).toEqual([null, null, null, null]);
  });
});
