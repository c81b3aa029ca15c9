// Issue #16, class 8: every refusal is a 4xx with a code a client can act on, never a 500 or a
// "Syntax Error:": each operation limit, request bodies around the edge limit (and a subgraph that
// refuses what the gateway accepted), and prototype keys (`constructor`, `__proto__` ...) wherever a
// path, header or body key names something.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT_BYTES } from '../../lib/src/index';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';
import { rawRequest } from './edge-support';

const LIMITS = { maxDepth: 5, maxAliases: 3, maxDirectives: 3, maxTokens: 200, maxCost: 1000 };
const EDGE = 300_000;
const PROTO_KEYS = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
];

/** Each limit: an operation just at it (answered) and variants just over it (refused with the code). */
const CASES = [
  {
    code: 'DEPTH_LIMIT_EXCEEDED',
    limit: LIMITS.maxDepth,
    at: '{ me { organizations { members { organizations { id } } } } }',
    over: [
      '{ me { organizations { members { organizations { members { id } } } } } }',
      '{ me { ...U } } fragment U on User { organizations { members { organizations { members { id } } } } }',
      '{ me { organizations { ... on Organization { members { organizations { members { id } } } } } } }',
    ],
  },
  {
    code: 'ALIAS_LIMIT_EXCEEDED',
    limit: LIMITS.maxAliases,
    at: '{ a: me { id } b: me { id } c: me { id } }',
    over: [
      '{ a: me { id } b: me { id } c: me { id } d: me { id } }',
      '{ a: me { x: id y: id z: id } }',
      '{ ...F a: me { id } } fragment F on Query { b: me { id } c: me { id } d: me { id } }',
    ],
  },
  {
    code: 'DIRECTIVE_LIMIT_EXCEEDED',
    limit: LIMITS.maxDirectives,
    at: '{ me { id @include(if: true) email @include(if: true) name @include(if: true) } }',
    over: [
      '{ me { id @include(if: true) email @include(if: true) name @include(if: true) roles @include(if: true) } }',
      '{ me @skip(if: false) { id @include(if: true) ...F @include(if: true) } } fragment F on User { email @include(if: true) }',
    ],
  },
  {
    code: 'COST_LIMIT_EXCEEDED',
    limit: LIMITS.maxCost,
    // users(first: n) costs 3.5 n: 285 is 997.5, 286 is 1001.
    at: '{ users(first: 285) { id } }',
    over: [
      '{ users(first: 286) { id } }',
      '{ users(first: 1000000) { id } }',
      '{ me { organizations { members(first: 1000) { id } } } }',
    ],
  },
  {
    code: 'TOKEN_LIMIT_EXCEEDED',
    limit: LIMITS.maxTokens,
    // `{` + n × `__typename` + `}`: exactly 200 tokens, then 201; comments and commas are no tokens.
    at: `{ ${'__typename '.repeat(198)}}`,
    over: [
      `{ ${'__typename '.repeat(199)}}`,
      `{ ${'__typename, # comment\n'.repeat(5000)}}`,
      `query { ${'me { id } '.repeat(60)}}`,
      `{ __typename } ${'fragment F on Query { __typename } '.repeat(40)}`,
    ],
  },
];

function expectLimit(res: { status: number; body: any }, code: string, limit: number, label: string): void {
  expect([label, res.status], JSON.stringify(res.body).slice(0, 300)).toEqual([label, 400]);
  const [error] = res.body.errors;
  expect(error.extensions.code, label).toBe(code);
  expect(error.extensions.limit, label).toBe(limit);
  expect(error.message, label).not.toMatch(/Syntax Error/i);
  expect(res.body.data, label).toBeUndefined();
}

const post = (p: Platform, query: string) =>
  p.call(query, {}, p.owner.token).then((r) => ({ status: r.status, body: r.body }));
