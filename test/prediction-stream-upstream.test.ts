// Issue 20 item 5 on the real inference service: a client leaving a quiet predictionStream must not
// leave the gateway's subscription open on inference.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../lib/src/testing/wait-for';
import { startGatewayOver, type RunningGateway } from './support/gateway-harness';
import { buildDenseSigmoidModel } from '../subgraphs/inference/test/support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from '../subgraphs/inference/test/support/inference.harness';

let h: InferenceHarness;
let gateway: RunningGateway;
let reader: string;
/** WebSocket connections open on the inference service (only the gateway opens any here). */
let upstreamSockets = 0;

beforeAll(async () => {
  h = await startInferenceHarness();
  h.built.server.httpServer.on('upgrade', (_req, socket) => {
    upstreamSockets++;
    socket.once('close', () => upstreamSockets--);
  });
  gateway = await startGatewayOver([h.service], {
    auth: { jwksUrl: h.issuer.jwksUrl, issuer: h.issuer.issuer, audience: h.issuer.audience },
  });
  const admin = await h.token(ALL_INFERENCE);
  const v = h.platform.addModel({
    organizationId: h.org,
    modelName: 'quiet',
    version: 1,
    bytes: buildDenseSigmoidModel([[1]], [0]),
  });
  const res = await h.gql(
    'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
    { i: { name: 'quiet', routes: [{ modelVersion: v.id, weight: 1 }] } },
    admin,
  );
  await settledEndpoint(h, res.data.createEndpoint.id, admin);
  reader = await h.token(['inference:read']);
});
afterAll(async () => {
  await gateway?.stop();
  await h?.close();
});

const STREAM = 'subscription { predictionStream(endpoint: "quiet") { latencyMs modelVersion { id } } }';

describe('a quiet predictionStream through the gateway', () => {
  it('lets go of inference within 1 s of the graphql-ws client completing it', async () => {
    const client = createClient({
      url: gateway.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${reader}` },
    });
    const errors: unknown[] = [];
    const stop = client.subscribe(
      { query: STREAM },
      { next: (v) => v.errors && errors.push(v.errors), error: (e) => errors.push(e), complete: () => undefined },
    );
    await waitFor(() => upstreamSockets === 1, 'the gateway to subscribe on inference');
    stop();
    await waitFor(() => upstreamSockets === 0, 'the upstream connection to close', { timeoutMs: 1000 });
    expect(errors).toEqual([]);
    await client.dispose();
  });

  it('lets go of inference within 1 s of a multipart client disconnecting', async () => {
    const controller = new AbortController();
    const res = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
        authorization: `Bearer ${reader}`,
      },
      body: JSON.stringify({ query: STREAM }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    await waitFor(() => upstreamSockets === 1, 'the gateway to subscribe on inference');
    controller.abort();
    await waitFor(() => upstreamSockets === 0, 'the upstream connection to close', { timeoutMs: 1000 });
  });
});
