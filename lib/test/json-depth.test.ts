import { parse, parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentNestingProblem, MAX_DOCUMENT_NESTING, MAX_LIST_LITERAL_NESTING } from '../src/document-nesting';
import {
  assertJsonDepth,
  JsonTooDeepError,
  jsonTooDeepAt,
  literalTooDeep,
  MAX_JSON_DEPTH,
  parseUserJson,
} from '../src/json-depth';
import { JSONObjectScalar, JSONScalar } from '../src/json-scalars';

const nestedArrays = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
const nestedObjects = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

describe('JSON depth limit', () => {
  it('accepts exactly MAX_JSON_DEPTH levels and refuses one more, for arrays and objects', () => {
    for (const build of [nestedArrays, nestedObjects]) {
      expect(jsonTooDeepAt(build(MAX_JSON_DEPTH))).toBeUndefined();
      expect(jsonTooDeepAt(build(MAX_JSON_DEPTH + 1))).toMatch(/^\$/);
    }
    expect(jsonTooDeepAt('text')).toBeUndefined();
    expect(jsonTooDeepAt(null)).toBeUndefined();
    expect(jsonTooDeepAt({ wide: Array.from({ length: 10_000 }, (_, i) => ({ i })) })).toBeUndefined();
  });

  it('checks a million levels without overflowing the stack, and says where', () => {
    expect(jsonTooDeepAt(nestedArrays(1_000_000))).toBe('$[0][0][0][0][0][0]…');
    expect(jsonTooDeepAt({ ok: [1, 2], deep: nestedObjects(5000) })).toBe('$.deep.a.a.a.a.a…');
  });

  it('refuses with BAD_USER_INPUT naming the field', () => {
    expect(() => assertJsonDepth(nestedObjects(5000), 'data')).toThrow(JsonTooDeepError);
    let err: unknown;
    try {
      parseUserJson(`${'['.repeat(5000)}${']'.repeat(5000)}`, 'schema');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JsonTooDeepError);
    expect((err as JsonTooDeepError).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'schema' }],
    });
    expect(() => parseUserJson('{', 'schema')).toThrow(/not valid JSON/);
  });

  it('counts GraphQL literals the same way', () => {
    const literal = (depth: number) => parseValue(`${'{a:'.repeat(depth)}1${'}'.repeat(depth)}`);
    expect(literalTooDeep(literal(MAX_JSON_DEPTH))).toBe(false);
    expect(literalTooDeep(literal(MAX_JSON_DEPTH + 1))).toBe(true);
  });

  it('is applied by the JSON scalars to variables and literals', () => {
    expect(JSONScalar.parseValue(nestedArrays(MAX_JSON_DEPTH))).toHaveLength(1);
    expect(() => JSONScalar.parseValue(nestedArrays(5000))).toThrow(JsonTooDeepError);
    expect(() => JSONObjectScalar.parseValue(nestedObjects(5000))).toThrow(JsonTooDeepError);
    const doc = parse(`{ f(a: ${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}) }`);
    const arg = (doc.definitions[0] as any).selectionSet.selections[0].arguments[0].value;
    expect(() => JSONScalar.parseLiteral(arg, {})).toThrow(JsonTooDeepError);
    expect(JSONScalar.parseLiteral(parseValue('{ a: [1, { b: "x" }] }'), {})).toEqual({ a: [1, { b: 'x' }] });
  });
});

describe('operation text nesting', () => {
  const list = (n: number) => `{ f(a: ${'['.repeat(n)}1${']'.repeat(n)}) }`;
  const object = (n: number) => `{ f(a: ${'{a:'.repeat(n)}1${'}'.repeat(n)}) }`;

  it('refuses list literals deeper than MAX_LIST_LITERAL_NESTING, counting lists inside objects', () => {
    expect(documentNestingProblem(list(MAX_LIST_LITERAL_NESTING))).toBeUndefined();
    expect(documentNestingProblem(list(MAX_LIST_LITERAL_NESTING + 1))).toMatch(
      /list literals deeper than 8 levels: pass deeply nested values as variables/,
    );
    expect(documentNestingProblem(`{ f(a: ${'[{a:'.repeat(9)}1${'}]'.repeat(9)}) }`)).toMatch(/list literals/);
    expect(documentNestingProblem(`{ f(a: ${'[1],'.repeat(50)}) g(b: [[[[1]]]]) }`)).toBeUndefined();
  });

  it('refuses any nesting deeper than MAX_DOCUMENT_NESTING before the recursive parser sees it', () => {
    expect(documentNestingProblem(object(MAX_DOCUMENT_NESTING - 2))).toBeUndefined();
    expect(documentNestingProblem(object(MAX_DOCUMENT_NESTING))).toMatch(/deeper than 100 levels/);
    expect(documentNestingProblem(`{ ${'a { '.repeat(100_000)}b${' }'.repeat(100_000)} }`)).toMatch(
      /deeper than 100 levels/,
    );
    const parsed = parse(object(MAX_DOCUMENT_NESTING - 2));
    expect(parsed.definitions).toHaveLength(1);
  });

  it('ignores brackets in strings, block strings and comments', () => {
    const noise = `"${'['.repeat(50)}\\"" """${'['.repeat(50)} \\""" ${'{'.repeat(200)}""" # ${'['.repeat(50)}\n`;
    expect(documentNestingProblem(`{ f(a: ${noise} b: [[1]]) }`)).toBeUndefined();
  });
});
