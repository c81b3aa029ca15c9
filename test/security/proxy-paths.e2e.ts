// Issue #16, class 1: the gateway's proxied routes (REST APIs, uploads, downloads) must never reach
// anything outside their own path space (a subgraph's own /graphql, /internal, /metrics ...), however
// the path is written; and a subgraph's own /graphql gives its schema (introspection, `_service`) in
// production only to callers that hold a service credential.
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { gql } from '../../lib/src/testing/harness';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';
import { organizationOf, rawRequest } from './edge-support';

const SDL = JSON.stringify({ query: '{ _service { sdl } }' });

/** Proxied path prefixes and the method each takes. */
const ROUTES = [
  { prefix: '/v2', method: 'POST' },
  { prefix: '/api/v1/lineage', method: 'POST' },
  { prefix: '/schema-registry', method: 'POST' },
  { prefix: '/uploads/catalog', method: 'PUT' },
  { prefix: '/downloads/catalog', method: 'GET' },
];

/** Ways out of a prefix: dot segments written every way, encoded separators, double encoding, NUL ... */
const ESCAPES = [
  '/../graphql',
  '/../../graphql',
  '/../../../graphql',
  '/../../../../graphql',
  '/..',
  '/../',
  '/x/..',
  '/x/../../graphql',
  '/%2e%2e/graphql',
  '/%2E%2E/graphql',
  '/%2e%2E/graphql',
  '/.%2e/graphql',
  '/%2e./graphql',
  '/.%2E/%2E./graphql',
  '/%2e',
  '/%2e/graphql',
  '/%252e%252e/graphql',
  '/%25252e%25252e/graphql',
  '/..%252fgraphql',
  '/%252e%252e%252fgraphql',
  '/..%2fgraphql',
  '/..%2Fgraphql',
  '/%2e%2e%2fgraphql',
  '/%2fgraphql',
  '/x%2f..%2f..%2fgraphql',
  '/..%5cgraphql',
  '/..%5Cgraphql',
  '/%5c..%5cgraphql',
  '/..\\graphql',
  '/..\\..\\graphql',
  '/\\..\\graphql',
  '/..;/graphql',
  '/.;/graphql',
  '/..;x=1/graphql',
  '/x;/..;/graphql',
  '/./graphql',
  '/.',
  '/./',
  '//graphql',
  '//../graphql',
  '/x//graphql',
  '///graphql',
  '/..%00/graphql',
  '/%00',
  '/.%00./graphql',
  '/..%09/graphql',
  '/..%0a/graphql',
  '/..%20/graphql',
  '/%20../graphql',
  '/%c0%ae%c0%ae/graphql',
  '/%ff',
  '/%e0%80%ae%e0%80%ae/graphql',
  '/..%u002f/graphql',
  '/%/graphql',
  '/%2/graphql',
  '/..#/graphql',
  '/%23/../graphql',
  '/..\u00ff/graphql',
];

/** Paths under a stripped prefix that are not the API's own (the schemas service's other routes). */
const OUTSIDE = [
  '/schema-registry/graphql',
  '/schema-registry/graphql?query={_service{sdl}}',
  '/schema-registry/internal/schema-versions/x',
  '/schema-registry/metrics',
  '/schema-registry/health/ready',
  '/schema-registry/uploads/x',
  '/schema-registry/downloads/x',
  '/schema-registry/',
  '/schema-registry',
  '/schema-registry/Subjects',
  '/schema-registry/%73ubjects',
  '/schema-registry/.well-known/jwks.json',
];

function expectGatewayRefusal(answer: { status: number; body: string; json: any }, target: string): void {
  const label = `${target} -> ${answer.status} ${answer.body.slice(0, 200)}`;
  expect([400, 404], label).toContain(answer.status);
  expect(answer.body, label).not.toMatch(/_service|sdl|"data"/);
  // Node's parser refuses some targets itself (empty body); everything else is the gateway's own JSON refusal.
  if (answer.body !== '')
    expect(answer.json?.errors?.[0]?.extensions?.code, label).toBe(answer.status === 400 ? 'BAD_REQUEST' : 'NOT_FOUND');
}

