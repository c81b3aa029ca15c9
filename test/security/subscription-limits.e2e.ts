// Issue #16, class 6: subscriptions (graphql-ws and multipart HTTP), and queries sent over
// graphql-ws, get the edge treatment of `POST /graphql`: the depth, alias, cost, token and directive
// limits with the same settings, the safelist, the rate limits, and in production no field
// suggestions (or introspection) in any answer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../gateway/src/config';
import type { RunningGateway } from '../support/gateway-harness';
import { startGatewayOver } from '../support/gateway-harness';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';
import { GraphQLWsProbe, rawUpgrade, waitFor } from '../support/ws';

const LINEAGE = 'subscription { lineageEvents { eventType job { name } } }';
const USER = 'id email name disabled lastLoginAt createdAt roles permissions';
/** `levels` of organizations → members under a user, each level with `fields`. */
const nest = (levels: number, fields: string): string =>
  levels === 0 ? fields : `${fields} organizations { id slug name members { ${nest(levels - 1, fields)} } }`;

/** Attacks as subscription bodies (under `trainingJobProgress { job { createdBy {` or `lineageEvents {`), the limit each breaks and its code. */
const ATTACKS: { name: string; subscription: string; query: string; code: string; limit: number }[] = [
  {
    name: 'depth',
    subscription: `subscription { trainingJobProgress(id: "x") { job { createdBy { ${nest(5, 'id')} } } } }`,
    query: `query { trainingJob(id: "x") { createdBy { ${nest(5, 'id')} } } }`,
    code: 'DEPTH_LIMIT_EXCEEDED',
    limit: 12,
  },
  {
    name: 'aliases',
    subscription: `subscription { lineageEvents { ${Array.from({ length: 16 }, (_, i) => `a${i}: eventId`).join(' ')} } }`,
    query: `query { me { ${Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ')} } }`,
    code: 'ALIAS_LIMIT_EXCEEDED',
    limit: 15,
  },
  {
    name: 'directives',
    subscription: `subscription { lineageEvents { ${'eventId @include(if: true) '.repeat(51)} } }`,
    query: `query { me { ${'id @include(if: true) '.repeat(51)} } }`,
    code: 'DIRECTIVE_LIMIT_EXCEEDED',
    limit: 50,
  },
  {
    name: 'tokens',
    subscription: `subscription { lineageEvents { ${'eventId '.repeat(3001)} } }`,
    query: `query { me { ${'id '.repeat(3001)} } }`,
    code: 'TOKEN_LIMIT_EXCEEDED',
    limit: 3000,
  },
  {
    name: 'cost (wide)',
    subscription: `subscription { trainingJobProgress(id: "x") { job { createdBy { ${nest(4, `${USER} `.repeat(5))} } } } }`,
    query: `query { me { ${nest(5, `${USER} `.repeat(5))} } }`,
    code: 'COST_LIMIT_EXCEEDED',
    limit: 5000,
  },
  {
    name: 'cost (deep)',
    subscription: `subscription { trainingJobProgress(id: "x") { job { createdBy { ${nest(3, `${USER} `.repeat(10))} } } } }`,
    query: `query { me { ${nest(4, `${USER} `.repeat(10))} } }`,
    code: 'COST_LIMIT_EXCEEDED',
    limit: 5000,
  },
];

/** Misspellings whose validation errors carry suggestions in development. */
const MISSPELT = [
  { name: 'root field', subscription: 'subscription { lineageEvent { eventId } }', query: 'query { mee { id } }' },
  { name: 'field', subscription: 'subscription { lineageEvents { evntId } }', query: 'query { me { emial } }' },
  {
    name: 'argument',
    subscription: 'subscription { lineageEvents(namespce: "x") { eventId } }',
    query: 'query { users(frist: 1) { id } }',
  },
  {
    name: 'variable type',
    subscription: 'subscription($n: Strin) { lineageEvents(namespace: $n) { eventId } }',
    query: 'query($n: Strin) { me { id } }',
  },
];

