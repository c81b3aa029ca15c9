// Issue #16, class 4: operation names are chosen by clients. Thousands of invented names, anonymous
// or signed in, over HTTP and graphql-ws, through the gateway or straight at a subgraph, must not
// grow /metrics: past AIC_METRICS_MAX_LABEL_VALUES (100) names they are counted as `other`, and with
// a safelist only its operations keep their names.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayOver } from '../support/gateway-harness';
import { gql } from '../../lib/src/testing/harness';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';
import { GraphQLWsProbe, waitFor } from '../support/ws';

const CAP = 100;
const metricsOf = async (baseUrl: string) => (await fetch(`${baseUrl}/metrics`)).text();
/** The distinct values of the operation label of graphql_operations_total. */
const operationLabels = (text: string) =>
  new Set([...text.matchAll(/^graphql_operations_total\{[^}]*operation="([^"]*)"/gm)].map((m) => m[1] ?? ''));
/** The lines of GraphQL operation series, without their values. */
const operationSeries = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('graphql_operation'))
    .map((l) => l.slice(0, l.lastIndexOf(' ')));

/** Runs `count` calls, `width` at a time. */
async function flood(count: number, call: (i: number) => Promise<unknown>, width = 16) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await call(next++);
    }),
  );
}

describe.each([
  ['development', false],
  ['production', true],
])('metrics cardinality (%s)', (_mode, production) => {
  let p: Platform;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-metrics-'));
  const run = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    p = await startPlatform({
      production,
      only: ['catalog'],
      gateway: { rateLimits: { perUserPerMinute: 0, perIpPerMinute: 0 } },
    });
  });
  afterAll(async () => {
    await p?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the gateway /metrics bounded under thousands of invented operation names', async () => {
    await p.call('query Dashboard { __typename }');
    const before = await metricsOf(p.gateway.url);
    // Anonymous HTTP, mixed with names too long to ever keep, failing operations and signed-in ones.
    await flood(2000, (i) =>
      i % 10 === 0
        ? p.call(`query ${'L'.repeat(300)}${run}${i} { __typename }`)
        : i % 10 === 1
          ? p.call(`query Bad${run}${i} { noSuchField }`)
          : i % 10 === 2
            ? p.call(`query Me${run}${i} { me { id } }`, {}, p.owner.token)
            : p.call(`query Invented${run}${i} { __typename }`),
    );
    // And over graphql-ws.
    const ws = await GraphQLWsProbe.connect(p.gateway.graphqlUrl, p.owner.token);
    for (let batch = 0; batch < 3; batch++) {
      // 50 at a time: a connection runs at most 100 operations at once.
      for (let i = batch * 50; i < batch * 50 + 50; i++) ws.subscribe(`w${i}`, `query Ws${run}${i} { __typename }`);
      await waitFor(
        () => ws.messages.filter((m) => m.type === 'complete').length === batch * 50 + 50,
        'a batch of graphql-ws queries',
      );
    }
    ws.close();
    const first = await metricsOf(p.gateway.url);
    const labels = operationLabels(first);
    expect(labels.size).toBeLessThanOrEqual(CAP + 1);
    expect(labels).toContain('Dashboard');
    expect(labels).toContain('other');
    for (const label of labels) expect(label.length).toBeLessThanOrEqual(100);
    const other = [...first.matchAll(/^graphql_operations_total\{[^}]*operation="other"[^}]*\} (\d+)/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    // Named: 1800 over HTTP (the failing ones never got a name: `anonymous`) and 150 over graphql-ws.
    expect(other).toBeGreaterThanOrEqual(1950 - CAP);
    // More again: not one series more.
    await flood(500, (i) => p.call(`query More${run}${i} { __typename }`));
    const second = await metricsOf(p.gateway.url);
    expect(operationSeries(second)).toEqual(operationSeries(first));
    expect(second.length - before.length).toBeLessThan(400_000);
  });

  it('caps operation names at a subgraph, whether sent straight to it or forwarded by the gateway', async () => {
    const identity = p.services.identity!;
    await flood(600, (i) => gql(identity.graphqlUrl, `query Direct${run}${i} { __typename }`));
    // The gateway names its subgraph fetches after the client's operation.
    await flood(300, (i) => p.call(`query Forwarded${run}${i} { me { id email } }`, {}, p.owner.token));
    const first = await metricsOf(identity.url);
    expect(operationLabels(first).size).toBeLessThanOrEqual(CAP + 1);
    expect(operationLabels(first)).toContain('other');
    await flood(300, (i) => gql(identity.graphqlUrl, `query Again${run}${i} { __typename }`));
    expect(operationSeries(await metricsOf(identity.url))).toEqual(operationSeries(first));
  });

  it('labels only safelisted operations by name when a safelist is set', async () => {
    const manifest = path.join(dir, 'manifest.json');
    const listed = 'query Listed { __typename }';
    fs.writeFileSync(
      manifest,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: '1', name: 'Listed', type: 'query', body: listed }],
      }),
    );
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
        safelistPath: manifest,
        rateLimits: { perUserPerMinute: 0, perIpPerMinute: 0 },
      },
      { serviceSecret: p.serviceSecret },
    );
    try {
      await flood(300, (i) => gql(g.graphqlUrl, `query Unlisted${run}${i} { __typename }`));
      for (let i = 0; i < 3; i++) expect((await gql(g.graphqlUrl, listed)).data).toEqual({ __typename: 'Query' });
      const text = await metricsOf(g.url);
      expect(operationLabels(text)).toEqual(new Set(['Listed', 'other']));
      expect(text).toMatch(/^graphql_operations_total\{[^}]*operation="Listed"[^}]*status="ok"[^}]*\} 3$/m);
    } finally {
      await g.stop();
    }
  });
});
