import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../test/support/gateway-harness';
import { startGatewayOver } from '../../test/support/gateway-harness';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql } from '../../lib/src/testing/harness';
import { skipWithoutRedis, TEST_REDIS } from '../../lib/src/testing/redis';
import { startCatalogue } from './fixtures/test-subgraphs';

let catalogue: RunningService;
let flaky: http.Server;
let gateway: RunningGateway;
/** Requests the flaky front saw, by operation kind; it drops the connection of every other GraphQL request. */
const seen: string[] = [];
let dropNext = false;

/** Sits in front of the catalogue subgraph; `dropNext` makes it reset the next GraphQL request's connection. */
async function startFlakyFront(target: string): Promise<RunningService> {
  flaky = http.createServer(
    (req, res) =>
      void (async () => {
        let body = '';
        for await (const chunk of req) body += chunk;
        const query = body ? (JSON.parse(body).query as string) : '';
        if (!query.includes('_service')) seen.push(/^\s*mutation/.test(query) ? 'mutation' : 'query');
        if (dropNext && !query.includes('_service')) {
          dropNext = false;
          req.socket.destroy();
          return;
        }
        const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(await upstream.text());
      })(),
  );
  await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
  return {
    name: 'catalogue',
    url,
    graphqlUrl: `${url}/graphql`,
    stop: () => new Promise<void>((r) => flaky.close(() => r())),
  };
}

beforeAll(async () => {
  catalogue = await startCatalogue();
  const front = await startFlakyFront(catalogue.graphqlUrl);
  gateway = await startGatewayOver([front], {
    rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
    auth: { issuer: 'x', audience: 'y' },
  });
});

afterAll(async () => {
  await gateway?.stop();
  flaky?.closeAllConnections();
  await new Promise<void>((r) => flaky.close(() => r()));
  await catalogue?.stop();
});

describe('subgraph retries', () => {
  it('retries a query after a dropped connection, and answers it', async () => {
    seen.length = 0;
    dropNext = true;
    const res = await gql(gateway.graphqlUrl, '{ hello }');
    expect(res.data).toEqual({ hello: 'world' });
    expect(seen).toEqual(['query', 'query']);
  });

  it('never retries a mutation: the caller gets SUBGRAPH_UNAVAILABLE', async () => {
    seen.length = 0;
    dropNext = true;
    const res = await gql(gateway.graphqlUrl, 'mutation { touch }');
    expect(seen).toEqual(['mutation']);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'catalogue' });
  });
});

describe.skipIf(skipWithoutRedis('the shared rate-limit test is'))('rate limits shared through Redis', () => {
  it('counts requests of every gateway replica together', async () => {
    const redisUrl = TEST_REDIS;
    // A prefix of its own: runs sharing this Redis never see each other's counters.
    const rateLimitPrefix = `test-${randomUUID()}`;
    const a = await startGatewayOver([catalogue], {
      redisUrl,
      rateLimitPrefix,
      rateLimits: { perIpPerMinute: 3, perUserPerMinute: 0 },
      auth: { issuer: 'x', audience: 'y' },
    });
    const b = await startGatewayOver([catalogue], {
      redisUrl,
      rateLimitPrefix,
      rateLimits: { perIpPerMinute: 3, perUserPerMinute: 0 },
      auth: { issuer: 'x', audience: 'y' },
    });
    try {
      const statuses: number[] = [];
      for (const gw of [a, b, a, b]) statuses.push((await gql(gw.graphqlUrl, '{ hello }')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