describe.each([
  ['development', false],
  ['production', true],
])('edge limits on subscriptions and graphql-ws (%s)', (_mode, production) => {
  let p: Platform;
  const extra: RunningGateway[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-sub-limits-'));

  async function gatewayWith(overrides: Partial<GatewayConfig>): Promise<RunningGateway> {
    // Production subgraphs disclose their SDL to service credentials only.
    const g = await startGatewayOver(
      Object.values(p.services),
      {
        production,
        auth: {
          jwksUrl: `${p.services.identity!.url}/.well-known/jwks.json`,
          issuer: 'aic-identity',
          audience: 'aic-platform',
        },
        ...overrides,
      },
      { serviceSecret: p.serviceSecret },
    );
    extra.push(g);
    return g;
  }

  /** The errors a subscription (or query) gets over graphql-ws; the socket must stay open. */
  async function overWs(
    url: string,
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) {
    const probe = await GraphQLWsProbe.connect(url, p.owner.token, { headers });
    probe.subscribe('op', query, variables);
    const m = await probe.waitFor((x) => x.id === 'op' && (x.type === 'error' || x.type === 'next'), 'an answer');
    expect(probe.closed).toBeUndefined();
    probe.close();
    return m.type === 'error' ? { errors: m.payload as any[] } : (m.payload as { data?: any; errors?: any[] });
  }

  /** A multipart subscription request; a stream that starts (200) is cancelled at once. */
  async function overMultipart(url: string, query: string, headers: Record<string, string> = {}) {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
        authorization: `Bearer ${p.owner.token}`,
        ...headers,
      },
      body: JSON.stringify({ query }),
    });
    if (res.status === 200) await res.body?.cancel();
    return { status: res.status, body: res.status === 200 ? undefined : ((await res.json()) as { errors: any[] }) };
  }

  beforeAll(async () => {
    p = await startPlatform({ production, only: ['catalog', 'models'] });
  });
  afterAll(async () => {
    for (const g of extra) await g.stop();
    await p?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(ATTACKS)(
    'refuses a subscription over the $name limit over graphql-ws and multipart exactly as /graphql refuses it',
    async ({ subscription, query, code, limit }) => {
      const gw = p.gateway.graphqlUrl;
      // What /graphql answers for the very same text: 400, the limit's own code and `extensions.limit`.
      const http = await p.call(subscription, {}, p.owner.token);
      expect(http.status).toBe(400);
      expect(http.errors).toHaveLength(1);
      expect(http.errors![0].extensions).toMatchObject({ code, limit });
      expect(http.errors![0].message).toMatch(new RegExp(`limit of ${limit}$`));
      const ws = await overWs(gw, subscription);
      expect(ws.errors).toEqual(http.errors);
      const mp = await overMultipart(gw, subscription);
      expect(mp.status).toBe(400);
      expect(mp.body!.errors).toEqual(http.errors);
      // The query form: refused alike at /graphql and over graphql-ws.
      const httpQuery = await p.call(query, {}, p.owner.token);
      expect([httpQuery.status, httpQuery.errors![0].extensions]).toMatchObject([400, { code, limit }]);
      expect((await overWs(gw, query)).errors).toEqual(httpQuery.errors);
    },
  );

  it.each(MISSPELT)(
    `${production ? 'hides' : 'shows'} field suggestions for a misspelt $name on every transport`,
    async ({ subscription, query }) => {
      const gw = p.gateway.graphqlUrl;
      const answers = [
        (await overWs(gw, subscription)).errors!,
        (await overMultipart(gw, subscription)).body!.errors,
        (await overWs(gw, query)).errors!,
        (await p.call(query, {}, p.owner.token)).errors!,
      ];
      for (const errors of answers) {
        expect(errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
        const suggested = errors.some((e: { message: string }) => /Did you mean/.test(e.message));
        expect(suggested, JSON.stringify(errors)).toBe(!production);
      }
    },
  );

  it(`${production ? 'hides' : 'shows'} suggestions in variable errors, at /graphql and over graphql-ws`, async () => {
    const mutation = 'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }';
    const variables = { i: { nmae: 'x', format: 'CSV' } };
    for (const errors of [
      (await p.call(mutation, variables, p.owner.token)).errors!,
      (await overWs(p.gateway.graphqlUrl, mutation, variables)).errors!,
    ]) {
      expect(errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual([
        'BAD_USER_INPUT',
        'BAD_USER_INPUT',
      ]);
      expect(
        errors.some((e: { message: string }) => /Did you mean/.test(e.message)),
        JSON.stringify(errors),
      ).toBe(!production);
    }
  });

  it(`${production ? 'refuses' : 'answers'} introspection over graphql-ws as at /graphql`, async () => {
    const ws = await overWs(p.gateway.graphqlUrl, 'query { __schema { queryType { name } } }');
    if (production) expect(ws.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    else expect(ws.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('applies the same settings: a lower cost limit refuses what the default lets through, on every transport', async () => {
    const g = await gatewayWith({
      limits: { maxDepth: 12, maxAliases: 15, maxCost: 20, maxTokens: 3000, maxDirectives: 50 },
    });
    const sub =
      'subscription { lineageEvents { eventId kind eventType eventTime runId job { namespace name } inputs { namespace name } outputs { namespace name } } }';
    expect((await overMultipart(p.gateway.graphqlUrl, sub)).status).toBe(200);
    const ws = await overWs(g.graphqlUrl, sub);
    expect(ws.errors![0].extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', limit: 20 });
    expect(ws.errors![0].message).toMatch(/over the limit of 20$/);
    const mp = await overMultipart(g.graphqlUrl, sub);
    expect(mp.status).toBe(400);
    expect(mp.body!.errors).toEqual(ws.errors);
  });

  it('holds subscriptions and graphql-ws queries to the safelist, by the text the client sent', async () => {
    const listed = { sub: LINEAGE, query: 'query Listed { __typename }' };
    const manifest = path.join(dir, `manifest-${production}.json`);
    fs.writeFileSync(
      manifest,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [
          { id: '1', name: 'L', type: 'subscription', body: listed.sub },
          { id: '2', name: 'Listed', type: 'query', body: listed.query },
        ],
      }),
    );
    const g = await gatewayWith({ safelistPath: manifest });
    for (const refused of [
      'subscription { lineageEvents { eventId } }',
      LINEAGE.replace('{ eventType', '{  eventType'),
    ]) {
      expect((await overWs(g.graphqlUrl, refused)).errors![0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_SAFELIST');
      const mp = await overMultipart(g.graphqlUrl, refused);
      expect(mp.status).toBe(400);
      expect(mp.body!.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_SAFELIST');
    }
    expect((await overWs(g.graphqlUrl, 'query Unlisted { __typename }')).errors![0].extensions.code).toBe(
      'PERSISTED_QUERY_NOT_IN_SAFELIST',
    );
    expect(await overWs(g.graphqlUrl, listed.query)).toEqual({ data: { __typename: 'Query' } });
    // The listed subscription runs and delivers.
    const probe = await GraphQLWsProbe.connect(g.graphqlUrl, p.owner.token);
    probe.subscribe('ok', listed.sub);
    const event = {
      eventTime: new Date().toISOString(),
      eventType: 'START',
      producer: 'https://example.com/t',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      run: { runId: '0190b6a4-8c1e-7c5a-b3f1-1a2b3c4d5e61' },
      job: { namespace: 'aic://tests', name: 'safelisted' },
    };
    await waitFor(async () => {
      await p.call(
        'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { eventId } }',
        { e: event },
        p.owner.token,
      );
      return probe.messages.some((m) => m.id === 'ok' && m.type === 'next' && m.payload.data);
    }, 'an event on the safelisted subscription');
    probe.close();
  });

  it('rate-limits upgrades and operations over graphql-ws and multipart subscriptions, per client address', async () => {
    const g = await gatewayWith({ trustProxy: 1, rateLimits: { perUserPerMinute: 0, perIpPerMinute: 6 } });
    const a = { 'x-forwarded-for': '198.51.100.1' };
    const probe = await GraphQLWsProbe.connect(g.graphqlUrl, p.owner.token, { headers: a });
    let refused: any;
    for (let i = 0; i < 10 && !refused; i++) {
      probe.subscribe(`op${i}`, 'query { __typename }');
      const m = await probe.waitFor(
        (x) => x.id === `op${i}` && (x.type === 'next' || x.type === 'error'),
        `answer ${i}`,
      );
      if (m.type === 'error') refused = m.payload[0];
    }
    expect(refused.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.extensions.retryAfterSeconds).toBeGreaterThan(0);
    expect(probe.closed).toBeUndefined();
    const upgrade = await rawUpgrade(g.graphqlUrl, { headers: a });
    expect(upgrade.status).toBe(429);
    expect(upgrade.head).toMatch(/retry-after: \d+/i);
    expect(JSON.parse(upgrade.body).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await overMultipart(g.graphqlUrl, LINEAGE, a)).status).toBe(429);
    // Another address is not affected.
    expect(
      await overWs(g.graphqlUrl, 'query { __typename }', undefined, { 'x-forwarded-for': '198.51.100.2' }),
    ).toEqual({ data: { __typename: 'Query' } });
    probe.close();
  });

  it('rate-limits graphql-ws operations per user', async () => {
    const g = await gatewayWith({ rateLimits: { perUserPerMinute: 4, perIpPerMinute: 0 } });
    const probe = await GraphQLWsProbe.connect(g.graphqlUrl, p.owner.token);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      probe.subscribe(`q${i}`, 'query { __typename }');
      const m = await probe.waitFor(
        (x) => x.id === `q${i}` && (x.type === 'next' || x.type === 'error'),
        `answer ${i}`,
      );
      codes.push(m.type === 'error' ? m.payload[0].extensions.code : 'ok');
    }
    // The connection's upgrade carried no Authorization header: only operations count for the user.
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    probe.subscribe('sub', LINEAGE);
    expect((await probe.errorsOf('sub')).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(probe.closed).toBeUndefined();
    probe.close();
  });
});
