// Issue #16, class 5: graphql-ws endpoints (the gateway's and every subgraph's) hold the line on
// message sizes before and after connection_ack, connection_init timing, connections per address and
// in total, operations per connection, and answer every failing operation with a message while the
// socket and its other subscriptions stay up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config';
import type { GatewayConfig } from '../../gateway/src/config';
import type { RunningGateway } from '../support/gateway-harness';
import { startGatewayOver } from '../support/gateway-harness';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';
import { GraphQLWsProbe, clientFrame, rawConnectionInit, rawUpgrade, serverCloseCode, waitFor } from '../support/ws';

const INIT_CAP = 64 * 1024;
const LINEAGE = 'subscription { lineageEvents { eventType job { name } } }';

/** Posts lineage events until `done` says every awaited subscriber has one (subscriptions attach asynchronously). */
async function ingestUntil(p: Platform, done: () => boolean, job = 'ws-check') {
  const event = {
    eventTime: new Date().toISOString(),
    eventType: 'START',
    producer: 'https://example.com/security-tests',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: '0190b6a4-8c1e-7c5a-b3f1-1a2b3c4d5e60' },
    job: { namespace: 'aic://tests', name: job },
  };
  await waitFor(async () => {
    if (done()) return true;
    const res = await p.call(
      'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { eventId } }',
      { e: event },
      p.owner.token,
    );
    expect(res.errors).toBeUndefined();
    return done();
  }, 'lineage events to reach every subscriber');
}

const eventsOf = (probe: GraphQLWsProbe, id: string) =>
  probe.messages.filter((m) => m.id === id && m.type === 'next' && m.payload.data);

