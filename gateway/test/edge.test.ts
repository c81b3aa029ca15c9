import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../test/support/gateway-harness';
import { startGatewayOver } from '../../test/support/gateway-harness';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql } from '../../lib/src/testing/harness';
import type { TestIssuer } from '../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../lib/src/testing/test-issuer';
import type { StockControl } from './fixtures/test-subgraphs';
import { startCatalogue, startStock } from './fixtures/test-subgraphs';
import { waitFor } from '../../lib/src/testing/wait-for';

let issuer: TestIssuer;
let catalogue: RunningService;
let stock: RunningService;
const control: StockControl = { delayMs: 0, fail: false, calls: 0 };
let gateway: RunningGateway;
let auth: { jwksUrl: string; issuer: string; audience: string };

beforeAll(async () => {
  issuer = await startTestIssuer();
  auth = { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience };
  catalogue = await startCatalogue();
  stock = await startStock(control);
  gateway = await startGatewayOver([catalogue, stock], {
    auth,
    rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
    bodyLimitBytes: 1_000_000,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await catalogue?.stop();
  await stock?.stop();
  await issuer?.close();
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('operation limits and request hygiene', () => {
  it('refuses deep, alias-heavy, directive-heavy and token-heavy operations', async () => {
    const deep = `{ product(id: "p") { ${'parent { '.repeat(14)} id ${'} '.repeat(14)} } }`;
    const depth = await gql(gateway.graphqlUrl, deep);
    expect(depth.errors?.[0].message).toMatch(/depth/i);
    const aliases = await gql(
      gateway.graphqlUrl,
      `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: hello`).join(' ')} }`,
    );
    expect(aliases.errors?.[0].message).toMatch(/alias/i);
    const directives = await gql(gateway.graphqlUrl, `{ hello ${'@include(if: true) '.repeat(60)} }`);
    expect(directives.errors?.[0].message).toMatch(/directive/i);
    const tokens = await gql(gateway.graphqlUrl, `{ ${'hello '.repeat(3100)} }`);
    expect(tokens.errors?.[0].message).toMatch(/token/i);
    for (const r of [depth, aliases, directives, tokens]) expect(r.data).toBeUndefined();
  });

  it('refuses array batching, multipart/form-data and text/plain (CSRF), and oversized bodies', async () => {
    expect((await post(gateway.graphqlUrl, [{ query: '{ hello }' }, { query: '{ hello }' }])).status).toBe(400);
    const form = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ hello }"}\r\n--x--',
    });
    expect(form.status).toBe(400);
    expect(
      (
        await fetch(gateway.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{"query":"{ hello }"}',
        })
      ).status,
    ).toBe(400);
    expect(
      (await post(gateway.graphqlUrl, { query: '{ hello }', variables: { pad: 'x'.repeat(1_200_000) } })).status,
    ).toBe(413);
  });

  it('supports automatic persisted queries', async () => {
    const query = '{ hello }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const ext = { persistedQuery: { version: 1, sha256Hash } };
    const miss = (await (await post(gateway.graphqlUrl, { extensions: ext })).json()) as any;
    expect(miss.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(((await (await post(gateway.graphqlUrl, { query, extensions: ext })).json()) as any).data).toEqual({
      hello: 'world',
    });
    expect(((await (await post(gateway.graphqlUrl, { extensions: ext })).json()) as any).data).toEqual({
      hello: 'world',
    });
  });
});

describe('production edge', () => {
  let prod: RunningGateway;
  let safelisted: RunningGateway;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-edge-'));
  beforeAll(async () => {
    prod = await startGatewayOver([catalogue, stock], { auth, production: true });
    const manifest = path.join(dir, 'manifest.json');
    fs.writeFileSync(
      manifest,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: 'hello', name: 'Hello', type: 'query', body: 'query Hello { hello }' }],
      }),
    );
    safelisted = await startGatewayOver([catalogue, stock], {
      auth,
      safelistPath: manifest,
      rateLimits: { perIpPerMinute: 3, perUserPerMinute: 0 },
    });
  });
  afterAll(async () => {
    await prod?.stop();
    await safelisted?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns introspection off and hides field suggestions', async () => {
    const intro = await gql(prod.graphqlUrl, '{ __schema { types { name } } }');
    expect(intro.errors?.[0].message).toMatch(/introspection/i);
    const typo = await gql(prod.graphqlUrl, '{ helo }');
    expect(typo.errors?.[0].message).not.toMatch(/did you mean/i);
    const dev = await gql(gateway.graphqlUrl, '{ helo }');
    expect(dev.errors?.[0].message).toMatch(/did you mean/i);
  });

  it('runs only safelisted operations and rate-limits per IP with a retry hint', async () => {
    const ok = await gql(safelisted.graphqlUrl, 'query Hello { hello }');
    expect(ok.data).toEqual({ hello: 'world' });
    const refused = await gql(safelisted.graphqlUrl, '{ products { id } }');
    expect(refused.errors?.[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_SAFELIST');
    await gql(safelisted.graphqlUrl, 'query Hello { hello }');
    const limited = await post(safelisted.graphqlUrl, { query: 'query Hello { hello }' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as any).errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('edge authorization from the supergraph', () => {
  it('enforces @authenticated and @requiresScopes before calling subgraphs', async () => {
    const anon = await gql(gateway.graphqlUrl, '{ secret { value } }');
    expect(anon.status).toBe(401);
    expect(anon.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', fields: ['Query.secret'] });
    const viewer = await issuer.issue({ perms: [] });
    expect((await gql(gateway.graphqlUrl, '{ secret { value } }', {}, viewer)).data).toEqual({
      secret: { value: 's3cr3t' },
    });
    const noScope = await gql(gateway.graphqlUrl, '{ products { cost } }', {}, viewer);
    expect(noScope.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', fields: ['Product.cost'] });
    const finance = await issuer.issue({ perms: ['finance:read'] });
    expect((await gql(gateway.graphqlUrl, '{ products { cost } }', {}, finance)).data).toEqual({
      products: [{ cost: 9.5 }, { cost: 9.5 }],
    });
  });
});

describe('subgraph faults', () => {
  it('answers partial data with HTTP 200 when a subgraph is slow, and the circuit opens then closes', async () => {
    // Generous numbers: a loaded CI machine must not time out the healthy subgraph.
    const fast = await startGatewayOver([catalogue, stock], {
      auth,
      subgraphTimeoutMs: 1500,
      breakerThreshold: 2,
      breakerHalfOpenAfterMs: 1000,
    });
    const q = '{ products { id name inStock } }';
    control.delayMs = 5000;
    const slow = await gql(fast.graphqlUrl, q);
    expect(slow.status).toBe(200);
    expect(slow.data.products).toEqual([
      { id: 'p1', name: 'Product p1', inStock: null },
      { id: 'p2', name: 'Product p2', inStock: null },
    ]);
    expect(slow.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_TIMEOUT', serviceName: 'stock' });
    await gql(fast.graphqlUrl, q);
    const callsBefore = control.calls;
    const open = await gql(fast.graphqlUrl, q);
    expect(open.errors?.[0].extensions).toMatchObject({ code: 'CIRCUIT_OPEN', serviceName: 'stock' });
    expect(control.calls).toBe(callsBefore);
    control.delayMs = 0;
    // Open until the half-open delay has passed; then one trial call closes it.
    const healed = await waitFor(
      async () => {
        const res = await gql(fast.graphqlUrl, q);
        if (res.errors) expect(res.errors[0].extensions).toMatchObject({ code: 'CIRCUIT_OPEN', serviceName: 'stock' });
        return !res.errors && res;
      },
      'the circuit to close',
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(healed.data.products[0].inStock).toBe(3);
    await fast.stop();
  });

  it('answers partial data with an error when a subgraph is down', async () => {
    const doomedControl: StockControl = { delayMs: 0, fail: false, calls: 0 };
    const doomed = await startStock(doomedControl);
    const gw = await startGatewayOver([catalogue, doomed], { auth });
    await doomed.stop();
    const res = await gql(gw.graphqlUrl, '{ products { id inStock } }');
    expect(res.status).toBe(200);
    expect(res.data.products).toEqual([
      { id: 'p1', inStock: null },
      { id: 'p2', inStock: null },
    ]);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'stock' });
    await gw.stop();
  });

  it('finishes every accepted request when stopped under load', async () => {
    // Each request must reach the stock subgraph on its own (counted below), so no shared calls.
    const gw = await startGatewayOver([catalogue, stock], {
      auth,
      rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
      subgraphDedupe: false,
      // Every request executes (and reaches the stock subgraph) on its own.
      inboundDedup: false,
    });
    control.delayMs = 500;
    const baseline = control.calls;
    const inflight = Array.from({ length: 20 }, () => gql(gw.graphqlUrl, '{ products { inStock } }'));
    // Stop once every request is being handled (each has reached the stock subgraph: 2 entities each).
    await waitFor(() => control.calls >= baseline + 40, 'every request to reach the stock subgraph', {
      intervalMs: 10,
    });
    const stopping = gw.stop();
    const results = await Promise.all(inflight);
    await stopping;
    control.delayMs = 0;
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.data.products[0].inStock).toBe(3);
    }
  });
});