describe.each([false, true])('proxied routes stay in their path space (production %s)', (production) => {
  let p: Platform;
  let host: string;
  const send = (method: string, target: string, headers: Record<string, string> = {}, body: string = SDL) =>
    rawRequest(p.gateway.url, method, target, {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.owner.token}`, ...headers },
      body: method === 'GET' ? '' : body,
    });

  beforeAll(async () => {
    p = await startPlatform({ production, only: ['catalog', 'schemas', 'models', 'inference'] });
    host = new URL(p.gateway.url).host;
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('refuses every traversal variant on every proxied route, with and without a query string, in origin and absolute form', async () => {
    for (const { prefix, method } of ROUTES) {
      for (const escape of ESCAPES) {
        for (const target of [
          `${prefix}${escape}`,
          `${prefix}${escape}?query=%7B_service%7Bsdl%7D%7D`,
          `http://${host}${prefix}${escape}`,
        ]) {
          expectGatewayRefusal(await send(method, target), target);
        }
      }
    }
  });

  it('refuses mixed-case prefixes and prefixes without a segment boundary instead of forwarding them', async () => {
    for (const target of [
      '/V2/../graphql',
      '/V2/health/live',
      '/Schema-Registry/graphql',
      '/SCHEMA-REGISTRY/subjects',
      '/API/v1/lineage/../graphql',
      '/v2graphql',
      '/v2;/../graphql',
      '/schema-registrygraphql',
      '/schema-registry;/graphql',
      '/api/v1/lineagegraphql',
    ]) {
      expectGatewayRefusal(await send('POST', target), target);
    }
  });

  it('keeps the schema registry prefix on the Confluent API (never the service root)', async () => {
    for (const target of OUTSIDE)
      for (const method of ['GET', 'POST']) expectGatewayRefusal(await send(method, target), `${method} ${target}`);
  });

  it('refuses raw control characters, spaces and non-ASCII bytes in the request target', async () => {
    for (const target of [
      '/v2/..\t/graphql',
      '/v2/.\u0000./graphql',
      '/v2/\u00ff../graphql',
      '/schema-registry/\u00e9/../graphql',
      '/uploads/catalog/..\u0001',
    ]) {
      const answer = await send('POST', target);
      expect([0, 400, 404], target).toContain(answer.status);
      expect(answer.body).not.toMatch(/_service|sdl/);
    }
  });

  it('unknown or inherited service names on the upload and download routes answer 404, never 500', async () => {
    for (const service of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'nope']) {
      expectGatewayRefusal(await send('PUT', `/uploads/${service}/x`, {}, 'bytes'), service);
      expectGatewayRefusal(await send('GET', `/downloads/${service}/x`), service);
    }
  });

  it('still forwards what belongs to each route, query strings included', async () => {
    const live = await send('GET', '/v2/health/live');
    expect([live.status, live.json]).toEqual([200, { live: true }]);
    const absolute = await send('GET', `http://${host}/v2/health/live`);
    expect([absolute.status, absolute.json]).toEqual([200, { live: true }]);
    const subjects = await send('GET', '/schema-registry/subjects?deleted=true');
    expect([subjects.status, subjects.json]).toEqual([200, []]);
    const types = await send('GET', '/schema-registry/schemas/types');
    expect(types.status).toBe(200);
    expect(types.json).toContain('AVRO');
    // Answered by the owning service on its own route: it refused the token or the event, so it was reached.
    const upload = await send(
      'PUT',
      '/uploads/catalog/00000000-0000-0000-0000-000000000000',
      { authorization: 'Bearer not-a-ticket' },
      'bytes',
    );
    expect([upload.status, upload.json]).toEqual([401, { error: 'Invalid or expired upload token' }]);
    const download = await send('GET', '/downloads/catalog/not-a-token');
    expect([download.status, download.json]).toEqual([401, { error: 'Invalid or expired download token' }]);
    const lineage = await send('POST', '/api/v1/lineage', {}, JSON.stringify({ eventType: 'NOPE' }));
    expect(lineage.status).toBe(400);
    expect(lineage.json.error).toBeTruthy();
  });
});

