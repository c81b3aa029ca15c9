// The hardened graphql-ws endpoint of the service kit and the gateway, on a real HTTP server with
// real graphql-ws clients: every way an operation can fail (hooks that throw Errors, strings or
// objects, results with plain error objects, streams that throw mid-way, a formatter that throws)
// becomes an error message for that operation only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionArgs } from 'graphql';
import { GraphQLError, buildSchema, execute, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLWebSocketEndpoint } from '../src/index';
import { attachGraphQLWebSocket, createLogger, loadWebSocketSettings } from '../src/index';
import { GraphQLWsProbe, rawUpgrade, serverCloseCode, waitFor } from '../../test/support/ws';

const schema = buildSchema('type Query { ok: String } type Subscription { ticks: Int }');
let server: http.Server;
let endpoint: GraphQLWebSocketEndpoint;
let url: string;

async function* ticks(): AsyncGenerator<{ data: { ticks: number } }> {
  for (let i = 0; ; i++) {
    await new Promise((r) => setTimeout(r, 20));
    yield { data: { ticks: i } };
  }
}

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end());
  endpoint = attachGraphQLWebSocket<{ who: string }>(server, {
    path: '/graphql',
    settings: { ...loadWebSocketSettings({}, { maxConnectionsPerIp: 0 }), keepAliveMs: 0 },
    maxPayloadBytes: 100_000,
    logger: createLogger('ws-test', 'silent'),
    onConnect: async (params) => {
      if (params.refuse === 'throw') throw new Error('connect exploded');
      if (params.refuse === 'false') return false;
      return { who: 'someone' };
    },
    prepare: async (state, payload) => {
      if (payload.query === 'throw-error') throw new Error('prepare exploded');
      if (payload.query === 'throw-string') throw 'a thrown string';
      if (payload.query === 'throw-object') throw { weird: true };
      if (payload.query === 'empty-errors') return [];
      if (payload.query === 'plain-errors')
        return [{ message: 'plain refusal', extensions: { code: 'PLAIN' } }] as unknown as GraphQLError[];
      return {
        schema,
        document: parse(payload.query),
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: state,
      };
    },
    execute: async (args: ExecutionArgs) => {
      if (args.operationName === 'ExecThrows') throw new TypeError('execute exploded');
      if (args.operationName === 'PlainResult')
        return { data: null, errors: [{ message: 'formatted upstream', extensions: { code: 'UPSTREAM' } }] };
      if (args.operationName === 'FormatterThrows') return { data: null, errors: [new GraphQLError('format-boom')] };
      return execute({ ...args, rootValue: { ok: 'fine' } });
    },
    subscribe: async (args: ExecutionArgs) => {
      if (args.operationName === 'SubThrows') throw 'subscribe exploded';
      if (args.operationName === 'MidStream')
        return (async function* () {
          yield { data: { ticks: 1 } };
          throw new Error('stream exploded');
        })();
      if (args.operationName === 'PlainEvents')
        return (async function* () {
          yield { data: null, errors: [{ message: 'plain event error' }] } as any;
        })();
      return ticks();
    },
    formatError: (formatted) => {
      if (formatted.message === 'format-boom') throw new Error('formatter exploded');
      return { ...formatted, extensions: { ...formatted.extensions, formatted: true } };
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await endpoint.dispose();
  await new Promise((r) => server.close(r));
});

describe('graphql-ws endpoint', () => {
  it('answers each failing operation with formatted errors and keeps the connection and its live subscription', async () => {
    const probe = await GraphQLWsProbe.connect(url);
    probe.subscribe('live', 'subscription { ticks }');
    await probe.waitFor((m) => m.id === 'live' && m.type === 'next', 'a first tick');
    const cases: [string, string, string | undefined, (errors: any[]) => void][] = [
      ['prepare-error', 'throw-error', undefined, (e) => expect(e[0].message).toBe('prepare exploded')],
      ['prepare-string', 'throw-string', undefined, (e) => expect(e[0].message).toBe('a thrown string')],
      ['prepare-object', 'throw-object', undefined, (e) => expect(e[0].message).toBe('[object Object]')],
      ['prepare-empty', 'empty-errors', undefined, (e) => expect(e[0].extensions.code).toBe('BAD_REQUEST')],
      [
        'prepare-plain',
        'plain-errors',
        undefined,
        (e) => expect(e[0]).toMatchObject({ message: 'plain refusal', extensions: { code: 'PLAIN' } }),
      ],
      ['syntax', 'query {', undefined, (e) => expect(e[0].message).toMatch(/Syntax Error/)],
      ['execute-throws', 'query ExecThrows { ok }', 'ExecThrows', (e) => expect(e[0].message).toBe('execute exploded')],
      [
        'plain-result',
        'query PlainResult { ok }',
        'PlainResult',
        (e) => expect(e[0]).toMatchObject({ message: 'formatted upstream', extensions: { code: 'UPSTREAM' } }),
      ],
      [
        'subscribe-throws',
        'subscription SubThrows { ticks }',
        'SubThrows',
        (e) => expect(e[0].message).toBe('subscribe exploded'),
      ],
      [
        'mid-stream',
        'subscription MidStream { ticks }',
        'MidStream',
        (e) => expect(e[0].message).toBe('stream exploded'),
      ],
      [
        'plain-events',
        'subscription PlainEvents { ticks }',
        'PlainEvents',
        (e) => expect(e[0].message).toBe('plain event error'),
      ],
    ];
    for (const [id, query, operationName, check] of cases) {
      probe.subscribe(id, query, undefined, operationName);
      const { errors } = await probe.errorsOf(id);
      expect(errors[0].extensions.formatted, id).toBe(true);
      check(errors);
    }
    const formatter = 'formatter-throws';
    probe.subscribe(formatter, 'query FormatterThrows { ok }', undefined, 'FormatterThrows');
    expect((await probe.errorsOf(formatter)).errors).toEqual([
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);

    const before = probe.messages.filter((m) => m.id === 'live').length;
    await waitFor(
      () => probe.messages.filter((m) => m.id === 'live').length > before + 2,
      'more ticks after the failures',
    );
    expect(probe.closed).toBeUndefined();
    probe.subscribe('works', 'query { ok }');
    expect((await probe.waitFor((m) => m.id === 'works' && m.type === 'next', 'a query answer')).payload).toEqual({
      data: { ok: 'fine' },
    });
    probe.close();
  });

  it('closes with 4403 when connection_init is refused or its hook throws', async () => {
    for (const refuse of ['false', 'throw']) {
      const probe = await GraphQLWsProbe.open(url);
      probe.send({ type: 'connection_init', payload: { refuse } });
      expect((await probe.waitClosed()).code, refuse).toBe(4403);
    }
  });

  it('refuses upgrades on other paths and without the graphql-transport-ws subprotocol', async () => {
    await expect(GraphQLWsProbe.open(url.replace('/graphql', '/elsewhere'))).rejects.toMatchObject({ status: 404 });
    const legacy = await rawUpgrade(url, { protocol: 'graphql-ws' });
    expect(legacy.status).toBe(101);
    expect(await serverCloseCode(legacy)).toBe(4406);
  });
});
