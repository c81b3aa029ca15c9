// Issue #16: the fuzz generator (test/security/fuzz-inputs.ts) is driven by the schema, so the
// property test cannot pass vacuously: every mutation of the composed supergraph is a target, a
// mutation added to a schema becomes one without any edit, and the documents it sends are valid
// GraphQL for the schema (the bad values reach variable coercion and the resolvers, not only the parser).
import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import fc from 'fast-check';
import { buildSchema, getVariableValues, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BAD_STRINGS, fuzzPlan, literal, mutationNames, type FuzzRequest } from './fuzz-inputs';

const root = path.resolve(__dirname, '../..');
const api = Supergraph.build(fs.readFileSync(path.join(root, 'supergraph.graphql'), 'utf8'))
  .apiSchema()
  .toGraphQLJSSchema();

/** The Mutation fields as the supergraph's text lists them (independently of graphql-js). */
function mutationsInSdl(sdl: string): string[] {
  const body = /^type Mutation\b[^{]*\{([\s\S]*?)^\}/m.exec(sdl)![1]!;
  return [...body.replace(/"""[\s\S]*?"""/g, '').matchAll(/^\s{2}(\w+)\s*[(:]/gm)].map((m) => m[1]!);
}

function samples(arb: fc.Arbitrary<FuzzRequest>, n: number, seed = 1): FuzzRequest[] {
  return fc.sample(arb, { numRuns: n, seed });
}

describe('the fuzz generator', () => {
  const plan = fuzzPlan(api);

  it('targets every mutation of the supergraph, and skips none', () => {
    const expected = mutationsInSdl(fs.readFileSync(path.join(root, 'supergraph.graphql'), 'utf8'));
    expect(expected.length).toBeGreaterThan(50);
    expect(plan.targets.map((t) => t.field).sort()).toEqual([...expected].sort());
    expect(mutationNames(api).sort()).toEqual([...expected].sort());
    expect(plan.skipped).toEqual([]);
  });

  it('a mutation added to a schema is a target at once, with its input types fuzzed; an upload one is skipped with the reason', () => {
    const schema = buildSchema(`
      scalar JSON
      scalar Upload
      enum Colour { RED GREEN }
      input Inner { tags: [String!], meta: JSON }
      input NewThingInput { name: String!, count: Int, colour: Colour!, inner: Inner }
      type Thing { id: ID! }
      type Query { thing: Thing }
      type Mutation {
        createThing(input: NewThingInput!): Thing!
        renameThing(id: ID!, name: String!): Boolean!
        uploadThing(file: Upload!): Thing!
      }
    `);
    const extended = fuzzPlan(schema);
    expect(extended.targets.map((t) => t.field)).toEqual(['createThing', 'renameThing']);
    expect(extended.skipped).toEqual([{ field: 'uploadThing', reason: expect.stringContaining('Upload') }]);
    const sent = samples(extended.targets[0]!.request, 300).filter((r) => r.mode === 'variables');
    const inputs = sent
      .map((r) => r.variables.v0)
      .filter((v): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v));
    expect(inputs.some((i) => i.colour === 'RED' || i.colour === 'GREEN')).toBe(true);
    expect(inputs.some((i) => typeof i.colour === 'string' && !['RED', 'GREEN'].includes(i.colour))).toBe(true);
    expect(inputs.some((i) => typeof i.name === 'string' && i.name.includes('\u0000'))).toBe(true);
    expect(inputs.some((i) => i.inner && typeof i.inner === 'object' && 'meta' in i.inner)).toBe(true);
    expect(inputs.some((i) => Object.prototype.hasOwnProperty.call(i, '__proto__'))).toBe(true);
  });

  it.each(plan.targets.map((t) => [t.field, t] as const))(
    '%s: the documents it sends with variables are valid for the schema, and some values pass coercion',
    (_field, target) => {
      const sent = samples(target.request, 40);
      const withVariables = sent.filter((r) => r.mode === 'variables');
      expect(withVariables.length).toBeGreaterThan(5);
      for (const r of withVariables) expect(validate(api, parse(r.query)).map((e) => e.message)).toEqual([]);
      // Some pass variable coercion too: their bad contents reach the subgraph's resolvers.
      const coerced = withVariables.filter(
        (r) =>
          !getVariableValues(
            api,
            (parse(r.query).definitions[0] as OperationDefinitionNode).variableDefinitions ?? [],
            r.variables,
          ).errors,
      );
      expect(coerced.length).toBeGreaterThan(2);
      // Some requests go out without a token, some without their required arguments, some inline.
      expect(new Set(sent.map((r) => r.mode))).toEqual(new Set(['variables', 'literal', 'missing']));
      expect(sent.some((r) => r.anonymous)).toBe(true);
      expect(sent.some((r) => !r.anonymous)).toBe(true);
    },
  );

  it('generates every class of bad value the issue names', () => {
    const strings = fc
      .sample(fuzzPlan(buildSchema('type Query { a: Int } type Mutation { m(s: String!): Int }')).targets[0]!.request, {
        numRuns: 500,
        seed: 7,
      })
      .filter((r) => r.mode === 'variables')
      .map((r) => r.variables.v0)
      .filter((v): v is string => typeof v === 'string');
    const has = (test: (s: string) => boolean) => strings.some(test);
    expect(has((s) => s.length >= 1_000_000)).toBe(true);
    expect(has((s) => s.includes('\u0000'))).toBe(true);
    expect(has((s) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s))).toBe(true);
    expect(has((s) => /\p{Extended_Pictographic}/u.test(s))).toBe(true);
    expect(has((s) => /[\u0590-\u06FF\u202E]/.test(s))).toBe(true);
    expect(has((s) => BAD_STRINGS.prototype!.includes(s))).toBe(true);
    expect(has((s) => /DROP TABLE|OR 1=1/.test(s))).toBe(true);
    expect(has((s) => /\(a\+\)\+/.test(s))).toBe(true);
  });

  it('prints inline literals GraphQL parses (keys that are not names dropped, enum values bare)', () => {
    const printed = literal(
      {
        name: 'a"\\\n',
        __proto__x: 1,
        'not a name': 2,
        list: [1, 2.5, null, true],
        kind: 'RED',
        deep: { x: Infinity },
      },
      new Set(['RED']),
    );
    expect(printed).toBe(
      '{name: "a\\"\\\\\\n", __proto__x: 1, list: [1, 2.5, null, true], kind: RED, deep: {x: null}}',
    );
    expect(() => parse(`{ f(a: ${printed}) }`)).not.toThrow();
  });
});
