import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceServer } from '../../lib/src/index';
import type { RunningService } from '../../lib/src/testing/harness';
import { composeRunning, gql, startService } from '../../lib/src/testing/harness';
import type { RunningGateway } from '../../test/support/gateway-harness';
import { startGatewayOver } from '../../test/support/gateway-harness';
import { loadGatewayConfig } from '../src/config';
import type { Gateway } from '../src/server';
import { createGateway } from '../src/server';

/** A subgraph whose idle kept-alive connections close after `keepAliveTimeoutMs`; `calls` counts executed mutations. */
async function startCounter(keepAliveTimeoutMs: number, counter: { calls: number }): Promise<RunningService> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { hello: String! }
      type Mutation { bump: Int! }`),
    resolvers: {
      Query: { hello: () => 'world' },
      Mutation: { bump: () => ++counter.calls },
    },
  });
  const server = await createServiceServer({
    name: 'counter',
    schema,
    logger: createLogger('counter', 'silent'),
    production: false,
    bodyLimitBytes: 100_000,
    context: async () => ({}),
    keepAliveTimeoutMs,
  });
  return startService('counter', server);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idle kept-alive connections to a subgraph', () => {
  const counter = { calls: 0 };
  let service: RunningService;
  let gateway: RunningGateway;
  // 2 s stands for Node's default 5 s (the smallest a client reuses: it subtracts 1 s from the
  // announced `timeout=2`). Node 20 closes an idle connection 1 s after keepAliveTimeout
  // (HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER), so the race is about 3 s after an answer.
  const keepAliveMs = 2000;
  const closesAfterMs = keepAliveMs + 1000;

  beforeAll(async () => {
    service = await startCounter(keepAliveMs, counter);
    gateway = await startGatewayOver([service], {
      rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
      auth: { issuer: 'x', audience: 'y' },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.stop();
  });

  it(
    'answers every mutation sent at the moment the subgraph closes the idle connection',
    { timeout: 60_000 },
    async () => {
      const failures: unknown[] = [];
      const before = counter.calls;
      // Gaps around the subgraph's keep-alive timeout, as the 4.9-5.1 s after the previous answer.
      const gaps = [-10, -6, -4, -2, -1, 0, 1, 2, 4, 8].map((d) => closesAfterMs + d);
      await gql(gateway.graphqlUrl, 'mutation { bump }');
      for (const gap of gaps) {
        await pause(gap);
        const res = await gql(gateway.graphqlUrl, 'mutation { bump }');
        if (res.errors) failures.push({ gap, errors: res.errors });
      }
      expect(failures).toEqual([]);
      expect(counter.calls - before).toBe(gaps.length + 1);
    },
  );
});

describe('a subgraph that resets a reused connection with the request unread', () => {
  const counter = { calls: 0 };
  let service: RunningService;
  let front: http.Server;
  let gateway: Gateway;
  let graphqlUrl: string;
  const resets: number[] = [];
  const logLines: { level: number; msg: string; url?: string }[] = [];

  /** In front of the subgraph: resets (RST, body unread) the second request of every connection, as a server closing it idle does. */
  async function startResettingFront(target: string): Promise<RunningService> {
    const served = new WeakMap<object, number>();
    front = http.createServer(
      (req, res) =>
        void (async () => {
          const n = (served.get(req.socket) ?? 0) + 1;
          served.set(req.socket, n);
          if (n === 2) {
            resets.push(Date.now());
            req.socket.resetAndDestroy();
            return;
          }
          let body = '';
          for await (const chunk of req) body += chunk;
          const upstream = await fetch(target, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          res.writeHead(upstream.status, { 'content-type': 'application/json' });
          res.end(await upstream.text());
        })(),
    );
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    return { name: 'counter', url, graphqlUrl: `${url}/graphql`, stop: async () => undefined };
  }

  beforeAll(async () => {
    service = await startCounter(65_000, counter);
    const supergraphSdl = await composeRunning([await startResettingFront(service.graphqlUrl)]);
    const config = {
      ...loadGatewayConfig({}),
      rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
      auth: { issuer: 'x', audience: 'y' },
    };
    const logger = createLogger('gateway', 'warn', { write: (line: string) => void logLines.push(JSON.parse(line)) });
    gateway = await createGateway(config, { supergraphSdl, logger });
    graphqlUrl = `${await gateway.listen(0, '127.0.0.1')}/graphql`;
  });
  afterAll(async () => {
    await gateway?.stop();
    front?.closeAllConnections();
    await new Promise<void>((r) => front.close(() => r()));
    await service?.stop();
  });

  it('sends a mutation again on a new connection, and runs it once', async () => {
    const before = counter.calls;
    for (let i = 0; i < 3; i++) {
      const res = await gql(graphqlUrl, 'mutation { bump }');
      expect(res.errors).toBeUndefined();
    }
    expect(resets.length).toBeGreaterThan(0);
    expect(counter.calls - before).toBe(3);
    const resent = logLines.filter((l) => l.msg.startsWith('subgraph closed a kept-alive connection'));
    expect(resent.length).toBe(resets.length);
    expect(resent[0]).toMatchObject({ level: 40, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/) });
  });
});
