import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeepMlpModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from './support/inference.harness';

let h: InferenceHarness;
let admin: string;
const models = [buildDeepMlpModel(64, 2, 1), buildDeepMlpModel(64, 2, 2)];

beforeAll(async () => {
  // Room for one of the two models only: serving both endpoints evicts and reloads.
  h = await startInferenceHarness({ sessionBudgetBytes: models[0]!.byteLength + 1024 });
  admin = await h.token(ALL_INFERENCE);
});
afterAll(() => h?.close());

describe('session budget', () => {
  it('evicts the least recently used session and reloads it from the local artifact cache on demand', async () => {
    const ids = models.map(
      (bytes, i) => h.platform.addModel({ organizationId: h.org, modelName: `mlp-${i}`, version: 1, bytes }).id,
    );
    const endpoints: string[] = [];
    for (const [i, id] of ids.entries()) {
      const res = await h.gql(
        'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
        { i: { name: `mlp-${i}`, routes: [{ modelVersion: id, weight: 1 }] } },
        admin,
      );
      endpoints.push(res.data.createEndpoint.id);
      await settledEndpoint(h, res.data.createEndpoint.id, admin);
    }
    const first = await h.gql(
      'query($id: String!) { endpoint(id: $id) { status versions { state reason } } }',
      { id: endpoints[0] },
      admin,
    );
    expect(first.data.endpoint.versions[0]).toMatchObject({
      state: 'EVICTED',
      reason: expect.stringContaining('least recently used'),
    });
    const downloads = () => h.platform.requests.filter((r) => r.endsWith('/artifact')).length;
    const before = downloads();
    const predict = (name: string) =>
      h.gql(
        'mutation($i: PredictInput!) { predict(input: $i) { modelVersion { id } outputs { shape } } }',
        {
          i: {
            endpoint: name,
            inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 64], data: new Array(64).fill(0.5) }],
          },
        },
        admin,
      );
    for (const name of ['mlp-0', 'mlp-1', 'mlp-0']) {
      const res = await predict(name);
      expect(res.errors).toBeUndefined();
      expect(res.data.predict.outputs[0].shape).toEqual([1, 64]);
    }
    expect(downloads()).toBe(before);
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    expect(metrics).toMatch(/inference_sessions\{[^}]*state="EVICTED"[^}]*\} 1/);
  });
});