const get = async (p: Platform, query: string) => {
  const res = await fetch(`${p.gateway.graphqlUrl}?query=${encodeURIComponent(query)}`, {
    headers: { authorization: `Bearer ${p.owner.token}`, 'apollo-require-preflight': 'true' },
  });
  return { status: res.status, body: (await res.json()) as any };
};

/** A GraphQL JSON body of exactly `size` bytes asking identity for a user whose id pads it out. */
function bodyOf(size: number): string {
  const shell = (id: string) =>
    JSON.stringify({ query: 'query($id: ID!) { user(id: $id) { id } }', variables: { id } });
  return shell('x'.repeat(size - shell('').length));
}

describe.each([false, true])('status codes at the edge (production %s)', (production) => {
  let p: Platform;
  let tight: Platform;
  let defaults: Platform;
  beforeAll(async () => {
    [p, tight, defaults] = await Promise.all([
      startPlatform({
        production,
        only: ['schemas', 'catalog', 'models', 'inference'],
        env: { AIC_BODY_LIMIT_BYTES: String(EDGE) },
        gateway: { bodyLimitBytes: EDGE, limits: LIMITS },
      }),
      // A subgraph configured below what the gateway accepts: its 413 must still reach clients as such.
      startPlatform({
        production,
        only: [],
        env: { AIC_SUBGRAPH_BODY_LIMIT_BYTES: '100000' },
        gateway: { bodyLimitBytes: EDGE },
      }),
      // The shipped defaults (the issue's reproduction: 1-8 MB bodies answered INTERNAL_SERVER_ERROR).
      startPlatform({ production, only: [] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([p?.stop(), tight?.stop(), defaults?.stop()]);
  });

  it('with the default settings, a body just under the edge limit reaches the subgraph and one just over is a 413', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${defaults.owner.token}` };
    const under = await rawRequest(defaults.gateway.url, 'POST', '/graphql', {
      headers,
      body: bodyOf(DEFAULT_BODY_LIMIT_BYTES),
    });
    expect(under.status).toBe(200);
    expect(under.json.errors[0].extensions).toMatchObject({ serviceName: 'identity' });
    expect(under.json.errors[0].extensions.code).not.toMatch(/PAYLOAD_TOO_LARGE|INTERNAL_SERVER_ERROR/);
    const over = await rawRequest(defaults.gateway.url, 'POST', '/graphql', {
      headers,
      body: bodyOf(DEFAULT_BODY_LIMIT_BYTES + 1),
    });
    expect([over.status, over.json.errors[0].extensions.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('answers each operation limit with 400, its own code and the limit, on POST and GET; just at the limit runs', async () => {
    for (const { code, limit, at, over } of CASES) {
      for (const send of [post, get]) {
        const ok = await send(p, at);
        expect([code, ok.status, ok.body.errors]).toEqual([code, 200, undefined]);
        // A GET request target has room for 16 KB of headers: longer documents only go by POST.
        for (const query of over)
          if (send === post || query.length < 4000)
            expectLimit(await send(p, query), code, limit, `${code}: ${query.slice(0, 60)}`);
      }
    }
  });

  it('keeps real syntax errors as GRAPHQL_PARSE_FAILED, also in long documents, and a missing operation is 400', async () => {
    for (const query of ['{ me { id }', `{ me { id } ! ${'__typename '.repeat(400)}}`, '{ me { id ) }']) {
      const res = await post(p, query);
      expect([res.status, res.body.errors[0].extensions.code]).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
    }
    for (const body of [
      { query: '{ __typename }', operationName: 'Nope' },
      { query: 'query A { __typename } query B { __typename }' },
      { query: 'query A { __typename }', operationName: 'constructor' },
    ]) {
      const res = await rawRequest(p.gateway.url, 'POST', '/graphql', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect([res.status, res.json.errors[0].extensions.code]).toEqual([400, 'OPERATION_RESOLUTION_FAILURE']);
    }
  });

  it('accepts a body of exactly the edge limit and refuses one byte more with 413 PAYLOAD_TOO_LARGE, on every way in', async () => {
    const url = p.gateway.url;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${p.owner.token}` };
    const at = await rawRequest(url, 'POST', '/graphql', { headers, body: bodyOf(EDGE) });
    expect(at.status).toBe(200);
    expect(at.json.errors?.[0]?.extensions?.code ?? 'none').not.toMatch(/PAYLOAD_TOO_LARGE|INTERNAL_SERVER_ERROR/);
    const over = bodyOf(EDGE + 1);
    const variants: [string, Record<string, string>][] = [
      ['direct', headers],
      [
        'express (multipart accept)',
        { ...headers, accept: 'multipart/mixed;subscriptionSpec="1.0", application/json' },
      ],
      ['graphql-response+json', { ...headers, 'content-type': 'application/graphql-response+json' }],
    ];
    for (const [label, h] of variants) {
      const res = await rawRequest(url, 'POST', '/graphql', { headers: h, body: over });
      expect([label, res.status, res.json?.errors?.[0]?.extensions?.code]).toEqual([label, 413, 'PAYLOAD_TOO_LARGE']);
    }
    const chunked = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers,
      body: new Blob([over]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect([chunked.status, ((await chunked.json()) as any).errors[0].extensions.code]).toEqual([
      413,
      'PAYLOAD_TOO_LARGE',
    ]);
    // The REST routes meet the same limit at the edge.
    const rest = await rawRequest(url, 'POST', '/api/v1/lineage', { headers, body: 'x'.repeat(EDGE + 1) });
    expect([rest.status, rest.json?.errors?.[0]?.extensions?.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const restAt = await rawRequest(url, 'POST', '/api/v1/lineage', {
      headers,
      body: JSON.stringify({ pad: 'x'.repeat(EDGE - 12) }),
    });
    expect(restAt.status).toBe(400); // catalog read it and refused the event itself
  });

  it('forwards everything an accepted request grows into on the way (JSON numbers the gateway writes longer)', async () => {
    // `1e20,` is 5 bytes from the client and 22 once the gateway re-serializes the variables.
    const numbers = Math.floor((EDGE - 200) / 5);
    const query = 'query($d: JSON!) { validateAgainstSchema(subject: "no-such-subject", data: $d) { valid } }';
    const body = `{"query":${JSON.stringify(query)},"variables":{"d":[${Array(numbers).fill('1e20').join(',')}]}}`;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(EDGE);
    const res = await rawRequest(p.gateway.url, 'POST', '/graphql', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.owner.token}` },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.json.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', serviceName: 'schemas' });
  });

  it('reports a subgraph that refuses the size as PAYLOAD_TOO_LARGE with serviceName, planned or passed through', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await rawRequest(tight.gateway.url, 'POST', '/graphql', {
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tight.owner.token}` },
        body: bodyOf(200_000),
      });
      expect(res.status).toBe(200);
      expect(res.json.errors).toHaveLength(1);
      expect(res.json.errors[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', serviceName: 'identity' });
    }
  });

  it('answers prototype keys in the paths of every proxied route with a 4xx, never a 500', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${p.owner.token}` };
    const targets = (k: string): [string, string][] => [
      ['GET', `/v2/models/${k}`],
      ['GET', `/v2/models/${k}/ready`],
      ['GET', `/v2/models/${k}/versions/${k}`],
      ['GET', `/v2/models/${k}/versions/${k}/ready`],
      ['POST', `/v2/models/${k}/infer`],
      ['POST', `/v2/models/${k}/versions/${k}/infer`],
      ['GET', `/v2/${k}`],
      ['GET', `/schema-registry/subjects/${k}/versions`],
      ['GET', `/schema-registry/subjects/${k}/versions/${k}`],
      ['GET', `/schema-registry/subjects/${k}/versions/latest/schema`],
      ['GET', `/schema-registry/subjects/${k}/versions/1/referencedby`],
      ['POST', `/schema-registry/subjects/${k}/versions`],
      ['POST', `/schema-registry/subjects/${k}`],
      ['DELETE', `/schema-registry/subjects/${k}`],
      ['GET', `/schema-registry/schemas/ids/${k}`],
      ['GET', `/schema-registry/schemas/ids/${k}/subjects`],
      ['GET', `/schema-registry/config/${k}`],
      ['PUT', `/schema-registry/config/${k}`],
      ['POST', `/schema-registry/compatibility/subjects/${k}/versions/${k}`],
      ['GET', `/schema-registry/${k}`],
      ['POST', `/api/v1/lineage/${k}`],
      ['PUT', `/uploads/${k}/${k}`],
      ['PUT', `/uploads/catalog/${k}`],
      ['PUT', `/uploads/models/${k}`],
      ['GET', `/downloads/${k}/x`],
      ['GET', `/downloads/catalog/${k}`],
      ['GET', `/${k}`],
    ];
    for (const k of PROTO_KEYS) {
      for (const [method, target] of targets(encodeURIComponent(k))) {
        const body =
          method === 'GET' || method === 'DELETE'
            ? ''
            : JSON.stringify({
                [k]: { [k]: k },
                schema: k,
                compatibility: k,
                inputs: [{ name: k, datatype: k, shape: [1], data: [1] }],
              });
        const res = await rawRequest(p.gateway.url, method, target, { headers, body });
        expect([method, target, res.status >= 400 && res.status < 500], res.body.slice(0, 200)).toEqual([
          method,
          target,
          true,
        ]);
      }
    }
  });

  it('answers prototype keys in headers and body keys with a 4xx, never a 500', async () => {
    const url = p.gateway.url;
    for (const k of PROTO_KEYS) {
      const answers = [
        await rawRequest(url, 'POST', '/api/v1/lineage', {
          headers: { 'content-type': 'application/json', authorization: `Bearer ${p.owner.token}` },
          body: `{"${k}":{"${k}":1},"eventType":"${k}","run":{"${k}":1},"job":{"namespace":"${k}","name":"${k}"},"inputs":[{"${k}":1}]}`,
        }),
        await rawRequest(url, 'GET', '/schema-registry/subjects', {
          headers: { authorization: `Basic ${Buffer.from(`${k}:${k}`).toString('base64')}` },
        }),
        await rawRequest(url, 'GET', `/schema-registry/subjects/${k}/versions`, {
          headers: { authorization: `Bearer ${k}` },
        }),
        await rawRequest(url, 'PUT', `/uploads/catalog/${k}`, {
          headers: { authorization: `Bearer ${k}.${k}`, 'content-type': k },
          body: 'x',
        }),
        await rawRequest(url, 'POST', '/v2/models/x/infer', {
          headers: {
            authorization: `Bearer ${p.owner.token}`,
            'inference-header-content-length': k,
            'content-type': 'application/octet-stream',
          },
          body: '{}',
        }),
        await rawRequest(url, 'POST', '/graphql', {
          headers: { 'content-type': 'application/json', authorization: `Bearer ${k}`, 'x-request-id': k },
          body: '{"query":"{ __typename }"}',
        }),
        await rawRequest(url, 'POST', '/graphql', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }', operationName: k, extensions: { [k]: { [k]: 1 } } }),
        }),
      ];
      for (const [i, res] of answers.entries())
        expect([k, i, res.status >= 400 && res.status < 500], res.body.slice(0, 200)).toEqual([k, i, true]);
      // A variable named after an Object member, declared but not given, keeps its default (planned, then passed through).
      for (let i = 0; i < 2; i++) {
        const unset = await p.call(
          `query($${k}: String! = "no-such-subject") { subject(name: $${k}) { name } }`,
          {},
          p.owner.token,
        );
        expect([k, unset.status, unset.body]).toEqual([k, 200, { data: { subject: null } }]);
      }
    }
  });
});
