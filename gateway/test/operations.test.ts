import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph, createLogger, fetchSubgraphSdl, startTracing } from '../../lib/src/index';
import { loadGatewayConfig } from '../src/config';
import { watchSupergraphFile } from '../src/reload';
import { createGateway } from '../src/server';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../lib/src/testing/harness';
import type { TestIssuer } from '../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../lib/src/testing/test-issuer';
import { createNotesServer } from '../../lib/test/fixtures/notes-subgraph';
import type { CollectedSpan } from '../../lib/src/testing/otlp-collector';
import { startOtlpCollector } from '../../lib/src/testing/otlp-collector';
import type { StockControl } from './fixtures/test-subgraphs';
import { startCatalogue, startStock } from './fixtures/test-subgraphs';
import { waitFor } from '../../lib/src/testing/wait-for';
import { runtimeEnv } from '../../lib/src/testing/runtime-env';

let issuer: TestIssuer;
let catalogue: RunningService;
let stock: RunningService;
let notes: RunningService;
let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
let spans: CollectedSpan[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-ops-'));
const control: StockControl = { delayMs: 0, fail: false, calls: 0 };

beforeAll(async () => {
  collector = await startOtlpCollector();
  spans = collector.spans;
  issuer = await startTestIssuer();
  catalogue = await startCatalogue();
  stock = await startStock(control);
  const built = await createNotesServer(
    testBaseConfig('notes', {
      dataDir: dir,
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    }),
  );
  notes = await startService('notes', built.server);
});

afterAll(async () => {
  await catalogue?.stop();
  await stock?.stop();
  await notes?.stop();
  await issuer?.close();
  await collector.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const compose = async (services: RunningService[]) =>
  composeSupergraph(
    await Promise.all(
      services.map(async (s) => ({ name: s.name, url: s.graphqlUrl, sdl: await fetchSubgraphSdl(s.graphqlUrl) })),
    ),
  );

async function startGateway(sdl: string, overrides: Partial<ReturnType<typeof loadGatewayConfig>> = {}) {
  const config = {
    ...loadGatewayConfig({}),
    auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    ...overrides,
  };
  const gateway = await createGateway(config, { supergraphSdl: sdl, logger: createLogger('gateway', 'silent') });
  const url = await gateway.listen(0);
  return { gateway, url, graphqlUrl: `${url}/graphql` };
}

describe('gateway operations', () => {
  it('exports one trace across the gateway and the subgraphs it calls (OTLP)', async () => {
    const tracing = startTracing({ serviceName: 'test', endpoint: collector.url });
    const gw = await startGateway(await compose([catalogue, stock]));
    const traceId = 'c'.repeat(32);
    await gql(gw.graphqlUrl, 'query Traced { products { name inStock } }', {}, undefined, {
      traceparent: `00-${traceId}-${'d'.repeat(16)}-01`,
    });
    await tracing.shutdown();
    await gw.gateway.stop();
    const ours = spans.filter((s) => s.traceId === traceId);
    const byService = (name: string) =>
      ours.filter((s) => s.attributes.some((a) => a.key === 'service.name' && a.value.stringValue === name));
    const [gatewaySpan] = byService('gateway');
    assert.isDefined(gatewaySpan);
    expect(gatewaySpan.name).toBe('query Traced');
    expect(gatewaySpan.parentSpanId).toBe('d'.repeat(16));
    expect(byService('catalogue').every((s) => s.parentSpanId === gatewaySpan.spanId)).toBe(true);
    expect(byService('stock').every((s) => s.parentSpanId === gatewaySpan.spanId)).toBe(true);
    expect(byService('catalogue').length + byService('stock').length).toBeGreaterThanOrEqual(2);
  });

  it('passes operations planned as one fetch of themselves straight to the subgraph, answering exactly as plan execution does', async () => {
    const sdl = await compose([catalogue, stock, notes]);
    const on = await startGateway(sdl);
    const off = await startGateway(sdl, { passThrough: false });
    const writer = await issuer.issue({ org: 'org-pass', perms: ['notes:read', 'notes:write'] });
    const reader = await issuer.issue({ org: 'org-pass', perms: [] });
    const cases: [string, Record<string, unknown>, string | undefined, string | undefined][] = [
      ['{ hello }', {}, undefined, 'catalogue'],
      ['query Named($id: ID!) { product(id: $id) { id name } }', { id: 'p9' }, undefined, 'catalogue'],
      ['{ a: products { id } b: hello }', {}, undefined, 'catalogue'],
      ['{ notes { text } }', {}, reader, 'notes'],
      ['mutation { addNote(text: "  ") { id } }', {}, writer, 'notes'],
      // Planned otherwise: two subgraphs, a fragment to inline, an unused variable, a bad variable.
      ['{ products { id name inStock } }', {}, undefined, undefined],
      ['query F { products { ...P } } fragment P on Product { id name }', {}, undefined, undefined],
      ['query U($unused: Int) { hello }', { unused: 1 }, undefined, undefined],
      ['query V($id: ID!) { product(id: $id) { id } }', { id: { not: 'an id' } }, undefined, undefined],
    ];
    const expected: Record<string, number> = {};
    for (const [query, variables, token, subgraph] of cases) {
      const plain = await gql(off.graphqlUrl, query, variables, token);
      // The first call is planned and executed as always; the second passes through when it may.
      for (let i = 0; i < 2; i++) {
        const answer = await gql(on.graphqlUrl, query, variables, token);
        expect({ query, status: answer.status, body: answer.body }).toEqual({
          query,
          status: plain.status,
          body: plain.body,
        });
      }
      if (subgraph) expected[subgraph] = (expected[subgraph] ?? 0) + 1;
    }
    const text = await (await fetch(`${on.url}/metrics`)).text();
    const passed = Object.fromEntries(
      [...text.matchAll(/^gateway_pass_through_total\{[^}]*subgraph="(\w+)"[^}]*\} (\d+)/gm)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    );
    expect(passed).toEqual(expected);
    expect(await (await fetch(`${off.url}/metrics`)).text()).not.toMatch(/^gateway_pass_through_total\{/m);
    await on.gateway.stop();
    await off.gateway.stop();
  });

  it('counts operations and subgraph calls in /metrics', async () => {
    const gw = await startGateway(await compose([catalogue, stock]));
    await gql(gw.graphqlUrl, 'query Counted { products { inStock } }');
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    await gw.gateway.stop();
    expect(text).toMatch(/graphql_operations_total\{[^}]*operation="Counted"[^}]*\} 1/);
    expect(text).toMatch(/gateway_subgraph_request_duration_seconds_count\{[^}]*subgraph="stock"[^}]*\} 1/);
  });

  it('hot-reloads the supergraph file, ends subscriptions, and keeps serving on an invalid file', async () => {
    const file = path.join(dir, 'supergraph.graphql');
    fs.writeFileSync(file, await compose([catalogue, notes]));
    const gw = await startGateway(fs.readFileSync(file, 'utf8'));
    const offered: string[] = [];
    const stop = watchSupergraphFile(file, (sdl) => (offered.push(sdl), gw.gateway.reload(sdl)), {
      intervalMs: 50,
      logger: createLogger('t', 'silent'),
    });
    expect((await gql(gw.graphqlUrl, '{ products { inStock } }')).errors?.[0].extensions.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    const token = await issuer.issue({ org: 'org-reload', perms: ['notes:write'] });
    const client = createClient({
      url: gw.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const events: any[] = [];
    const ended = (async () => {
      for await (const e of client.iterate({ query: 'subscription { noteAdded { text } }' })) events.push(e);
    })();
    // The subscription is attached once a published note reaches it.
    await waitFor(
      async () => {
        await gql(gw.graphqlUrl, 'mutation { addNote(text: "attached?") { id } }', {}, token);
        return events.length > 0;
      },
      'the subscription to attach',
      { intervalMs: 100 },
    );
    fs.writeFileSync(file, await compose([catalogue, stock, notes]));
    await ended;
    expect(events.at(-1).errors[0].extensions.code).toBe('SUBSCRIPTION_ENDED');
    expect((await gql(gw.graphqlUrl, '{ products { inStock } }')).data.products[0].inStock).toBe(3);
    fs.writeFileSync(file, 'this is not a supergraph');
    await waitFor(() => offered.includes('this is not a supergraph'), 'the watcher to offer the invalid file', {
      intervalMs: 50,
    });
    expect((await gql(gw.graphqlUrl, '{ products { inStock } }')).data.products[0].inStock).toBe(3);
    stop();
    await client.dispose();
    await gw.gateway.stop();
  });

  it('reports a boot failure on stderr with secrets scrubbed and exits 1, as every service does', async () => {
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../src/main.ts')], {
          env: {
            PATH: process.env.PATH ?? '',
            ...runtimeEnv(),
            PORT: '0',
            HOST: '127.0.0.1',
            AIC_GATEWAY_VERIFY_TOKENS: 'false',
            ...env,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.once('exit', (code) => resolve({ code, stderr }));
      });
    const notASupergraph = path.join(dir, 'not-a-supergraph.graphql');
    fs.writeFileSync(notASupergraph, 'type Query { a: String }');
    const cases: [Record<string, string>, RegExp][] = [
      // A setting's value may be a connection URL with its password: the message names the setting, never the password.
      [
        {
          AIC_SUBGRAPH_TIMEOUT_MS: 'postgres://gw:hunter2hunter2@db.internal:5432/x',
          AIC_SUPERGRAPH_PATH: notASupergraph,
        },
        /^gateway failed to start: AIC_SUBGRAPH_TIMEOUT_MS must be a number/,
      ],
      [
        { AIC_GATEWAY_WORKERS: 'redis://:hunter2hunter2@cache:6379' },
        /^gateway failed to start: AIC_GATEWAY_WORKERS must be a number/,
      ],
      [
        { AIC_SUPERGRAPH_PATH: path.join(dir, 'missing.graphql') },
        /^gateway failed to start: AIC_SUPERGRAPH_PATH: no supergraph file at \/.*missing\.graphql\n/,
      ],
      [{ AIC_SUPERGRAPH_PATH: notASupergraph }, /^gateway failed to start: /],
    ];
    for (const [env, first] of cases) {
      const { code, stderr } = await run(env);
      expect([code, stderr], JSON.stringify(env)).toEqual([1, expect.stringMatching(first)]);
      expect(stderr).not.toContain('hunter2');
    }
  });

  it('runs several worker processes on one port (cluster mode)', async () => {
    const file = path.join(dir, 'cluster-supergraph.graphql');
    fs.writeFileSync(file, await compose([catalogue]));
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../src/main.ts')], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        AIC_GATEWAY_WORKERS: '2',
        AIC_SUPERGRAPH_PATH: file,
        AIC_GATEWAY_VERIFY_TOKENS: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pids = new Set<number>();
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      for (const line of out.split('\n')) if (line.includes('gateway ready')) pids.add(JSON.parse(line).pid);
    });
    const until = Date.now() + 60_000;
    while (pids.size < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => gql(`http://127.0.0.1:${port}/graphql`, '{ hello }')),
    );
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(pids.size).toBe(2);
    expect(answers.every((a) => a.data?.hello === 'world')).toBe(true);
  });
});
