// Issue #16 (found by test/security/fuzz.e2e.ts): invalid variables are refused with a bounded
// number of errors. Unbounded, a 1 MB list of 10,000 bad items made 30,000 errors, a 37 MB answer
// and 75 s of the gateway's CPU. Planned and passed through, in development and production.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceServer } from '../../lib/src/index';
import type { RunningGateway } from '../../test/support/gateway-harness';
import { startGatewayOver } from '../../test/support/gateway-harness';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql, startService } from '../../lib/src/testing/harness';
import { MAX_VARIABLE_ERRORS } from '../src/execution/variable-check';

const MUTATION = 'mutation($i: AddInput!) { add(input: $i) }';
/** Each item misses its two required fields and has two unknown ones: four errors an item. */
const badItems = (n: number) => ({ i: { name: 'x', items: new Array(n).fill({ __proto__x: 1, constructor: 'x' }) } });

let subgraph: RunningService;
beforeAll(async () => {
  const schema = buildSubgraphSchema({
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      input ItemInput { key: String!, value: Int! }
      input AddInput { name: String!, items: [ItemInput!]! }
      type Query { ok: Boolean }
      type Mutation { add(input: AddInput!): Int! }`),
    resolvers: {
      Query: { ok: () => true },
      Mutation: { add: (_: unknown, args: { input: { items: unknown[] } }) => args.input.items.length },
    },
  });
  const server = await createServiceServer({
    name: 'adder',
    schema,
    logger: createLogger('adder', 'silent'),
    production: false,
    bodyLimitBytes: 10_000_000,
    context: async () => ({}),
  });
  subgraph = await startService('adder', server);
});
afterAll(async () => subgraph?.stop());

describe.each([
  { production: false, passThrough: true },
  { production: true, passThrough: true },
  { production: true, passThrough: false },
])('invalid variables (production: $production, pass-through: $passThrough)', ({ production, passThrough }) => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGatewayOver([subgraph], {
      production,
      passThrough,
      rateLimits: { perUserPerMinute: 0, perIpPerMinute: 0 },
    });
  });
  afterAll(async () => gateway?.stop());

  it.each([1, 100, 10_000])(
    '%i bad items: HTTP 400, every error BAD_USER_INPUT, at most the cap and one more',
    async (n) => {
      // Twice: the second request of an operation is the one pass-through answers.
      for (let round = 0; round < 2; round += 1) {
        const res = await gql(gateway.graphqlUrl, MUTATION, badItems(n));
        expect(res.status).toBe(400);
        expect(res.errors!.length).toBe(Math.min(4 * n, MAX_VARIABLE_ERRORS + 1));
        expect(new Set(res.errors!.map((e) => e.extensions.code))).toEqual(new Set(['BAD_USER_INPUT']));
        if (4 * n > MAX_VARIABLE_ERRORS) expect(res.errors!.at(-1).message).toMatch(/Too many errors/);
        expect(res.data ?? null).toBeNull();
      }
    },
  );

  it('valid variables still run, also 10,000 items', async () => {
    const items = new Array(10_000).fill({ key: 'k', value: 1 });
    for (let round = 0; round < 2; round += 1) {
      const res = await gql(gateway.graphqlUrl, MUTATION, { i: { name: 'x', items } });
      expect(res.errors).toBeUndefined();
      expect(res.data.add).toBe(10_000);
    }
  });
});
