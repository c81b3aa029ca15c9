import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceServer } from '../../lib/src/index';
import type { RunningGateway } from '../../test/support/gateway-harness';
import { startGatewayOver } from '../../test/support/gateway-harness';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../lib/src/testing/harness';
import type { TestIssuer } from '../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../lib/src/testing/test-issuer';
import { createNotesServer } from '../../lib/test/fixtures/notes-subgraph';
import { waitFor } from '../../lib/src/testing/wait-for';

let issuer: TestIssuer;
let notes: RunningService;
let people: RunningService;
let gateway: RunningGateway;
let dataDir: string;

/** Owns User: resolves names, and says whether the gateway forwarded the caller's token. */
async function startPeopleSubgraph(): Promise<RunningService> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type User @key(fields: "id") { id: ID! name: String! }
      type Query { person(id: ID!): User }
      type Subscription { echo(a: String, b: String, c: String): String }`),
    resolvers: {
      Query: { person: (_: unknown, { id }: { id: string }) => ({ id }) },
      // One event saying which arguments arrived: an unset variable leaves its argument unset.
      Subscription: {
        echo: {
          subscribe: async function* (_: unknown, args: Record<string, unknown>) {
            yield {
              echo: ['a', 'b', 'c'].map((k) => (Object.hasOwn(args, k) ? JSON.stringify(args[k]) : 'unset')).join('|'),
            };
          },
        },
      },
      User: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        name: (u: { id: string }, _: unknown, ctx: any) => `Person ${u.id}${ctx.authorization ? ' (authorized)' : ''}`,
      },
    } as any,
  });
  const server = await createServiceServer({
    name: 'people',
    schema,
    logger: createLogger('people', 'silent'),
    production: false,
    bodyLimitBytes: 100_000,
    context: async (input) => ({ authorization: input.authorization }),
  });
  return startService('people', server);
}

async function startNotes(): Promise<RunningService> {
  const { server } = await createNotesServer(
    testBaseConfig('notes', {
      dataDir,
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    }),
  );
  return startService('notes', server);
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-sub-'));
  notes = await startNotes();
  people = await startPeopleSubgraph();
  gateway = await startGatewayOver([notes, people], {
    auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    multipartHeartbeatMs: 100,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await notes?.stop();
  await people?.stop();
  await issuer?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const SUBSCRIPTION = 'subscription { noteAdded { text author { id name } } }';

/** Publishes notes through the gateway until `until` settles (subscriptions attach asynchronously). */
async function publishUntil(token: string, until: Promise<unknown>, text = 'hello') {
  let settled = false;
  void until.finally(() => (settled = true));
  await waitFor(
    async () => {
      await gql(gateway.graphqlUrl, 'mutation($t: String!) { addNote(text: $t) { id } }', { t: text }, token);
      return settled;
    },
    'the subscription to receive a published note',
    { intervalMs: 100 },
  );
}

function wsClient(token?: string) {
  return createClient({
    url: gateway.graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

describe('federated subscriptions', () => {
  it('deliver events over graphql-ws with entity fields from another subgraph', async () => {
    const token = await issuer.issue({ sub: 'u-7', org: 'org-ws', perms: ['notes:write'] });
    const client = wsClient(token);
    const first = (async () => {
      for await (const event of client.iterate({ query: SUBSCRIPTION })) return event;
    })();
    await publishUntil(token, first);
    expect(await first).toEqual({
      data: { noteAdded: { text: 'hello', author: { id: 'u-7', name: 'Person u-7 (authorized)' } } },
    });
    await client.dispose();
  });

  it('deliver events over multipart HTTP with heartbeats and a clean end', async () => {
    const token = await issuer.issue({ sub: 'u-8', org: 'org-mp', perms: ['notes:write'] });
    const controller = new AbortController();
    const res = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: SUBSCRIPTION }),
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec=1.0');
    const reader = res.body!.getReader();
    let text = '';
    const gotPayload = (async () => {
      while (!text.includes('"payload"')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
    })();
    await publishUntil(token, gotPayload, 'multipart');
    controller.abort();
    const parts = text
      .split('\r\n--graphql')
      .slice(1)
      .map((p) => JSON.parse(p.slice(p.indexOf('\r\n\r\n') + 4)));
    expect(parts[0]).toEqual({});
    expect(parts.find((p) => p.payload)).toEqual({
      payload: { data: { noteAdded: { text: 'multipart', author: { id: 'u-8', name: 'Person u-8 (authorized)' } } } },
    });
  });

  it('forward only the variables the client gave, whatever they are named (`constructor`, `__proto__` ...)', async () => {
    const token = await issuer.issue({ sub: 'u-9', org: 'org-vars' });
    const client = wsClient(token);
    const query =
      'subscription($constructor: String, $__proto__: String, $toString: String) { echo(a: $constructor, b: $__proto__, c: $toString) }';
    const first = async (variables: Record<string, unknown>) => {
      for await (const event of client.iterate({ query, variables })) return event;
    };
    expect(await first({})).toEqual({ data: { echo: 'unset|unset|unset' } });
    expect(await first({ constructor: 'x' })).toEqual({ data: { echo: '"x"|unset|unset' } });
    expect(await first(JSON.parse('{"__proto__":"y","toString":null}'))).toEqual({ data: { echo: 'unset|"y"|null' } });
    await client.dispose();
  });

  it('refuse unauthenticated subscribers on connect and over multipart', async () => {
    const client = wsClient();
    const closed = await new Promise<any>((resolve) => {
      client.subscribe(
        { query: SUBSCRIPTION },
        { next: () => undefined, error: resolve, complete: () => resolve('completed') },
      );
    });
    expect(closed.code).toBe(4403);
    await client.dispose();
    const res = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec="1.0"' },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    expect(res.status).toBe(401);
    const bad = wsClient('forged.token.value');
    const badClose = await new Promise<any>((resolve) =>
      bad.subscribe(
        { query: SUBSCRIPTION },
        { next: () => undefined, error: resolve, complete: () => resolve('completed') },
      ),
    );
    expect(badClose.code).toBe(4403);
    await bad.dispose();
  });

  it('end with UNAUTHENTICATED when the token expires', async () => {
    const token = await issuer.issue({ org: 'org-exp', perms: ['notes:write'], expiresIn: 2 });
    const client = wsClient(token);
    const events: any[] = [];
    for await (const event of client.iterate({ query: SUBSCRIPTION })) events.push(event);
    expect(events.at(-1).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await client.dispose();
  });

  it('end with an error the client sees when the owning subgraph dies', async () => {
    const victim = await startNotes();
    const gw = await startGatewayOver([victim, people], {
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    });
    const token = await issuer.issue({ org: 'org-kill', perms: ['notes:write'] });
    const client = createClient({
      url: gw.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const events: any[] = [];
    const done = (async () => {
      for await (const event of client.iterate({ query: SUBSCRIPTION })) events.push(event);
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
    await victim.stop();
    await done;
    expect(events.at(-1).errors[0].extensions).toMatchObject({
      code: 'SUBSCRIPTION_UPSTREAM_ERROR',
      serviceName: 'notes',
    });
    await client.dispose();
    await gw.stop();
  });
});
