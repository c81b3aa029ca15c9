import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceServer } from '../../lib/src/index';
import type { RunningGateway } from '../../test/support/gateway-harness';
import { startGatewayOver } from '../../test/support/gateway-harness';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../lib/src/testing/harness';
import type { TestIssuer } from '../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../lib/src/testing/test-issuer';
import { createNotesServer } from '../../lib/test/fixtures/notes-subgraph';

let issuer: TestIssuer;
let notes: RunningService;
let echo: RunningService;
let gateway: RunningGateway;
let dataDir: string;
let uploads: Awaited<ReturnType<typeof createNotesServer>>['uploads'];

/** A subgraph that answers with the headers it received, to see what the gateway forwards. */
async function startEchoSubgraph(): Promise<RunningService> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { echo: Echo! }  type Echo { authorization: String traceparent: String requestId: String forwardedFor: String }`),
    resolvers: { Query: { echo: (_: unknown, __: unknown, ctx: any) => ctx } },
  });
  const server = await createServiceServer({
    name: 'echo',
    schema,
    logger: createLogger('echo', 'silent'),
    production: false,
    bodyLimitBytes: 100_000,
    context: async (input) => ({
      authorization: input.authorization,
      traceparent: input.traceparent,
      requestId: input.headers['x-request-id'],
      forwardedFor: input.headers['x-forwarded-for'],
    }),
  });
  return startService('echo', server);
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-gw-'));
  const built = await createNotesServer(
    testBaseConfig('notes', {
      dataDir,
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    }),
  );
  uploads = built.uploads;
  notes = await startService('notes', built.server);
  echo = await startEchoSubgraph();
  gateway = await startGatewayOver([notes, echo], {
    auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    uploadLimitBytes: 2 * 1024 * 1024,
    bodyLimitBytes: 1_000_000,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await notes?.stop();
  await echo?.stop();
  await issuer?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('gateway', () => {
  it('refuses a bad token at the edge with UNAUTHENTICATED', async () => {
    const res = await gql(gateway.graphqlUrl, '{ echo { authorization } }', {}, 'garbage');
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('lets anonymous requests through and keeps the subgraph code and serviceName', async () => {
    const res = await gql(gateway.graphqlUrl, '{ notes { id } }');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', serviceName: 'notes' });
  });

  it('forwards Authorization, traceparent, the request id and the client address to subgraphs', async () => {
    const token = await issuer.issue({ perms: [] });
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const res = await gql(
      gateway.graphqlUrl,
      '{ echo { authorization traceparent requestId forwardedFor } }',
      {},
      token,
      { traceparent, 'x-request-id': 'req-42' },
    );
    expect(res.data.echo).toEqual({
      authorization: `Bearer ${token}`,
      traceparent,
      requestId: 'req-42',
      forwardedFor: '127.0.0.1',
    });
    const started = await gql(gateway.graphqlUrl, '{ echo { traceparent } }');
    expect(started.data.echo.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('routes operations to the owning subgraph with the caller identity', async () => {
    const token = await issuer.issue({ org: `org-${randomUUID()}`, perms: ['notes:read', 'notes:write'] });
    const added = await gql(gateway.graphqlUrl, 'mutation { addNote(text: "via gateway") { id text } }', {}, token);
    expect(added.data.addNote.text).toBe('via gateway');
    const listed = await gql(gateway.graphqlUrl, '{ notes { text } }', {}, token);
    expect(listed.data.notes).toEqual([{ text: 'via gateway' }]);
  });

  it('serves health routes and metrics', async () => {
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain('graphql_operations_total');
  });

  it('answers CORS for allowed origins only', async () => {
    const ok = await fetch(gateway.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://studio.apollographql.com', 'access-control-request-method': 'POST' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
    const evil = await fetch(gateway.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { origin: 'https://studio.apollographql.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ echo { requestId } }' }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
    expect(post.headers.get('x-request-id')).toBeTruthy();
  });

  it('blocks CSRF-prone requests (simple GET and text/plain POST)', async () => {
    const get = await fetch(`${gateway.graphqlUrl}?query=${encodeURIComponent('{ echo { requestId } }')}`);
    expect(get.status).toBe(400);
    const plain = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ echo { requestId } }' }),
    });
    expect(plain.status).toBe(400);
  });

  it('serves the Apollo Sandbox landing page outside production', async () => {
    const res = await fetch(gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/sandbox/i);
  });

  it('streams uploads to the owning service and downloads back, with size limits and single use', async () => {
    const bytes = Buffer.from('a,b\n1,2\n'.repeat(1000));
    const ticket = uploads.create({ purpose: 'test', filename: 'data.csv', organizationId: 'org-up', userId: 'u1' });
    const put = await fetch(`${gateway.url}/uploads/notes/${ticket.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ticket.token}` },
      body: bytes,
    });
    expect(put.status).toBe(201);
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(await put.json()).toEqual({ id: ticket.id, sha256: sha, size: bytes.length });
    expect((await uploads.get(ticket.id, 'org-up'))?.sha256).toBe(sha);
    expect(await uploads.get(ticket.id, 'org-other')).toBeNull();
    const again = await fetch(`${gateway.url}/uploads/notes/${ticket.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ticket.token}` },
      body: bytes,
    });
    expect(again.status).toBe(409);
    const big = uploads.create({ purpose: 'test', filename: 'big.bin', organizationId: 'org-up', userId: 'u1' });
    const tooBig = await fetch(`${gateway.url}/uploads/notes/${big.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${big.token}` },
      body: Buffer.alloc(1024 * 1024 + 1),
    });
    expect(tooBig.status).toBe(413);
    const forged = await fetch(`${gateway.url}/uploads/notes/${big.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ticket.token}` },
      body: bytes,
    });
    expect(forged.status).toBe(401);
    const { url } = uploads.issueDownload({
      sha256: sha,
      filename: 'data.csv',
      organizationId: 'org-up',
      userId: 'u1',
    });
    const download = await fetch(`${gateway.url}${new URL(url).pathname}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ echo { requestId } }`, variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(res.status).toBe(413);
  });
});
