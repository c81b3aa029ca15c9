// Issue #16, class 7a: in production no answer of the gateway carries an internal URL, host, port or
// stack trace (GraphQL errors of plan execution and pass-through, subscription events over
// multipart and graphql-ws, REST proxy errors, 502s), while `code` and `serviceName` stay. Dev mode
// may keep the details.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DomainError, createLogger, createServiceServer } from '../../lib/src/index';
import type { RunningGateway } from '../support/gateway-harness';
import { startGatewayOver } from '../support/gateway-harness';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql, startService } from '../../lib/src/testing/harness';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';
import { rawRequest } from './edge-support';

/** Internal addresses as subgraphs leak them: IP literals, cluster names, localhost, IPv6, its own URL. */
const LEAKS = [
  'GET http://10.1.2.3:4003/internal/model-versions/x answered 404',
  'connect ECONNREFUSED 127.0.0.1:4006',
  'see http://catalog:4006/internal/datasets/1 and http://catalog.aic.svc.cluster.local:4006/graphql',
  'db at 192.168.1.7:5432, cache at redis.aic.svc:6379, dev at http://localhost:4001/graphql and localhost:4002',
  'ipv6 [::1]:4001 and http://[fd00::12]:4004/v2 and ECONNREFUSED ::1:4003',
];
const INTERNAL =
  /10\.1\.2\.3|127\.0\.0\.1|192\.168|catalog:4006|svc\.cluster\.local|redis\.aic\.svc|localhost|\[::1\]|::1:|fd00::12|\n\s+at |\/srv\/app\.js|stacktrace|"response"/;
const PUBLIC = 'https://docs.example.com/errors/upstream';

