// Issue #16, class 4, for labels tenants choose: endpoint names and model version ids. Past the cap
// (AIC_METRICS_MAX_LABEL_VALUES, 3 here) new endpoints are counted under `other`; /metrics stops growing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDenseSigmoidModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from './support/inference.harness';

const CREATE = 'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }';
const PREDICT = 'mutation($i: PredictInput!) { predict(input: $i) { endpointId } }';

let h: InferenceHarness;
let admin: string;
let version: string;

beforeAll(async () => {
  h = await startInferenceHarness({ metricsMaxLabelValues: 3 });
  admin = await h.token(ALL_INFERENCE);
  version = h.platform.addModel({
    organizationId: h.org,
    modelName: 'tiny',
    version: 1,
    bytes: buildDenseSigmoidModel([[1], [1]], [0]),
  }).id;
});
afterAll(() => h?.close());

const metrics = async () => (await fetch(`${h.service.url}/metrics`)).text();
const endpointLabels = (text: string, metric: string) =>
  new Set([...text.matchAll(new RegExp(`^${metric}\\{[^}]*endpoint="([^"]*)"`, 'gm'))].map((m) => m[1]));

describe('inference metrics under many endpoints', () => {
  it('keeps the first endpoint/version pairs and counts the rest as other', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `tenant-endpoint-${i}`);
    for (const name of names) {
      const created = await h.gql(CREATE, { i: { name, routes: [{ modelVersion: version, weight: 1 }] } }, admin);
      expect(created.errors).toBeUndefined();
      await settledEndpoint(h, created.data.createEndpoint.id, admin);
    }
    const predictAll = async () => {
      for (const name of names) {
        const res = await h.gql(
          PREDICT,
          { i: { endpoint: name, inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] } },
          admin,
        );
        expect(res.errors).toBeUndefined();
      }
    };
    await predictAll();
    const first = await metrics();
    for (const metric of ['inference_predictions_total', 'inference_prediction_duration_seconds_count']) {
      expect(endpointLabels(first, metric), metric).toEqual(new Set([...names.slice(0, 3), 'other']));
    }
    expect(first).toMatch(
      new RegExp(`^inference_predictions_total\\{[^}]*endpoint="other",model_version="other"[^}]*\\} 5$`, 'm'),
    );
    await predictAll();
    const second = await metrics();
    // Only values changed: the same inference series as before.
    const series = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('inference_predict'))
        .map((l) => l.slice(0, l.lastIndexOf(' ')));
    expect(series(second)).toEqual(series(first));
  });
});