describe('a subgraph gives its schema only to service credentials in production', () => {
  let p: Platform;
  let dev: Platform;
  beforeAll(async () => {
    [p, dev] = await Promise.all([
      startPlatform({ production: true }),
      startPlatform({ production: false, only: ['catalog'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([p?.stop(), dev?.stop()]);
  });

  const DISCLOSING = [
    '{ _service { sdl } }',
    '{ s: _service { sdl } }',
    '{ __schema { queryType { name } } }',
    '{ __type(name: "Query") { name } }',
    '{ x: __type(name: "Query") { fields { name } } }',
    'query { ...F } fragment F on Query { _service { sdl } }',
    'query { ...A } fragment A on Query { ...B } fragment B on Query { __schema { types { name } } }',
    '{ ... on Query { __schema { queryType { name } } } }',
    '{ ... { ... on Query { _service { sdl } } } }',
    'query Other { __typename } query Leak { _service { sdl } }',
  ];
  const ask = (url: string, query: string, headers: Record<string, string> = {}, token?: string) => {
    const operationName = /query Leak/.test(query) ? 'Leak' : undefined;
    return fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, operationName }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  };

  it('refuses introspection and _service without a credential on every subgraph, and answers them with the service secret', async () => {
    for (const [name, svc] of Object.entries(p.services)) {
      const refused = await ask(svc.url, '{ _service { sdl } }');
      expect([name, refused.status, refused.body.errors?.[0]?.extensions?.code, refused.body.data]).toEqual([
        name,
        403,
        'FORBIDDEN',
        undefined,
      ]);
      const allowed = await ask(svc.url, '{ _service { sdl } }', { 'x-aic-service-secret': p.serviceSecret });
      expect([name, allowed.status]).toEqual([name, 200]);
      expect(allowed.body.data._service.sdl).toContain('@key');
    }
  });

  it('refuses every way of writing the request: aliases, fragments, inline fragments, a second operation, GET, a user token, a wrong secret', async () => {
    const catalog = p.services.catalog!.url;
    for (const query of DISCLOSING) {
      for (const [headers, token] of [
        [{}, undefined],
        [{}, p.owner.token],
        [{ 'x-aic-service-secret': 'wrong' }, undefined],
        [{ 'x-aic-service-secret': `${p.serviceSecret}x` }, p.owner.token],
      ] as const) {
        const res = await ask(catalog, query, headers, token);
        expect([query, res.status, res.body.errors?.[0]?.extensions?.code]).toEqual([query, 403, 'FORBIDDEN']);
        expect(JSON.stringify(res.body)).not.toMatch(/"sdl"|queryType|"fields"/);
      }
      const allowed = await ask(catalog, query, { 'x-aic-service-secret': p.serviceSecret });
      expect([query, allowed.status, allowed.body.errors]).toEqual([query, 200, undefined]);
    }
    const get = await fetch(`${catalog}/graphql?query=${encodeURIComponent('{ _service { sdl } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect([get.status, ((await get.json()) as any).errors?.[0]?.extensions?.code]).toEqual([403, 'FORBIDDEN']);
    const plain = await ask(catalog, '{ __typename }');
    expect(plain.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('accepts a service token (kind service) instead of the secret', async () => {
    const res = await fetch(`${p.services.identity!.url}/internal/service-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-aic-service-secret': p.serviceSecret },
      body: JSON.stringify({ service: 'catalog', organizationId: organizationOf(p.owner.token), permissions: [] }),
    });
    const { accessToken } = (await res.json()) as { accessToken: string };
    const allowed = await ask(p.services.models!.url, '{ __schema { queryType { name } } }', {}, accessToken);
    expect(allowed.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('applies the same rule to queries over graphql-ws', async () => {
    const overWs = async (query: string, connectionParams: Record<string, unknown>) => {
      const client = createClient({
        url: `${p.services.catalog!.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams,
        lazy: true,
        retryAttempts: 0,
      });
      try {
        return (await client.iterate({ query }).next()).value as any;
      } catch (errors) {
        return { errors };
      } finally {
        await client.dispose();
      }
    };
    for (const query of DISCLOSING.slice(0, 9)) {
      const refused = await overWs(query, { authorization: `Bearer ${p.owner.token}` });
      expect([query, refused.errors?.[0]?.extensions?.code]).toEqual([query, 'FORBIDDEN']);
      const allowed = await overWs(query, { 'x-aic-service-secret': p.serviceSecret });
      expect([query, allowed.errors]).toEqual([query, undefined]);
    }
  });

  it('the gateway still composes and serves in production, and hides the supergraph schema from clients', async () => {
    const me = await p.call('{ me { email } }', {}, p.owner.token);
    expect(me.data).toEqual({ me: { email: p.owner.email } });
    const intro = await p.call('{ __schema { queryType { name } } }', {}, p.owner.token);
    expect(intro.status).toBe(400);
    const entities = await p.call('{ _service { sdl } }', {}, p.owner.token);
    expect(entities.status).toBe(400);
  });

  it('outside production introspection and _service stay open (composition and tools use them)', async () => {
    for (const svc of Object.values(dev.services)) {
      const res = await gql(svc.graphqlUrl, '{ _service { sdl } __schema { queryType { name } } }');
      expect(res.status).toBe(200);
      expect(res.data.__schema.queryType.name).toBe('Query');
    }
  });
});
