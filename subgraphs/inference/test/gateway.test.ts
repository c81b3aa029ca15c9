import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../../lib/src/testing/harness';
import { startGatewayOver, type RunningGateway } from '../../../test/support/gateway-harness';
import { buildDenseSigmoidModel, buildIdentityModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from './support/inference.harness';

let h: InferenceHarness;
let gateway: RunningGateway;
let admin: string;
const x = { name: 'x', datatype: 'FP32', shape: [2, 2], data: [0.25, -1, 3, 0.5] };
const PREDICT =
  'mutation($i: PredictInput!) { predict(input: $i) { modelVersion { id } outputs { name datatype shape data } } }';

beforeAll(async () => {
  h = await startInferenceHarness();
  gateway = await startGatewayOver([h.service], {
    auth: { jwksUrl: h.issuer.jwksUrl, issuer: h.issuer.issuer, audience: h.issuer.audience },
  });
  admin = await h.token(ALL_INFERENCE);
  const v = h.platform.addModel({
    organizationId: h.org,
    modelName: 'gw',
    version: 1,
    bytes: buildDenseSigmoidModel(
      [
        [1, -2],
        [0.5, 1],
      ],
      [0, 0.5],
    ),
  });
  const res = await h.gql(
    'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
    { i: { name: 'gw', routes: [{ modelVersion: v.id, weight: 1 }] } },
    admin,
  );
  await settledEndpoint(h, res.data.createEndpoint.id, admin);
});
afterAll(async () => {
  await gateway?.stop();
  await h?.close();
});

describe('through the gateway', () => {
  it('predicts as inference:invoke and refuses a viewer without it', async () => {
    const invoker = await h.token(['inference:invoke']);
    const ok = await gql(gateway.graphqlUrl, PREDICT, { i: { endpoint: 'gw', inputs: [x] } }, invoker);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.predict.outputs[0]).toMatchObject({ name: 'y', datatype: 'FP32', shape: [2, 2] });
    const viewer = await gql(
      gateway.graphqlUrl,
      PREDICT,
      { i: { endpoint: 'gw', inputs: [x] } },
      await h.token(['inference:read']),
    );
    expect(viewer.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', serviceName: 'inference' });
  });

  it('answers OIP REST infer with the same numbers as GraphQL', async () => {
    const rest = await fetch(`${gateway.url}/v2/models/gw/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [x] }),
    });
    expect(rest.status).toBe(200);
    const body = (await rest.json()) as any;
    const graph = await gql(gateway.graphqlUrl, PREDICT, { i: { endpoint: 'gw', inputs: [x] } }, admin);
    expect(body.outputs[0].data).toEqual(graph.data.predict.outputs[0].data);
  });

  it('delivers predictions made by another client to a subscriber', async () => {
    const client = createClient({
      url: gateway.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${await h.token(['inference:read'])}` },
    });
    const invoker = await h.token(['inference:invoke']);
    let timer: NodeJS.Timeout | undefined;
    const event = await new Promise<any>((resolve, reject) => {
      const stop = client.subscribe(
        {
          query:
            'subscription { predictionStream(endpoint: "gw", includeOutputs: true) { modelVersion { id } outputs { data } } }',
        },
        {
          next: (v) => {
            if (v.errors) return reject(new Error(JSON.stringify(v.errors)));
            stop();
            resolve(v.data);
          },
          error: reject,
          complete: () => undefined,
        },
      );
      timer = setInterval(
        () => void gql(gateway.graphqlUrl, PREDICT, { i: { endpoint: 'gw', inputs: [x] } }, invoker),
        100,
      );
    });
    clearInterval(timer);
    await client.dispose();
    const direct = await gql(gateway.graphqlUrl, PREDICT, { i: { endpoint: 'gw', inputs: [x] } }, invoker);
    expect(event.predictionStream.outputs[0].data).toEqual(direct.data.predict.outputs[0].data);
  });

  it('passes a 1.2 MB rawData image and its 1.2 MB answer through byte for byte, as the service answers it', async () => {
    for (const [name, datatype, shape] of [
      ['image', 'FP32', [1, 3, 320, 320]],
      ['texts', 'BYTES', [4]],
    ] as const) {
      const v = h.platform.addModel({
        organizationId: h.org,
        modelName: name,
        version: 1,
        bytes: buildIdentityModel(datatype, [...shape]),
      });
      const made = await h.gql(
        'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
        { i: { name, routes: [{ modelVersion: v.id, weight: 1 }] } },
        admin,
      );
      await settledEndpoint(h, made.data.createEndpoint.id, admin);
    }
    const image = Float32Array.from({ length: 3 * 320 * 320 }, (_, i) => Math.sin(i));
    const rawData = Buffer.from(image.buffer).toString('base64');
    const query = 'mutation($i: PredictInput!) { predict(input: $i) { outputs { name datatype shape data rawData } } }';
    const post = async (url: string, variables: Record<string, unknown>) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ query, variables }),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      // The declared length is the answer's bytes (not its characters: the texts below are not ASCII).
      expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
      return bytes.toString('utf8');
    };
    const asImage = {
      i: {
        endpoint: 'image',
        inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3, 320, 320], rawData }],
        parameters: { rawOutputs: true },
      },
    };
    const viaGateway = await post(gateway.graphqlUrl, asImage);
    expect(JSON.parse(viaGateway).data.predict.outputs[0].rawData).toBe(rawData);
    expect(viaGateway).toBe(await post(h.service.graphqlUrl, asImage));
    // JSON data with many multi-byte characters: an answer whose byte and character counts differ.
    const texts = ['é'.repeat(30_000), '🙂'.repeat(10_000), 'plain', ''];
    const asTexts = {
      i: { endpoint: 'texts', inputs: [{ name: 'input', datatype: 'BYTES', shape: [4], data: texts }] },
    };
    const textsViaGateway = await post(gateway.graphqlUrl, asTexts);
    expect(JSON.parse(textsViaGateway).data.predict.outputs[0].data).toEqual(texts);
    expect(textsViaGateway).toBe(await post(h.service.graphqlUrl, asTexts));
  });
});
