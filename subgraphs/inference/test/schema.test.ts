import { printSubgraphSchema } from '@apollo/subgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDenseSigmoidModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from './support/inference.harness';

let h: InferenceHarness;
beforeAll(async () => {
  h = await startInferenceHarness();
});
afterAll(() => h?.close());

describe('inference subgraph schema', () => {
  it('matches the checked-in schema.graphql', async () => {
    await expect(printSubgraphSchema(h.built.schema)).toMatchFileSnapshot('../schema.graphql');
  });

  it('resolves Endpoint and BatchInferenceJob entities with permissions applied, scoped to the organization', async () => {
    const token = await h.token(ALL_INFERENCE);
    const model = h.platform.addModel({
      organizationId: h.org,
      modelName: 'dense',
      version: 1,
      bytes: buildDenseSigmoidModel([[1], [1]], [0]),
    });
    const created = await h.gql(
      'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
      { i: { name: 'entities-test', routes: [{ modelVersion: model.id, weight: 1 }] } },
      token,
    );
    const id = created.data.createEndpoint.id;
    await settledEndpoint(h, id, token);
    const query =
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Endpoint { id name status } ... on BatchInferenceJob { id } } }';
    const mine = await h.gql(
      query,
      {
        r: [
          { __typename: 'Endpoint', id },
          { __typename: 'BatchInferenceJob', id: 'missing' },
        ],
      },
      token,
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities).toEqual([{ id, name: 'entities-test', status: 'READY' }, null]);
    const other = await h.gql(
      query,
      { r: [{ __typename: 'Endpoint', id }] },
      await h.token(ALL_INFERENCE, 'another-org'),
    );
    expect(other.data._entities).toEqual([null]);
    const sdl = await h.gql('{ _service { sdl } }', {});
    expect(sdl.data._service.sdl).toMatch(/type Endpoint\s+@key\(fields: "id"\)/);
  });
});