/** A subgraph that leaks in every way a real one could, named `inference` so the gateway's `/v2` routes reach it. */
async function startLeakySubgraph(): Promise<RunningService> {
  let url = '';
  const leak = () =>
    new DomainError(
      'UPSTREAM_ERROR',
      `${LEAKS.join('; ')}; own ${url}; docs ${PUBLIC}\n    at Object.<anonymous> (/srv/app.js:10:5)`,
      {
        response: { url: 'http://10.1.2.3:4003/graphql', status: 404, body: { errors: [] } },
        stacktrace: ['Error: boom', '    at foo (/srv/app.js:1:1)'],
        detail: { nested: [LEAKS[2], { deeper: LEAKS[3], exception: { stack: 'x' } }], docs: PUBLIC },
      },
    );
  const schema = buildSubgraphSchema({
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { leak: String ok: String }
      type Subscription { leaks: String }`),
    resolvers: {
      Query: {
        leak: () => {
          throw leak();
        },
        ok: () => 'fine',
      },
      Subscription: {
        leaks: {
          subscribe: async function* () {
            yield { leaks: 'first' };
          },
          resolve: () => {
            throw leak();
          },
        },
      },
    } as any,
  });
  const server = await createServiceServer({
    name: 'inference',
    schema,
    logger: createLogger('inference', 'silent'),
    production: false,
    bodyLimitBytes: 100_000,
    context: async () => ({}),
    routes: (app) => {
      app.get(
        '/v2/leak',
        (_req, res) =>
          void res.status(404).json({ error: LEAKS.join('; '), detail: { response: { url: 'http://10.1.2.3:4003' } } }),
      );
      app.get(
        '/v2/leak-text',
        (_req, res) =>
          void res
            .status(500)
            .type('text/plain')
            .send(`${LEAKS.join('; ')}\n    at Object.<anonymous> (/srv/app.js:10:5)`),
      );
      app.get('/v2/moved', (_req, res) => void res.redirect(302, `${url}/v2/health/live`));
    },
  });
  const running = await startService('inference', server);
  url = running.url;
  return running;
}

const SUBSCRIBE_HEADERS = {
  'content-type': 'application/json',
  accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
};

/** The payload parts of a multipart subscription answer. */
async function multipart(url: string, query: string, headers: Record<string, string>): Promise<any[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...SUBSCRIBE_HEADERS, ...headers },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return text
    .split('\r\n--graphql')
    .map((part) => part.split('\r\n\r\n')[1])
    .filter((b): b is string => !!b && !!b.trim() && b.trim() !== '{}')
    .map((b) => JSON.parse(b));
}

async function overWs(url: string, query: string, connectionParams: Record<string, unknown> = {}): Promise<any[]> {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  const events: any[] = [];
  try {
    for await (const event of client.iterate({ query })) events.push(event);
  } catch (errors) {
    events.push({ errors });
  } finally {
    await client.dispose();
  }
  return events;
}

describe.each([false, true])('internal addresses in answers (production %s)', (production) => {
  let leaky: RunningService;
  let gateway: RunningGateway;
  let p: Platform;
  /** Everything that would reveal the platform's own services: their URLs, hosts and ports. */
  let internal: RegExp;
  const expectClean = (answer: unknown, label: string) => {
    const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
    if (production) {
      expect(text, label).not.toMatch(INTERNAL);
      expect(text, label).not.toMatch(internal);
    }
  };

  beforeAll(async () => {
    leaky = await startLeakySubgraph();
    gateway = await startGatewayOver([leaky], {
      production,
      auth: { jwksUrl: undefined, issuer: 'aic-identity', audience: 'aic-platform' },
      subscriptionsRequireAuth: false,
    });
    // Tokens are verified by the subgraphs only, and catalog refuses bodies the gateway accepts: both answer 4xx.
    p = await startPlatform({
      production,
      only: ['catalog'],
      env: { AIC_SUBGRAPH_BODY_LIMIT_BYTES: '100000' },
      gateway: {
        auth: { jwksUrl: undefined, issuer: 'aic-identity', audience: 'aic-platform' },
        subscriptionsRequireAuth: false,
      },
    });
    const ports = [leaky, ...Object.values(p.services)].map((s) => new URL(s.url).port).join('|');
    internal = new RegExp(`:(${ports})\\b`);
  });
  afterAll(async () => {
    await gateway?.stop();
    await leaky?.stop();
    await p?.stop();
  });

  it('GraphQL errors of a subgraph: scrubbed, upstream exchange and stacks dropped, code and serviceName kept (planned and passed through)', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await gql(gateway.graphqlUrl, '{ leak }');
      const [error] = res.errors!;
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', serviceName: 'inference' });
      expectClean(res.body, `query ${i}`);
      if (production) {
        expect(error.message).toContain(PUBLIC);
        expect(error.extensions.detail.docs).toBe(PUBLIC);
        expect(error.extensions.response).toBeUndefined();
      } else {
        expect(error.message).toContain('10.1.2.3:4003');
      }
    }
  });

  it('subscription events over multipart and graphql-ws', async () => {
    const parts = await multipart(gateway.graphqlUrl, 'subscription { leaks }', {});
    expect(parts.length).toBeGreaterThan(0);
    expect(JSON.stringify(parts)).toContain('UPSTREAM_ERROR');
    expectClean(parts, 'multipart');
    const events = await overWs(gateway.graphqlUrl, 'subscription { leaks }');
    expect(JSON.stringify(events)).toContain('UPSTREAM_ERROR');
    expectClean(events, 'graphql-ws');
  });

  it('REST proxy error answers (JSON and text) and redirects', async () => {
    const json = await rawRequest(gateway.url, 'GET', '/v2/leak');
    expect(json.status).toBe(404);
    expect(json.json.error).toBeTruthy();
    expectClean(json.body, 'json');
    const text = await rawRequest(gateway.url, 'GET', '/v2/leak-text');
    expect(text.status).toBe(500);
    expectClean(text.body, 'text');
    const moved = await rawRequest(gateway.url, 'GET', '/v2/moved');
    expect([moved.status, moved.headers.location]).toEqual([302, '/v2/health/live']);
  });

  it("a subgraph's 4xx (bad token, body too large) and an unreachable subgraph, on the real platform", async () => {
    // The first request of an operation runs the planned way, the next one passes through: alike.
    for (let i = 0; i < 2; i++) {
      const unauthenticated = await p.call('{ accessRequests { id } }', {}, 'not-a-valid-token');
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        serviceName: 'catalog',
      });
      expectClean(unauthenticated.body, '401');
      if (!production)
        expect(unauthenticated.errors![0].extensions.response.url).toBe(`${p.services.catalog!.url}/graphql`);
      const tooLarge = await p.call(
        'query($q: String) { datasets(query: $q) { __typename } }',
        { q: 'x'.repeat(150_000) },
        p.owner.token,
      );
      expect(tooLarge.status).toBe(200);
      expect(tooLarge.errors?.[0]?.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', serviceName: 'catalog' });
      expectClean(tooLarge.body, '413');
      if (!production) expect(tooLarge.errors![0].extensions.response.url).toBe(`${p.services.catalog!.url}/graphql`);
    }

    await p.services.catalog!.stop();
    const down = await p.call('{ accessRequests { id } }', {}, p.owner.token);
    expect(down.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'catalog' });
    expectClean(down.body, 'unavailable');
    const rest = await rawRequest(p.gateway.url, 'POST', '/api/v1/lineage', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.owner.token}` },
      body: '{}',
    });
    expect([rest.status, rest.json?.errors?.[0]?.extensions?.code]).toEqual([502, 'SUBGRAPH_UNAVAILABLE']);
    expectClean(rest.body, '502');
    const parts = await multipart(p.gateway.graphqlUrl, 'subscription { lineageEvents { __typename } }', {
      authorization: `Bearer ${p.owner.token}`,
    });
    expect(JSON.stringify(parts)).toContain('SUBSCRIPTION_UPSTREAM_ERROR');
    expectClean(parts, 'subscription upstream gone (multipart)');
    const events = await overWs(p.gateway.graphqlUrl, 'subscription { lineageEvents { __typename } }', {
      authorization: `Bearer ${p.owner.token}`,
    });
    expect(JSON.stringify(events)).toContain('SUBSCRIPTION_UPSTREAM_ERROR');
    expectClean(events, 'subscription upstream gone (graphql-ws)');
  });
});
