import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse } from 'graphql';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../src/config';
import { ResilientDataSource } from '../src/execution/data-source';
import { createSubgraphFetcher } from '../src/execution/http-fetcher';
import type { RunningGateway } from '../../test/support/gateway-harness';
import { startGatewayOver } from '../../test/support/gateway-harness';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql } from '../../lib/src/testing/harness';

/** What the shelf subgraph saw: every GraphQL request but schema introspection. */
interface Seen {
  query: string;
  authorization?: string;
}

const shelfSchema = buildSubgraphSchema({
  typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Book @key(fields: "id") { id: ID! title: String! }
    type Query { books: [Book!]! }
    type Mutation { borrow: Int! }`),
  resolvers: {
    Query: {
      books: () => [
        { id: 'b1', title: 'Dune' },
        { id: 'b2', title: 'Emma' },
      ],
    },
    Mutation: { borrow: () => 1 },
  } as any,
});

/**
 * A real GraphQL server over HTTP whose answers can be slowed down or replaced by a failure, and
 * which records every call, so the tests count what reached the subgraph.
 */
function startShelf() {
  const control = {
    delayMs: 0,
    failure: undefined as undefined | 'drop' | 'status-500' | 'status-401',
    seen: [] as Seen[],
  };
  const server = http.createServer(
    (req, res) =>
      void (async () => {
        let raw = '';
        for await (const chunk of req) raw += chunk;
        const body = JSON.parse(raw) as { query: string; variables?: Record<string, unknown> };
        const introspection = body.query.includes('_service');
        if (!introspection) control.seen.push({ query: body.query, authorization: req.headers.authorization });
        if (!introspection && control.delayMs) await new Promise((r) => setTimeout(r, control.delayMs));
        if (!introspection && control.failure === 'drop') return void req.socket.destroy();
        if (!introspection && control.failure?.startsWith('status-'))
          return void res
            .writeHead(Number(control.failure.slice(7)), { 'content-type': 'application/json' })
            .end('{"errors":[{"message":"boom"}]}');
        const result = await execute({
          schema: shelfSchema,
          document: parse(body.query),
          variableValues: body.variables,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      })(),
  );
  return {
    control,
    async start(): Promise<RunningService> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return {
        name: 'shelf',
        url,
        graphqlUrl: `${url}/graphql`,
        stop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
      };
    },
  };
}

const shelf = startShelf();
let service: RunningService;
const gateways: RunningGateway[] = [];

async function gatewayWith(overrides: Partial<GatewayConfig> = {}): Promise<RunningGateway> {
  const gw = await startGatewayOver([service], {
    rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
    auth: { issuer: 'x', audience: 'y' },
    // Client requests are shared before they reach the subgraph calls: these tests are about the calls.
    inboundDedup: false,
    ...overrides,
  });
  gateways.push(gw);
  return gw;
}

const BOOKS = '{ books { id title } }';
const together = <T>(n: number, fn: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

beforeAll(async () => {
  service = await shelf.start();
});

beforeEach(() => {
  shelf.control.delayMs = 300;
  shelf.control.failure = undefined;
  shelf.control.seen.length = 0;
});

afterAll(async () => {
  for (const gw of gateways) await gw.stop();
  await service?.stop();
});

describe('subgraph request deduplication', () => {
  it('answers concurrent identical queries with one subgraph call, and makes a new call once it completed', async () => {
    const gw = await gatewayWith();
    // The subgraph answers slowly, so all eight are in flight together even on a loaded machine.
    shelf.control.delayMs = 1500;
    const results = await together(8, () => gql(gw.graphqlUrl, BOOKS));
    shelf.control.delayMs = 0;
    expect(shelf.control.seen).toHaveLength(1);
    for (const r of results)
      expect(r.body).toEqual({
        data: {
          books: [
            { id: 'b1', title: 'Dune' },
            { id: 'b2', title: 'Emma' },
          ],
        },
      });

    // Nothing is kept after the call: the next identical query calls the subgraph again.
    const again = await gql(gw.graphqlUrl, BOOKS);
    expect(again.data.books).toHaveLength(2);
    expect(shelf.control.seen).toHaveLength(2);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_subgraph_deduplicated_total\{subgraph="shelf",service="gateway"\} 7/);
  });

  it('never shares a call between different Authorization headers', async () => {
    const gw = await gatewayWith();
    await together(6, (i) => gql(gw.graphqlUrl, BOOKS, {}, i % 2 ? 'token-a' : 'token-b'));
    expect(shelf.control.seen.map((s) => s.authorization).sort()).toEqual(['Bearer token-a', 'Bearer token-b']);
  });

  it('never shares mutations', async () => {
    const gw = await gatewayWith();
    const results = await together(5, () => gql(gw.graphqlUrl, 'mutation { borrow }'));
    for (const r of results) expect(r.data).toEqual({ borrow: 1 });
    expect(shelf.control.seen.map((s) => s.query.trim().split(/\s|\{/)[0])).toEqual([
      'mutation',
      'mutation',
      'mutation',
      'mutation',
      'mutation',
    ]);
  });

  it('gives every waiter the failure of the shared call', async () => {
    const gw = await gatewayWith({ subgraphRetries: 0 });
    shelf.control.failure = 'drop';
    const dropped = await together(5, () => gql(gw.graphqlUrl, BOOKS));
    expect(shelf.control.seen).toHaveLength(1);
    for (const r of dropped)
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'shelf' });

    shelf.control.seen.length = 0;
    shelf.control.failure = 'status-500';
    const failed = await together(5, () => gql(gw.graphqlUrl, BOOKS));
    expect(shelf.control.seen).toHaveLength(1);
    for (const r of failed)
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'shelf' });

    // A refusal (401) answers the subgraph's own errors with the status's code: the same reaches every waiter.
    shelf.control.seen.length = 0;
    shelf.control.failure = 'status-401';
    const refused = await together(5, () => gql(gw.graphqlUrl, BOOKS));
    expect(shelf.control.seen).toHaveLength(1);
    for (const r of refused)
      expect({ status: r.status, error: r.errors?.[0] }).toMatchObject({
        status: 401,
        error: { message: 'boom', extensions: { code: 'UNAUTHENTICATED', serviceName: 'shelf' } },
      });
  });

  it('gives every waiter the timeout of the shared call', async () => {
    const gw = await gatewayWith({ subgraphTimeoutMs: 200 });
    shelf.control.delayMs = 1000;
    const results = await together(5, () => gql(gw.graphqlUrl, BOOKS));
    expect(shelf.control.seen).toHaveLength(1);
    for (const r of results)
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_TIMEOUT', serviceName: 'shelf' });
  });

  it('is off with AIC_SUBGRAPH_DEDUPE=false', async () => {
    const gw = await gatewayWith({ subgraphDedupe: false });
    await together(4, () => gql(gw.graphqlUrl, BOOKS));
    expect(shelf.control.seen).toHaveLength(4);
  });

  it('gives every caller its own copy of the shared answer (the executor merges into it)', async () => {
    const registry = new Registry();
    const fetcher = createSubgraphFetcher({ timeoutMs: 5000 });
    const source = new ResilientDataSource({
      name: 'shelf',
      url: service.graphqlUrl,
      policy: { timeoutMs: 5000, retries: 0, breakerThreshold: 5, breakerHalfOpenAfterMs: 1000, dedupe: true },
      metrics: {
        duration: new Histogram({
          name: 'd',
          help: 'd',
          labelNames: ['subgraph', 'outcome'] as const,
          registers: [registry],
        }),
        failures: new Counter({
          name: 'f',
          help: 'f',
          labelNames: ['subgraph', 'reason'] as const,
          registers: [registry],
        }),
      },
      fetcher,
    });
    const call = () =>
      source.process({
        kind: 'health check' as any,
        request: { query: 'query Shelf { books { id title } }', operationName: 'Shelf', variables: {} },
        context: {},
      });
    const [a, b, c] = await Promise.all([call(), call(), call()]);
    fetcher.close();
    expect(shelf.control.seen).toHaveLength(1);
    expect(a.data).toEqual(b.data);
    expect(b.data).toEqual(c.data);
    expect(a.data).not.toBe(b.data);
    expect(a.data!.books[0]).not.toBe(b.data!.books[0]);
    a.data!.books[0].title = 'changed';
    a.data!.books.push({ id: 'b3' });
    expect(b.data!.books).toEqual([
      { id: 'b1', title: 'Dune' },
      { id: 'b2', title: 'Emma' },
    ]);
    expect(c.data!.books).toEqual([
      { id: 'b1', title: 'Dune' },
      { id: 'b2', title: 'Emma' },
    ]);
  });
});