describe.each([
  ['development', false],
  ['production', true],
])('graphql-ws hardening (%s)', (_mode, production) => {
  let p: Platform;
  let gw: string;
  const extra: RunningGateway[] = [];
  const baseWs = loadGatewayConfig({}).webSocket;

  /** Another gateway over the same subgraphs, with other settings. */
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

  beforeAll(async () => {
    p = await startPlatform({
      production,
      only: ['catalog', 'models'],
      gateway: { webSocket: { ...baseWs, connectionInitTimeoutMs: 1000, maxOperationsPerConnection: 3 } },
    });
    gw = p.gateway.graphqlUrl;
  });
  afterAll(async () => {
    for (const g of extra) await g.stop();
    await p?.stop();
  });

  it('closes with 1009 on the header of a frame over the init cap, before its payload is sent', async () => {
    // A 95 MiB connection_init announced in its header; only 16 bytes of it are ever written.
    const announced = await rawUpgrade(gw);
    expect(announced.status).toBe(101);
    announced.socket.write(clientFrame(0x1, Buffer.from('{"type":"connect'), { declaredLength: 95 * 1024 * 1024 }));
    expect(await serverCloseCode(announced)).toBe(1009);
    await announced.ended;

    // The same as a binary frame.
    const binary = await rawUpgrade(gw);
    binary.socket.write(clientFrame(0x2, Buffer.alloc(8), { declaredLength: 2 * 1024 * 1024 }));
    expect(await serverCloseCode(binary)).toBe(1009);

    // Fragments each under the cap whose sum is over it.
    const fragments = await rawUpgrade(gw);
    const piece = Buffer.alloc(30 * 1024, 0x20);
    fragments.socket.write(clientFrame(0x1, piece, { fin: false }));
    fragments.socket.write(clientFrame(0x0, piece, { fin: false }));
    fragments.socket.write(clientFrame(0x0, Buffer.alloc(0), { fin: true, declaredLength: 30 * 1024 }));
    expect(await serverCloseCode(fragments)).toBe(1009);

    // A real client sending a connection_init just over the cap.
    const big = await GraphQLWsProbe.open(gw);
    big.send({
      type: 'connection_init',
      payload: { authorization: `Bearer ${p.owner.token}`, padding: 'x'.repeat(INIT_CAP) },
    });
    expect((await big.waitClosed()).code).toBe(1009);

    // Straight at a subgraph's graphql-ws endpoint.
    const subgraph = await rawUpgrade(p.services.catalog!.graphqlUrl);
    expect(subgraph.status).toBe(101);
    subgraph.socket.write(clientFrame(0x1, Buffer.from('{"type"'), { declaredLength: 95 * 1024 * 1024 }));
    expect(await serverCloseCode(subgraph)).toBe(1009);

    // Nothing of that harmed anyone else.
    const fine = await GraphQLWsProbe.connect(gw, p.owner.token);
    fine.subscribe('q', 'query { __typename }');
    expect((await fine.waitFor((m) => m.id === 'q' && m.type === 'next', 'an answer')).payload).toEqual({
      data: { __typename: 'Query' },
    });
    fine.close();
  });

  it('accepts messages up to the body limit after connection_ack and closes with 1009 past it', async () => {
    const socket = await rawUpgrade(gw);
    await rawConnectionInit(socket, p.owner.token);
    const probe = await GraphQLWsProbe.connect(gw, p.owner.token);
    // 200 KiB (a comment: no tokens): over the init cap, well under the 8 MB body limit.
    probe.subscribe('big', `query { __typename } # ${'y'.repeat(200 * 1024)}`);
    expect((await probe.waitFor((m) => m.id === 'big' && m.type === 'next', 'the big query answer')).payload).toEqual({
      data: { __typename: 'Query' },
    });
    probe.close();

    socket.socket.write(
      clientFrame(0x1, Buffer.from('{"id":"1","type":"subscribe"'), {
        declaredLength: loadGatewayConfig({}).bodyLimitBytes + 1,
      }),
    );
    expect(await serverCloseCode(socket)).toBe(1009);
  });

  it('closes connections without connection_init in time with 4408', async () => {
    const silent = await GraphQLWsProbe.open(gw);
    // A ping is allowed before connection_init, but does not stand in for it.
    const pinging = await GraphQLWsProbe.open(gw);
    pinging.send({ type: 'ping' });
    // Half a connection_init frame (a slow sender) does not count either.
    const slow = await rawUpgrade(gw);
    slow.socket.write(clientFrame(0x1, Buffer.from('{"type":"connection_'), { declaredLength: 1000 }));
    expect((await silent.waitClosed()).code).toBe(4408);
    expect((await pinging.waitClosed()).code).toBe(4408);
    expect(await serverCloseCode(slow)).toBe(4408);
    // A subgraph does the same.
    const sub = await GraphQLWsProbe.open(p.services.catalog!.graphqlUrl);
    expect((await sub.waitClosed()).code).toBe(4408);
  });

  it('caps connections per client address (429) and in total (503) before the upgrade', async () => {
    const g = await gatewayWith({ trustProxy: 1, webSocket: { ...baseWs, maxConnectionsPerIp: 3, maxConnections: 5 } });
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const a = await Promise.all(
      [1, 2, 3].map(() => GraphQLWsProbe.connect(g.graphqlUrl, p.owner.token, from('203.0.113.1'))),
    );
    const refusedA = await rawUpgrade(g.graphqlUrl, from('203.0.113.1'));
    expect(refusedA.status).toBe(429);
    expect(JSON.parse(refusedA.body).errors[0].extensions).toMatchObject({ code: 'TOO_MANY_CONNECTIONS', limit: 3 });
    const b = await Promise.all(
      [1, 2].map(() => GraphQLWsProbe.connect(g.graphqlUrl, p.owner.token, from('203.0.113.2'))),
    );
    const refusedC = await rawUpgrade(g.graphqlUrl, from('203.0.113.3'));
    expect(refusedC.status).toBe(503);
    expect(JSON.parse(refusedC.body).errors[0].extensions.code).toBe('TOO_MANY_CONNECTIONS');
    // Refused before anything was upgraded: the connections that were admitted still work.
    a[0]!.subscribe('q', 'query { __typename }');
    await a[0]!.waitFor((m) => m.id === 'q' && m.type === 'next', 'an answer on an admitted connection');
    // A closed connection frees its place.
    a[1]!.close();
    const again = await waitFor(
      () => GraphQLWsProbe.connect(g.graphqlUrl, p.owner.token, from('203.0.113.1')).catch(() => undefined),
      'a freed place',
    );
    for (const probe of [...a, ...b, again]) probe.close();
  });

  it('caps operations per connection; the running ones stay alive, and a completed one frees its place', async () => {
    const probe = await GraphQLWsProbe.connect(gw, p.owner.token);
    for (const id of ['s1', 's2', 's3']) probe.subscribe(id, LINEAGE);
    probe.subscribe('s4', LINEAGE);
    const refused = await probe.errorsOf('s4');
    expect(refused.type).toBe('error');
    expect(refused.errors[0].extensions).toMatchObject({ code: 'TOO_MANY_OPERATIONS', limit: 3 });
    await ingestUntil(p, () => ['s1', 's2', 's3'].every((id) => eventsOf(probe, id).length > 0));
    probe.complete('s1');
    probe.subscribe('s5', LINEAGE);
    await ingestUntil(p, () => eventsOf(probe, 's5').length > 0);
    expect(probe.closed).toBeUndefined();
    probe.close();
  });

  it('lets go of a subscription as soon as its client completes it (subscribe/complete churn leaves nothing open)', async () => {
    const probe = await GraphQLWsProbe.connect(gw, p.owner.token);
    for (let i = 0; i < 30; i++) {
      probe.subscribe(`c${i}`, LINEAGE);
      probe.complete(`c${i}`);
    }
    probe.subscribe('last', LINEAGE);
    await ingestUntil(p, () => eventsOf(probe, 'last').length > 0);
    probe.complete('last');
    const active = async () =>
      Number(
        /^graphql_active_subscriptions\{[^}]*\} (\d+)/m.exec(
          await (await fetch(`${p.gateway.url}/metrics`)).text(),
        )?.[1],
      );
    await waitFor(async () => (await active()) === 0, 'no subscription left open');
    expect(probe.closed).toBeUndefined();
    probe.close();
  });

  it('answers every failing operation with an error message and keeps the socket and its other subscriptions', async () => {
    const probe = await GraphQLWsProbe.connect(gw, p.owner.token);
    probe.subscribe('live', LINEAGE);
    const failing: [string, string, string | undefined, Record<string, unknown> | undefined, string][] = [
      ['syntax', 'query {', undefined, undefined, 'GRAPHQL_PARSE_FAILED'],
      // Apollo Server answers these with formatted (plain) errors: the case that closed sockets with 4500.
      ['query-invalid', 'query { noSuchField }', undefined, undefined, 'GRAPHQL_VALIDATION_FAILED'],
      [
        'mutation-input',
        'mutation { ingestLineageEvent(event: {}) { eventId } }',
        undefined,
        undefined,
        'BAD_USER_INPUT',
      ],
      [
        'subscription-invalid',
        'subscription { lineageEvents { noSuchField } }',
        undefined,
        undefined,
        'GRAPHQL_VALIDATION_FAILED',
      ],
      ['unknown-operation', LINEAGE, 'Missing', undefined, 'OPERATION_RESOLUTION_FAILURE'],
      ['two-operations', `${LINEAGE} query Other { __typename }`, undefined, undefined, 'OPERATION_RESOLUTION_FAILURE'],
      [
        'bad-variables',
        'subscription($n: String!) { lineageEvents(namespace: $n) { eventId } }',
        undefined,
        { n: 42 },
        'BAD_USER_INPUT',
      ],
      [
        'missing-variables',
        'subscription($n: String!) { lineageEvents(namespace: $n) { eventId } }',
        undefined,
        {},
        'BAD_USER_INPUT',
      ],
    ];
    // One after the other: this gateway lets a connection run 3 operations at once.
    for (const [id, query, operationName, variables, code] of failing) {
      probe.subscribe(id, query, variables, operationName);
      const { errors } = await probe.errorsOf(id);
      expect(errors[0].extensions.code, id).toBe(code);
      expect(errors[0].extensions.stacktrace, id).toBeUndefined();
    }
    await ingestUntil(p, () => eventsOf(probe, 'live').length > 0, 'after-errors');
    expect(probe.closed).toBeUndefined();

    // A message that breaks the protocol itself closes with 4400 (graphql-ws), never 4500.
    const broken = await GraphQLWsProbe.connect(gw, p.owner.token);
    broken.send({ id: 'x', type: 'subscribe' });
    expect((await broken.waitClosed()).code).toBe(4400);
    probe.close();
  });

  it('ends only the subscription whose subgraph is down, with SUBSCRIPTION_UPSTREAM_ERROR', async () => {
    const probe = await GraphQLWsProbe.connect(gw, p.owner.token);
    probe.subscribe('live', LINEAGE);
    await ingestUntil(p, () => eventsOf(probe, 'live').length > 0, 'before-down');
    await p.services.models!.stop();
    probe.subscribe(
      'down',
      'subscription { trainingJobProgress(id: "00000000-0000-4000-8000-000000000000") { state } }',
    );
    const { errors } = await probe.errorsOf('down');
    expect(errors[0].extensions).toMatchObject({ code: 'SUBSCRIPTION_UPSTREAM_ERROR', serviceName: 'models' });
    const seen = eventsOf(probe, 'live').length;
    await ingestUntil(p, () => eventsOf(probe, 'live').length > seen, 'after-down');
    expect(probe.closed).toBeUndefined();
    probe.close();
  });
});
