import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceServer } from '../../lib/src/index';
import type { RunningService } from '../../lib/src/testing/harness';
import { startService } from '../../lib/src/testing/harness';
import { waitFor } from '../../lib/src/testing/wait-for';
import type { RunningGateway } from '../../test/support/gateway-harness';
import { startGatewayOver } from '../../test/support/gateway-harness';

/** What the quiet subgraph has open: WebSocket connections from the gateway, and running subscriptions. */
const upstream = { sockets: 0, subscriptions: 0, upgrades: 0 };
let quiet: RunningService;
let gateway: RunningGateway;

/** A subgraph whose subscription never sends an event (a quiet prediction stream), counting what is open on it. */
async function startQuietSubgraph(): Promise<RunningService> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { hello: String! }
      type Subscription { predictions(endpointId: ID!): String slowPredictions: String }`),
    resolvers: {
      Query: { hello: () => 'world' },
      Subscription: {
        slowPredictions: {
          subscribe: async () => {
            await new Promise((r) => setTimeout(r, 300));
            return quietStream();
          },
        },
        predictions: {
          subscribe: () => quietStream(),
        },
      },
    },
  });
  function quietStream(): AsyncIterableIterator<never> {
    {
      upstream.subscriptions++;
      let ended = false;
      const end = async (): Promise<IteratorResult<never>> => {
        if (!ended) upstream.subscriptions--;
        ended = true;
        return { done: true, value: undefined };
      };
      return {
        [Symbol.asyncIterator]() {
          return this;
        },
        next: () => new Promise<IteratorResult<never>>(() => undefined),
        return: end,
        throw: end,
      };
    }
  }
  const server = await createServiceServer({
    name: 'quiet',
    schema,
    logger: createLogger('quiet', 'silent'),
    production: false,
    bodyLimitBytes: 100_000,
    context: async () => ({}),
  });
  server.httpServer.on('upgrade', (_req, socket) => {
    upstream.sockets++;
    upstream.upgrades++;
    socket.once('close', () => upstream.sockets--);
  });
  return startService('quiet', server);
}

beforeAll(async () => {
  quiet = await startQuietSubgraph();
  gateway = await startGatewayOver([quiet], {
    subscriptionsRequireAuth: false,
    production: true,
    rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
    auth: { issuer: 'x', audience: 'y' },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await quiet?.stop();
});

const SUBSCRIPTION = 'subscription { predictions(endpointId: "e1") }';

/** Waits until the gateway holds one subscription open on the subgraph. */
const upstreamOpen = () =>
  waitFor(() => upstream.subscriptions === 1 && upstream.sockets === 1, 'the upstream subscription to open');

/** The gateway must let go of the subgraph within 1 s of the client leaving, though no event ever comes. */
async function upstreamClosedWithinOneSecond() {
  await waitFor(() => upstream.subscriptions === 0 && upstream.sockets === 0, 'the upstream subscription to close', {
    timeoutMs: 1000,
  });
}

function wsClient() {
  return createClient({ url: gateway.graphqlUrl.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
}

describe('an upstream subscription on a quiet stream', () => {
  it('closes when the client completes it before the subgraph has started it', async () => {
    const client = wsClient();
    const before = upstream.upgrades;
    const unsubscribe = client.subscribe(
      { query: 'subscription { slowPredictions }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await waitFor(() => upstream.upgrades > before, 'the gateway to connect to the subgraph');
    unsubscribe();
    await waitFor(() => upstream.subscriptions === 0 && upstream.sockets === 0, 'the upstream subscription to close', {
      timeoutMs: 1000,
    });
    await client.dispose();
  });

  it('closes within 1 s when the graphql-ws client completes it', async () => {
    const client = wsClient();
    const unsubscribe = client.subscribe(
      { query: SUBSCRIPTION },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await upstreamOpen();
    unsubscribe();
    await upstreamClosedWithinOneSecond();
    await client.dispose();
  });

  it('closes within 1 s when the graphql-ws client closes its socket', async () => {
    const client = wsClient();
    client.subscribe(
      { query: SUBSCRIPTION },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await upstreamOpen();
    await client.dispose();
    await upstreamClosedWithinOneSecond();
  });

  it('closes within 1 s when the graphql-ws client drops the TCP connection', async () => {
    let socket: WebSocket | undefined;
    const client = wsClient();
    client.on('connected', (s) => (socket = s as WebSocket));
    client.subscribe(
      { query: SUBSCRIPTION },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await upstreamOpen();
    socket!.terminate();
    await upstreamClosedWithinOneSecond();
    await client.dispose();
  });

  it('closes within 1 s when a multipart client disconnects', async () => {
    const controller = new AbortController();
    const res = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
      },
      body: JSON.stringify({ query: SUBSCRIPTION }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    await upstreamOpen();
    controller.abort();
    await upstreamClosedWithinOneSecond();
  });
});
