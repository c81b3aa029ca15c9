// Issue 20 item 9: what running the gateway over any supergraph needs — /health for probes, a token it
// cannot check (JWKS unreachable) told apart from a bad one, and a ready line naming what it serves.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadGatewayConfig } from '../src/config';
import type { Gateway } from '../src/server';
import { createGateway } from '../src/server';
import { createLogger } from '../../lib/src/logger';
import type { RunningService } from '../../lib/src/testing/harness';
import { composeRunning, gql } from '../../lib/src/testing/harness';
import type { TestIssuer } from '../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../lib/src/testing/test-issuer';
import { waitFor } from '../../lib/src/testing/wait-for';
import { startCatalogue } from './fixtures/test-subgraphs';
import { runtimeEnv } from '../../lib/src/testing/runtime-env';

let catalogue: RunningService;
let issuer: TestIssuer;
let gateway: Gateway;
let url: string;
let supergraphSdl: string;
const logLines: Record<string, unknown>[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-foreign-'));

/** A URL nothing listens on: a port that was just free. */
async function unreachableUrl(): Promise<string> {
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return `http://127.0.0.1:${port}/.well-known/jwks.json`;
}

beforeAll(async () => {
  catalogue = await startCatalogue();
  issuer = await startTestIssuer();
  supergraphSdl = await composeRunning([catalogue]);
  const config = {
    ...loadGatewayConfig({}),
    port: 0,
    host: '127.0.0.1',
    rateLimits: { perIpPerMinute: 0, perUserPerMinute: 0 },
    auth: { jwksUrl: await unreachableUrl(), issuer: issuer.issuer, audience: issuer.audience },
  };
  const logger = createLogger('gateway', 'info', { write: (line: string) => void logLines.push(JSON.parse(line)) });
  gateway = await createGateway(config, { supergraphSdl, logger });
  url = await gateway.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await gateway?.stop();
  await catalogue?.stop();
  await issuer?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the gateway over any supergraph', () => {
  it('answers /health as /health/ready, in JSON', async () => {
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ready', service: 'gateway' });
    gateway.setReady(false);
    try {
      const draining = await fetch(`${url}/health`);
      expect([draining.status, await draining.json()]).toEqual([503, { status: 'unavailable', service: 'gateway' }]);
    } finally {
      gateway.setReady(true);
    }
  });

  it('refuses a token it cannot check (JWKS unreachable) with AUTH_UNAVAILABLE and HTTP 503, and logs why', async () => {
    const token = await issuer.issue({ sub: 'u-1', org: 'o-1' });
    const res = await gql(`${url}/graphql`, '{ hello }', {}, token);
    expect(res.status).toBe(503);
    expect(res.errors).toEqual([
      {
        message: 'Access tokens cannot be verified right now (signing keys unreachable): try again shortly',
        extensions: { code: 'AUTH_UNAVAILABLE' },
      },
    ]);
    const line = await waitFor(
      () => logLines.find((l) => String(l.msg).startsWith('cannot verify access tokens: the JWKS is unreachable')),
      'the log line',
    );
    expect(line).toMatchObject({ level: 50, jwksUrl: expect.stringContaining('/.well-known/jwks.json') });

    const multipart = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: 'subscription { nothing }' }),
    });
    expect(multipart.status).toBe(503);
    expect(((await multipart.json()) as any).errors[0].extensions.code).toBe('AUTH_UNAVAILABLE');

    // graphql-ws: the connection closes with 1013 (try again later), not 4403 Forbidden.
    const ws = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const closed = new Promise<[number, string]>((resolve) =>
      ws.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    ws.once('open', () =>
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    expect(await closed).toEqual([1013, 'AUTH_UNAVAILABLE: access tokens cannot be verified right now']);
  });

  it('still answers a malformed token UNAUTHENTICATED, and anonymous requests normally', async () => {
    const bad = await gql(`${url}/graphql`, '{ hello }', {}, 'not-a-jwt');
    expect([bad.status, bad.errors?.[0].extensions.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await gql(`${url}/graphql`, '{ hello }')).data).toEqual({ hello: 'world' });
  });

  it('names the supergraph file and its subgraphs in the ready line', async () => {
    const file = path.join(dir, 'foreign.graphql');
    fs.writeFileSync(file, supergraphSdl);
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../src/main.ts')], {
      env: {
        PATH: process.env.PATH ?? '',
        ...runtimeEnv(),
        PORT: '0',
        HOST: '127.0.0.1',
        AIC_SUPERGRAPH_PATH: file,
        AIC_GATEWAY_VERIFY_TOKENS: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const ready = await waitFor(() => out.split('\n').find((l) => l.includes('"gateway ready"')), 'the ready line', {
        timeoutMs: 60_000,
      });
      expect(JSON.parse(ready)).toMatchObject({
        supergraph: file,
        subgraphs: { catalogue: catalogue.graphqlUrl },
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/),
      });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
