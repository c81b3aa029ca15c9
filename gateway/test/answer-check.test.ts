// The pass-through answer check against @apollo/gateway's own result shaping (the planned path's
// computeResponse), answer by answer: the same data and the same errors (#20).
import { buildSchema, operationFromDocument } from '@apollo/federation-internals';
import { computeResponse } from '@apollo/gateway/dist/resultShaping';
import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compileAnswerCheck } from '../src/execution/answer-check';

const SDL = `
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String! role: Role tags: [String!] }
  type Team implements Node { id: ID! members: [User!]! }
  union Thing = User | Team
  enum Role { ADMIN MEMBER }
  scalar JSON
  type Query { node(id: ID!): Node things: [Thing] user: User! count: Int ratio: Float ok: Boolean! raw: JSON }`;
const schema = buildSchema(SDL);
const jsSchema = schema.toGraphQLJSSchema();

const user = { id: 'u1', name: 'Ann', role: 'ADMIN', tags: ['a'] };
const cases: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
  [
    'clean',
    '{ user { id name role tags } count ratio ok raw }',
    {},
    { user, count: 3, ratio: 0.5, ok: true, raw: [1] },
  ],
  [
    'values outside their type',
    '{ user { id name role } count ratio ok }',
    {},
    { user: { id: 'u1', name: null, role: 'GUEST' }, count: 1.5, ratio: '1', ok: 'yes' },
  ],
  ['nullable role unknown', '{ user { id role } ok }', {}, { user: { id: 7, role: 'GUEST' }, ok: false }],
  ['null list item', '{ user { tags } ok }', {}, { user: { tags: ['a', null] }, ok: true }],
  ['missing everything', '{ user { id } count }', {}, {}],
  [
    'fragments on an interface',
    '{ node(id: "t") { __typename id ... on User { name role } ... on Team { members { id name } } } ok }',
    {},
    {
      node: {
        __typename: 'Team',
        id: 't',
        members: [
          { id: 'u1', name: 'Ann' },
          { id: 'u2', name: null },
        ],
      },
      ok: true,
    },
  ],
  [
    'unknown __typename in a union list',
    '{ things { __typename ... on User { id } } ok }',
    {},
    { things: [{ __typename: 'User', id: 'u1' }, { __typename: 'Ghost', id: 'x' }, null], ok: true },
  ],
  [
    '@include and a prototype key alias',
    'query($withName: Boolean!) { user { id name @include(if: $withName) constructor: id } ok }',
    { withName: false },
    { user: { id: 'u1', constructor: 'u1' }, ok: true },
  ],
  [
    'a prototype key alias missing',
    'query($withName: Boolean! = true) { user { id name @include(if: $withName) constructor: id } ok }',
    {},
    { user: { id: 'u1', name: 'Ann' }, ok: true },
  ],
  ['a list for an object', '{ user { id } ok }', {}, { user: [user], ok: true }],
];

describe('answer check', () => {
  it.each(cases)('%s: the data and errors of plan execution', (_name, query, variables, input) => {
    const document = parse(query);
    const check = compileAnswerCheck(jsSchema, getOperationAST(document)!);
    expect(check).toBeDefined();
    const ours = check!.check(structuredClone(input), variables);
    const apollo = computeResponse({
      operation: operationFromDocument(schema, document),
      variables,
      input: structuredClone(input),
      introspectionHandling: () => null,
    });
    const plain = (v: unknown) => JSON.parse(JSON.stringify(v ?? null));
    expect(plain(ours.data)).toEqual(plain(apollo.data));
    expect(ours.errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions.code }))).toEqual(
      apollo.errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions.code })),
    );
  });

  it('returns a fitting answer itself, without copying it', () => {
    const check = compileAnswerCheck(jsSchema, getOperationAST(parse('{ user { id name } ok }'))!)!;
    const data = { user: { id: 'u1', name: 'Ann' }, ok: true };
    expect(check.check(data, {})).toEqual({ data, errors: [] });
    expect(check.check(data, {}).data).toBe(data);
  });

  it('declines what it cannot check: introspection fields and named fragments', () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ user { ...F } } fragment F on User { id }'])
      expect(compileAnswerCheck(jsSchema, getOperationAST(parse(query))!)).toBeUndefined();
  });
});
