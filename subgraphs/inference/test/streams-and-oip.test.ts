import fs from 'node:fs';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConvNetModel, buildDenseSigmoidModel, buildIdentityModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from './support/inference.harness';

let h: InferenceHarness;
let admin: string;
let endpointId: string;
const ids: Record<string, string> = {};
const W = [
  [0.5, -1],
  [2, 0.25],
  [-0.75, 1],
];
const B = [0.1, -0.3];

beforeAll(async () => {
  h = await startInferenceHarness();
  admin = await h.token(ALL_INFERENCE);
  ids.v1 = h.platform.addModel({
    organizationId: h.org,
    modelName: 'dense',
    version: 1,
    bytes: buildDenseSigmoidModel(W, B),
  }).id;
  const res = await h.gql(
    'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
    { i: { name: 'scorer', routes: [{ modelVersion: ids.v1, weight: 1 }] } },
    admin,
  );
  endpointId = res.data.createEndpoint.id;
  await settledEndpoint(h, endpointId, admin);
});
afterAll(() => h?.close());

function wsClient(token: string): Client {
  return createClient({
    url: h.service.graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
}

/** Collects `count` events of a subscription while `act` runs repeatedly (graphql-ws subscribes asynchronously). */
async function collect(client: Client, query: string, count: number, act?: () => Promise<unknown>): Promise<any[]> {
  const events: any[] = [];
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    const stop = client.subscribe(
      { query },
      {
        next: (v) => {
          if (v.errors) return reject(new Error(JSON.stringify(v.errors)));
          events.push(v.data);
          if (events.length >= count) {
            stop();
            resolve();
          }
        },
        error: reject,
        complete: () => resolve(),
      },
    );
    if (act) timer = setInterval(() => void act(), 100);
  });
  clearInterval(timer);
  return events;
}

const rows = [
  [1, 2, 3],
  [0, -1, 0.5],
];

/** onnxruntime computes in float32; the reference here in float64: equal to 6 decimals. */
function expectClose(actual: number[], wanted: number[]): void {
  expect(actual).toHaveLength(wanted.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(wanted[i]!, 6));
}
const expected = rows.map((r) =>
  B.map((b, j) => Math.fround(1 / (1 + Math.exp(-(r.reduce((s, v, i) => s + v * W[i]![j]!, 0) + b))))),
);

describe('subscriptions', () => {
  it('delivers predictions made by another client to a predictionStream subscriber', async () => {
    const watcher = wsClient(await h.token(['inference:read']));
    const invoker = await h.token(['inference:invoke']);
    const events = await collect(
      watcher,
      `subscription { predictionStream(endpoint: "scorer", includeOutputs: true) { endpointId modelVersion { id } latencyMs routingKey outputs { name shape data } outputsOmitted } }`,
      1,
      () =>
        h.gql(
          'mutation($i: PredictInput!) { predict(input: $i) { latencyMs } }',
          {
            i: {
              endpoint: endpointId,
              inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: rows }],
              routingKey: 'someone-else',
            },
          },
          invoker,
        ),
    );
    await watcher.dispose();
    const e = events[0].predictionStream;
    expect(e).toMatchObject({
      endpointId,
      modelVersion: { id: ids.v1 },
      routingKey: 'someone-else',
      outputsOmitted: false,
    });
    expect(e.latencyMs).toBeGreaterThan(0);
    expect(e.outputs).toMatchObject([{ name: 'y', shape: [2, 2] }]);
    expectClose(e.outputs[0].data, expected.flat());
  });

  it('streams live endpoint metrics', async () => {
    const client = wsClient(admin);
    const events = await collect(
      client,
      `subscription { endpointMetrics(endpoint: "scorer", intervalMs: 100) { endpointId versions { modelVersion { id } requests errors latencyP50Ms latencyP99Ms throughput } } }`,
      2,
    );
    await client.dispose();
    expect(events[1].endpointMetrics.endpointId).toBe(endpointId);
    expect(events[1].endpointMetrics.versions[0]).toMatchObject({ modelVersion: { id: ids.v1 }, errors: 0 });
    expect(events[1].endpointMetrics.versions[0].requests).toBeGreaterThan(0);
  });

  it('refuses a stream without inference:read', async () => {
    const client = wsClient(await h.token(['inference:invoke']));
    await expect(
      collect(client, `subscription { endpointMetrics(endpoint: "scorer", intervalMs: 100) { endpointId } }`, 1),
    ).rejects.toThrow(/FORBIDDEN|Missing permission/);
    await client.dispose();
  });

  it('refuses a stream of another organization', async () => {
    const client = wsClient(await h.token(ALL_INFERENCE, 'other-org'));
    await expect(
      collect(client, `subscription { predictionStream(endpoint: "${endpointId}") { latencyMs } }`, 1),
    ).rejects.toThrow(/FORBIDDEN|another organization/);
    await client.dispose();
  });
});

