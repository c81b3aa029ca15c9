import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../src/config';
import { loadGatewayConfig } from '../src/config';
import { createGateway } from '../src/server';
import { createLogger } from '../../lib/src/logger';
import { composeRunning } from '../../lib/src/testing/harness';
import { canonicalJson } from '../src/transport/inbound-dedup';
import type { RunningGateway } from '../../test/support/gateway-harness';
import { startGatewayOver } from '../../test/support/gateway-harness';
import type { RunningService } from '../../lib/src/testing/harness';

const schema = buildSubgraphSchema({
  typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Book @key(fields: "id") { id: ID! title: String! tags: [String!]! }
    type Query { book(id: ID!, filter: BookFilter): Book fail: Int }
    input BookFilter { lang: String, year: Int }
    type Mutation { borrow(id: ID!): Int! }`),
  resolvers: {
    Query: {
      book: (_: unknown, args: { id: string }) => ({ id: args.id, title: `Title ${args.id}`, tags: ['a', 'b'] }),
      fail: () => {
        throw new Error('shelf broke');
      },
    },
    Mutation: { borrow: () => 1 },
  },
});

/**
 * A real GraphQL subgraph over HTTP that counts the calls reaching it and holds each one until the
 * test opens its latch, so that every client request is in flight at the gateway at the same time.
 */
function startShelf() {
  const control = {
    calls: 0,
    authorizations: [] as (string | undefined)[],
    held: [] as (() => void)[],
    open: false,
  };
  const server = http.createServer(
    (req, res) =>
      void (async () => {
        let raw = '';
        for await (const chunk of req) raw += chunk;
        const body = JSON.parse(raw) as { query: string; variables?: Record<string, unknown> };
        if (!body.query.includes('_service')) {
          control.calls++;
          control.authorizations.push(req.headers.authorization);
          if (!control.open) await new Promise<void>((r) => control.held.push(r));
        }
        const result = await execute({ schema, document: parse(body.query), variableValues: body.variables });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      })(),
  );
  return {
    control,
    release() {
      control.open = true;
      for (const r of control.held.splice(0)) r();
    },
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

/** A gateway whose subgraph calls are never shared (AIC_SUBGRAPH_DEDUPE=false): what is shared here is inbound. */
async function gatewayWith(overrides: Partial<GatewayConfig> = {}): Promise<RunningGateway> {
  const gw = await startGatewayOver([service], {
    rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
    auth: { issuer: 'x', audience: 'y' },
    subgraphDedupe: false,
    ...overrides,
  });
  gateways.push(gw);
  return gw;
}

async function waitingAt(gw: RunningGateway): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const m = /^gateway_inbound_dedup_waiting(?:\{[^}]*\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Polls (with a generous deadline) until `done` holds. */
async function until(done: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Opens the subgraph's latch once all `n` client requests are accounted for at the gateway: each
 * either reached the subgraph or waits for an identical request's execution.
 */
async function releaseWhenAllIn(gw: RunningGateway, n: number): Promise<void> {
  await until(async () => shelf.control.calls + (await waitingAt(gw)) >= n, `${n} requests in flight`);
  shelf.release();
}

interface Answer {
  status: number;
  requestId: string | null;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(
  gw: RunningGateway,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Answer> {
  const res = await fetch(gw.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  return {
    status: res.status,
    requestId: res.headers.get('x-request-id'),
    body: (await res.json()) as Answer['body'],
  };
}

const BOOK = 'query Book($id: ID!, $filter: BookFilter) { book(id: $id, filter: $filter) { id title tags } }';
const together = <T>(n: number, fn: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

beforeAll(async () => {
  service = await shelf.start();
});

beforeEach(() => {
  shelf.control.calls = 0;
  shelf.control.authorizations.length = 0;
  shelf.control.open = false;
});

afterAll(async () => {
  shelf.release();
  for (const gw of gateways) await gw.stop();
  await service?.stop();
});

describe('inbound in-flight deduplication', () => {
  it('executes concurrent identical queries once and gives every client its own full answer', async () => {
    const gw = await gatewayWith();
    const n = 6;
    const answers = together(n, (i) =>
      post(
        gw,
        // The same variables in another key order are the same request.
        {
          query: BOOK,
          operationName: 'Book',
          variables:
            i % 2 ? { id: 'b1', filter: { lang: 'en', year: 1965 } } : { filter: { year: 1965, lang: 'en' }, id: 'b1' },
        },
        { authorization: 'Bearer reader', 'x-request-id': `client-${i}` },
      ),
    );
    await releaseWhenAllIn(gw, n);
    const results = await answers;
    expect(shelf.control.calls).toBe(1);
    for (const [i, r] of results.entries()) {
      expect(r.status).toBe(200);
      expect(r.requestId).toBe(`client-${i}`);
      expect(r.body).toEqual({ data: { book: { id: 'b1', title: 'Title b1', tags: ['a', 'b'] } } });
    }
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_inbound_deduplicated_total(\{[^}]*\})? 5$/m);
    expect(await waitingAt(gw)).toBe(0);

    // Nothing is kept once answered: the same query executes again.
    const again = await post(gw, { query: BOOK, variables: { id: 'b1' } }, { authorization: 'Bearer reader' });
    expect(again.body.data).toEqual({ book: { id: 'b1', title: 'Title b1', tags: ['a', 'b'] } });
    expect(shelf.control.calls).toBe(2);
  });

  it('shares errors like data', async () => {
    const gw = await gatewayWith();
    const n = 4;
    const answers = together(n, () => post(gw, { query: '{ fail }' }));
    await releaseWhenAllIn(gw, n);
    const results = await answers;
    expect(shelf.control.calls).toBe(1);
    for (const r of results) {
      expect(r.body.data).toEqual({ fail: null });
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors?.[0]?.message).toBe('shelf broke');
    }
  });

  it('executes separately for different Authorization, variables or operation', async () => {
    const gw = await gatewayWith();
    const n = 8;
    const answers = together(n, (i) =>
      i < 6
        ? post(gw, { query: BOOK, variables: { id: 'b1' } }, { authorization: `Bearer user-${i % 3}` })
        : post(gw, { query: BOOK, variables: { id: `b${i}` } }, { authorization: 'Bearer user-0' }),
    );
    await releaseWhenAllIn(gw, n);
    const results = await answers;
    // Three users of b1, one execution each; b6 and b7 each their own.
    expect(shelf.control.calls).toBe(5);
    expect([...shelf.control.authorizations].sort()).toEqual([
      'Bearer user-0',
      'Bearer user-0',
      'Bearer user-0',
      'Bearer user-1',
      'Bearer user-2',
    ]);
    for (const [i, r] of results.entries()) {
      const id = i < 6 ? 'b1' : `b${i}`;
      expect(r.body).toEqual({ data: { book: { id, title: `Title ${id}`, tags: ['a', 'b'] } } });
    }
  });

  it('never collapses mutations', async () => {
    const gw = await gatewayWith();
    const n = 5;
    const answers = together(n, () => post(gw, { query: 'mutation { borrow(id: "b1") }' }));
    await releaseWhenAllIn(gw, n);
    const results = await answers;
    expect(shelf.control.calls).toBe(n);
    for (const r of results) expect(r.body).toEqual({ data: { borrow: 1 } });
  });

  it('never collapses a mutation picked by operationName from a document that also holds a query', async () => {
    const gw = await gatewayWith();
    const doc = 'query Q { book(id: "b1") { id } } mutation M { borrow(id: "b1") }';
    const n = 4;
    const answers = together(n, () => post(gw, { query: doc, operationName: 'M' }));
    await releaseWhenAllIn(gw, n);
    const results = await answers;
    expect(shelf.control.calls).toBe(n);
    for (const r of results) expect(r.body).toEqual({ data: { borrow: 1 } });
  });

  it('never shares requests that carry a persisted-query hash', async () => {
    const gw = await gatewayWith();
    const query = '{ book(id: "b4") { id title } }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const n = 4;
    const answers = together(n, () => post(gw, { query, extensions: { persistedQuery } }));
    await releaseWhenAllIn(gw, n);
    const results = await answers;
    expect(shelf.control.calls).toBe(n);
    for (const r of results) expect(r.body).toEqual({ data: { book: { id: 'b4', title: 'Title b4' } } });
  });

  it('keeps answering the others when a client disconnects, the first one included', async () => {
    const gw = await gatewayWith();
    const abort = new AbortController();
    const first = post(gw, { query: BOOK, variables: { id: 'b2' } }, {}, abort.signal).catch((err: unknown) => err);
    await until(() => shelf.control.calls === 1, 'the first request at the subgraph');
    const n = 4;
    const others = together(n, () => post(gw, { query: BOOK, variables: { id: 'b2' } }));
    await until(async () => (await waitingAt(gw)) === n, 'the others waiting');
    abort.abort();
    expect(await first).toBeInstanceOf(Error);
    shelf.release();
    const results = await others;
    expect(shelf.control.calls).toBe(1);
    for (const r of results)
      expect(r.body).toEqual({ data: { book: { id: 'b2', title: 'Title b2', tags: ['a', 'b'] } } });
  });

  it('never lets a request wait for an execution on the supergraph before a reload', async () => {
    const supergraphSdl = await composeRunning([service]);
    const gateway = await createGateway(
      {
        ...loadGatewayConfig({}),
        rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
        auth: { issuer: 'x', audience: 'y' },
        subgraphDedupe: false,
        watchSupergraph: false,
      },
      { supergraphSdl, logger: createLogger('gateway', 'silent') },
    );
    const url = await gateway.listen(0, '127.0.0.1');
    const gw: RunningGateway = { url, graphqlUrl: `${url}/graphql`, supergraphSdl, stop: () => gateway.stop() };
    gateways.push(gw);
    const before = post(gw, { query: BOOK, variables: { id: 'b5' } });
    await until(() => shelf.control.calls === 1, 'the first request at the subgraph');
    gateway.reload(`${supergraphSdl}\n# reloaded\n`);
    const after = post(gw, { query: BOOK, variables: { id: 'b5' } });
    await releaseWhenAllIn(gw, 2);
    const results = await Promise.all([before, after]);
    expect(shelf.control.calls).toBe(2);
    for (const r of results) expect(r.body.data).toEqual({ book: { id: 'b5', title: 'Title b5', tags: ['a', 'b'] } });
  });

  it('is on by default and off with AIC_GATEWAY_INBOUND_DEDUP=false', async () => {
    expect(loadGatewayConfig({}).inboundDedup).toBe(true);
    expect(loadGatewayConfig({ AIC_GATEWAY_INBOUND_DEDUP: 'false' }).inboundDedup).toBe(false);
    const gw = await gatewayWith({ inboundDedup: false });
    const n = 4;
    const answers = together(n, () => post(gw, { query: BOOK, variables: { id: 'b3' } }));
    await releaseWhenAllIn(gw, n);
    const results = await answers;
    expect(shelf.control.calls).toBe(n);
    for (const r of results) expect(r.body.data).toEqual({ book: { id: 'b3', title: 'Title b3', tags: ['a', 'b'] } });
  });

  it('keys variables by canonical JSON', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });
});
