// Pass-through answers are checked against the supergraph (#20): a subgraph deployed ahead of the
// supergraph (a field made nullable, enum values the supergraph hides or does not know) gets the
// same nulls and errors on the pass-through path as on the planned one, never its raw answer.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph, createLogger, createServiceServer } from '../../lib/src/index';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql, startService } from '../../lib/src/testing/harness';
import { loadGatewayConfig } from '../src/config';
import { createGateway } from '../src/server';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])';
/** What the supergraph was composed from (Status as given). */
const declared = (status: string) => `${LINK}
  enum Status { ${status} }
  type Item @key(fields: "id") { id: ID! label: String! status: Status count: Int tags: [String!] }
  type Query { items: [Item!] item(id: ID!): Item mustItem(id: ID!): Item! hello: String }`;
/** What the subgraph runs now: `label` nullable, a new status LEGACY, `count` a Float. */
const RUNNING = `${LINK}
  enum Status { ACTIVE RETIRED LEGACY }
  type Item @key(fields: "id") { id: ID! label: String status: Status count: Float tags: [String] }
  type Query { items: [Item!] item(id: ID!): Item mustItem(id: ID!): Item hello: String }`;

const ITEMS: Record<string, Record<string, unknown>> = {
  good: { id: 'good', label: 'Good', status: 'ACTIVE', count: 2, tags: ['a'] },
  unlabelled: { id: 'unlabelled', label: null, status: 'ACTIVE', count: 1, tags: [] },
  retired: { id: 'retired', label: 'Old', status: 'RETIRED', count: 1, tags: [] },
  legacy: { id: 'legacy', label: 'Legacy', status: 'LEGACY', count: 1, tags: [] },
  fractional: { id: 'fractional', label: 'Half', status: 'ACTIVE', count: 0.5, tags: ['x', null] },
};

let drifted: RunningService;
const gateways: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  const schema = buildSubgraphSchema({
    typeDefs: parse(RUNNING),
    resolvers: {
      Query: {
        items: () => [ITEMS.good, ITEMS.unlabelled],
        item: (_: unknown, { id }: { id: string }) => ITEMS[id] ?? null,
        mustItem: (_: unknown, { id }: { id: string }) => ITEMS[id] ?? null,
        hello: () => 'world',
      },
      Item: { __resolveReference: (r: { id: string }) => ITEMS[r.id] },
    } as never,
  });
  const server = await createServiceServer({
    name: 'drifted',
    schema,
    logger: createLogger('drifted', 'silent'),
    production: false,
    bodyLimitBytes: 100_000,
    context: async () => ({}),
  });
  drifted = await startService('drifted', server);
});

afterAll(async () => {
  for (const g of gateways) await g.stop();
  await drifted?.stop();
});

async function startGateway(supergraphSdl: string, passThrough: boolean) {
  const config = { ...loadGatewayConfig({}), passThrough };
  const gateway = await createGateway(config, { supergraphSdl, logger: createLogger('gateway', 'silent') });
  gateways.push(gateway);
  const url = await gateway.listen(0);
  return { url, graphqlUrl: `${url}/graphql` };
}

const passedThrough = async (url: string) =>
  Number(/^gateway_pass_through_total\{[^}]*\} (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);

describe.each([
  { supergraph: 'hides RETIRED (@inaccessible)', status: 'ACTIVE RETIRED @inaccessible' },
  { supergraph: 'does not know RETIRED', status: 'ACTIVE' },
])('pass-through answers checked against a supergraph that $supergraph', ({ status }) => {
  it('gives the planned answer for nulls in non-null positions and values outside their type, and passes clean answers as they came', async () => {
    const sdl = composeSupergraph([{ name: 'drifted', url: drifted.graphqlUrl, sdl: declared(status) }]);
    const on = await startGateway(sdl, true);
    const off = await startGateway(sdl, false);
    const invalid = (message: string, path: (string | number)[]) => ({
      message,
      path,
      extensions: expect.objectContaining({ code: 'INVALID_GRAPHQL' }),
    });
    const cases: [string, Record<string, unknown>, unknown, unknown[] | undefined][] = [
      ['{ hello }', {}, { hello: 'world' }, undefined],
      [
        'query($id: ID!) { item(id: $id) { id label status } }',
        { id: 'good' },
        { item: { id: 'good', label: 'Good', status: 'ACTIVE' } },
        undefined,
      ],
      // A null where the supergraph says non-null climbs to the nearest nullable parent: the list.
      [
        '{ items { id label } }',
        {},
        { items: null },
        [invalid('Cannot return null for non-nullable field Item.label.', ['items', 1, 'label'])],
      ],
      [
        'query($id: ID!) { mustItem(id: $id) { id label } }',
        { id: 'nope' },
        null,
        [invalid('Cannot return null for non-nullable field Query.mustItem.', ['mustItem'])],
      ],
      // An enum value the supergraph hides (@inaccessible), one it does not know, a Float for an Int, a null list item.
      [
        'query($id: ID!) { item(id: $id) { id status } }',
        { id: 'retired' },
        { item: { id: 'retired', status: null } },
        [invalid('Invalid value found for field Item.status.', ['item', 'status'])],
      ],
      [
        'query($id: ID!) { item(id: $id) { id status } }',
        { id: 'legacy' },
        { item: { id: 'legacy', status: null } },
        [invalid('Invalid value found for field Item.status.', ['item', 'status'])],
      ],
      [
        'query($id: ID!, $skip: Boolean!) { item(id: $id) { id count tags @skip(if: $skip) } }',
        { id: 'fractional', skip: false },
        { item: { id: 'fractional', count: null, tags: null } },
        [
          invalid('Invalid value found for field Item.count.', ['item', 'count']),
          invalid('Cannot return null for non-nullable array element of type String at index 1.', ['item', 'tags', 1]),
        ],
      ],
      [
        'query($id: ID!, $skip: Boolean!) { item(id: $id) { id count tags @skip(if: $skip) } }',
        { id: 'good', skip: true },
        { item: { id: 'good', count: 2 } },
        undefined,
      ],
    ];
    const seen = new Set<string>();
    for (const [query, variables, data, errors] of cases) {
      const planned = await gql(off.graphqlUrl, query, variables);
      const before = await passedThrough(on.url);
      // The first request of an operation is planned; the next ones pass through.
      const passes = seen.has(query) ? 2 : 1;
      seen.add(query);
      for (let i = 0; i < 2; i++) {
        const answer = await gql(on.graphqlUrl, query, variables);
        expect({ query, i, data: answer.body.data, errors: answer.body.errors }).toEqual({ query, i, data, errors });
      }
      expect({ query, passed: (await passedThrough(on.url)) - before }).toEqual({ query, passed: passes });
      expect({ query, data: planned.body.data, errors: planned.body.errors }).toEqual({ query, data, errors });
    }
  });
});