describe('Open Inference Protocol REST', () => {
  const base = () => `${h.service.url}/v2`;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });

  it('answers health, server and model metadata and readiness', async () => {
    expect(await (await fetch(`${base()}/health/live`)).json()).toEqual({ live: true });
    expect(await (await fetch(`${base()}/health/ready`)).json()).toEqual({ ready: true });
    const meta = (await (await fetch(`${base()}/models/scorer`, { headers: auth(admin) })).json()) as any;
    expect(meta).toEqual({
      name: 'scorer',
      versions: [ids.v1],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
    });
    const ready = await fetch(`${base()}/models/scorer/ready`, { headers: auth(admin) });
    expect([ready.status, await ready.json()]).toEqual([200, { name: 'scorer', ready: true }]);
    const versionReady = await fetch(`${base()}/models/scorer/versions/${ids.v1}/ready`, { headers: auth(admin) });
    expect(versionReady.status).toBe(200);
  });

  it('infers with JSON and gives the same numbers as GraphQL', async () => {
    const body = { id: 'req-1', inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: rows.flat() }] };
    const res = await fetch(`${base()}/models/scorer/infer`, {
      method: 'POST',
      headers: { ...auth(admin), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as any;
    expect(json).toMatchObject({
      model_name: 'scorer',
      model_version: ids.v1,
      id: 'req-1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [2, 2] }],
    });
    expectClose(json.outputs[0].data, expected.flat());
    const gql = await h.gql(
      'mutation($i: PredictInput!) { predict(input: $i) { outputs { data } } }',
      { i: { endpoint: 'scorer', inputs: body.inputs } },
      admin,
    );
    expect(gql.data.predict.outputs[0].data).toEqual(json.outputs[0].data);
  });

  it('speaks the binary data extension both ways, and pins a version', async () => {
    const x = new Float32Array(rows.flat());
    const header = Buffer.from(
      JSON.stringify({
        inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], parameters: { binary_data_size: x.byteLength } }],
        outputs: [{ name: 'y', parameters: { binary_data: true } }],
      }),
    );
    const res = await fetch(`${base()}/models/scorer/versions/${ids.v1}/infer`, {
      method: 'POST',
      headers: {
        ...auth(admin),
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.length),
      },
      body: Buffer.concat([header, Buffer.from(x.buffer)]),
    });
    expect(res.status).toBe(200);
    const length = Number(res.headers.get('inference-header-content-length'));
    const bytes = Buffer.from(await res.arrayBuffer());
    const head = JSON.parse(bytes.subarray(0, length).toString());
    expect(head).toEqual({
      model_name: 'scorer',
      model_version: ids.v1,
      outputs: [{ name: 'y', datatype: 'FP32', shape: [2, 2], parameters: { binary_data_size: 16 } }],
    });
    const binary = Array.from(new Float32Array(new Uint8Array(bytes.subarray(length)).buffer));
    expectClose(binary, expected.flat());
    const json = (await (
      await fetch(`${base()}/models/scorer/infer`, {
        method: 'POST',
        headers: { ...auth(admin), 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: rows }] }),
      })
    ).json()) as any;
    expect(binary).toEqual(json.outputs[0].data);
  });

  it('carries a 3×320×320 FP32 image as raw bytes both ways', async () => {
    const image = h.platform.addModel({
      organizationId: h.org,
      modelName: 'image-echo',
      version: 1,
      bytes: buildIdentityModel('FP32', ['batch', 3, 320, 320]),
    });
    const created = await h.gql(
      'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
      { i: { name: 'image-echo', routes: [{ modelVersion: image.id, weight: 1 }] } },
      admin,
    );
    await settledEndpoint(h, created.data.createEndpoint.id, admin);
    const pixels = Float32Array.from({ length: 3 * 320 * 320 }, (_, i) => (i % 251) / 250);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: 'input',
            datatype: 'FP32',
            shape: [1, 3, 320, 320],
            parameters: { binary_data_size: pixels.byteLength },
          },
        ],
        parameters: { binary_data_output: true },
      }),
    );
    const res = await fetch(`${base()}/models/image-echo/infer`, {
      method: 'POST',
      headers: {
        ...auth(admin),
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.length),
      },
      body: Buffer.concat([header, Buffer.from(pixels.buffer)]),
    });
    expect(res.status).toBe(200);
    const length = Number(res.headers.get('inference-header-content-length'));
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(JSON.parse(bytes.subarray(0, length).toString()).outputs[0]).toEqual({
      name: 'output',
      datatype: 'FP32',
      shape: [1, 3, 320, 320],
      parameters: { binary_data_size: pixels.byteLength },
    });
    expect(bytes.subarray(length).equals(Buffer.from(pixels.buffer))).toBe(true);
  });

  it('answers errors as { error } with fitting statuses', async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = auth(admin)) =>
      fetch(`${base()}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await post('/models/scorer/infer', {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2] }],
    });
    expect([bad.status, await bad.json()]).toEqual([
      400,
      { error: 'Input tensors do not fit the model signature: inputs[0].data: has 2 elements, shape [1, 3] needs 3' },
    ]);
    const missing = await post('/models/nope/infer', { inputs: [] });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.stringContaining('not found') });
    expect((await post('/models/scorer/infer', { inputs: [] }, {})).status).toBe(401);
    const forbidden = await post('/models/scorer/infer', { inputs: [] }, auth(await h.token(['inference:read'])));
    expect([forbidden.status, await forbidden.json()]).toEqual([403, { error: 'Missing permission inference:invoke' }]);
    // As in Triton and KServe, a version the endpoint does not serve is not found.
    const notServed = await post('/models/scorer/versions/other/infer', { inputs: [] });
    expect([notServed.status, await notServed.json()]).toEqual([
      404,
      { error: 'endpoint scorer does not serve model version other' },
    ]);
    const notServedReady = await fetch(`${base()}/models/scorer/versions/other/ready`, { headers: auth(admin) });
    expect(notServedReady.status).toBe(404);
  });

  it("answers onnxruntime's message when a valid input fails inside the model: 400 on REST, MODEL_RUNTIME_ERROR in GraphQL", async () => {
    const det = h.platform.addModel({
      organizationId: h.org,
      modelName: 'detector',
      version: 1,
      bytes: buildConvNetModel(4, 1),
    });
    const created = await h.gql(
      'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
      { i: { name: 'detector', routes: [{ modelVersion: det.id, weight: 1 }] } },
      admin,
    );
    await settledEndpoint(h, created.data.createEndpoint.id, admin);
    const image = (side: number) => ({
      name: 'x',
      datatype: 'FP32',
      shape: [1, 3, side, side],
      data: new Array(3 * side * side).fill(0.5),
    });
    const rest = await fetch(`${base()}/models/detector/infer`, {
      method: 'POST',
      headers: { ...auth(admin), 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [image(33)] }),
    });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as any).error).toMatch(
      new RegExp(`^model version ${det.id} failed to run: .*Add node.*33 by 34`),
    );
    const res = await h.gql(
      'mutation($i: PredictInput!) { predict(input: $i) { latencyMs } }',
      { i: { endpoint: 'detector', inputs: [image(33)] } },
      admin,
    );
    expect(res.data).toBeNull();
    expect(res.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/failed to run: .*33 by 34/),
      extensions: { code: 'MODEL_RUNTIME_ERROR', modelVersion: det.id, inputCaused: true },
    });
    const ok = await h.gql(
      'mutation($i: PredictInput!) { predict(input: $i) { outputs { shape } } }',
      { i: { endpoint: 'detector', inputs: [image(32)] } },
      admin,
    );
    expect(ok.data.predict.outputs[0].shape).toEqual([1, 3, 32, 32]);
  });

  it('exports Prometheus metrics of predictions and sessions', async () => {
    const text = await (await fetch(`${h.service.url}/metrics`)).text();
    expect(text).toMatch(
      new RegExp(
        `inference_predictions_total\\{[^}]*endpoint="scorer"[^}]*model_version="${ids.v1}"[^}]*outcome="ok"[^}]*role="route"`,
      ),
    );
    expect(text).toContain('inference_prediction_duration_seconds_bucket');
    // Alerts, autoscaling and dashboards select the role values the service exports.
    const observability = path.join(__dirname, '..', '..', '..', 'k8s', 'base', 'observability');
    const selected = ['monitoring.yaml', 'prometheus-adapter-values.yaml', 'dashboards/aic-gateway-inference.json']
      .map((f) => fs.readFileSync(path.join(observability, f), 'utf8'))
      .flatMap((source) => [...source.matchAll(/role=\\?"(\w+)\\?"/g)].map((m) => m[1]));
    expect(selected.length).toBeGreaterThan(0);
    expect(new Set(selected)).toEqual(new Set(['route']));
    expect(text).toMatch(/inference_sessions\{[^}]*state="READY"[^}]*\} [1-9]/);
  });
});
