// Schemas built to stall or crash the service: catastrophic patterns, deep nesting, endless $ref cycles.
import { describe, expect, it } from 'vitest';
import { AvroFormat } from '../../src/compatibility/avro.format';
import { JsonSchemaFormat } from '../../src/compatibility/json-schema.format';
import { ProtobufFormat } from '../../src/compatibility/protobuf.format';
import { SchemaParseError } from '../../src/compatibility/schema-types';

const json = new JsonSchemaFormat();
const avro = new AvroFormat();
const parse = (schema: unknown) => json.parse(JSON.stringify(schema));
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaParseError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('patterns run on a linear-time engine', () => {
  it('answers catastrophic patterns correctly on long inputs, in pattern and patternProperties', () => {
    const long = 'a'.repeat(100_000);
    for (const pattern of ['^(a+)+$', '(a|aa)+$', '^(a|a?)+$', '^(.*a){20}$', '^([a-z]+)*$']) {
      const schema = parse({ type: 'string', pattern });
      expect({ pattern, errors: json.validate(schema, `${long}!`) }).toEqual({
        pattern,
        errors: [{ path: '', message: `must match pattern "${pattern}"` }],
      });
    }
    expect(json.validate(parse({ type: 'string', pattern: '^(a+)+$' }), long)).toEqual([]);
    const props = parse({ type: 'object', patternProperties: { '^(a+)+$': { type: 'integer' } } });
    expect(json.validate(props, { [`${long}!`]: 'not checked', aaa: 'x' })).toEqual([
      { path: '/aaa', message: 'must be integer' },
    ]);
  });

  it('keeps ECMA-262 meaning where RE2 syntax differs (\\s, ., \\u escapes)', () => {
    const schema = parse({ type: 'string', pattern: '^\\s\\u00e9.$' });
    expect(json.validate(schema, '\u00a0éx')).toEqual([]);
    expect(json.validate(schema, '\u00a0é\n')).toHaveLength(1);
  });

  it('refuses lookaround and backreferences at registration, naming where', () => {
    expect(refusal(() => parse({ properties: { a: { type: 'string', pattern: '^(?!admin)' } } }))).toMatch(
      /^Invalid regular expression at #\/properties\/a\/pattern: .*lookahead/,
    );
    expect(refusal(() => parse({ patternProperties: { '(?<=x)y': {} } }))).toMatch(/patternProperties: .*lookbehind/);
    expect(refusal(() => parse({ propertyNames: { pattern: '(a)\\1' } }))).toMatch(/backreferences/);
  });
});

describe('nesting', () => {
  const deep = (n: number) => `${'{"items":'.repeat(n)}{}${'}'.repeat(n)}`;

  it('refuses JSON Schema and Avro texts nested deeper than the limit, and accepts the limit', () => {
    expect(refusal(() => json.parse(deep(5000)))).toMatch(/deeper than 100 levels/);
    expect(json.parse(deep(99)).fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const avroDeep = `${'{"type":"array","items":'.repeat(5000)}"int"${'}'.repeat(5000)}`;
    expect(refusal(() => avro.parse(avroDeep))).toMatch(/deeper than 100 levels/);
    expect(refusal(() => json.parse('{}', [{ name: 'r.json', subject: 'r', version: 1, schema: deep(5000) }]))).toMatch(
      /Referenced schema "r.json" nests/,
    );
    // protobufjs bounds its own recursion ("max depth exceeded"): refused like any invalid .proto.
    const proto = `syntax = "proto3";\n${'message M { '.repeat(5000)}string x = 1;${' }'.repeat(5000)}`;
    expect(refusal(() => new ProtobufFormat().parse(proto))).toMatch(/depth/);
  });

  it('refuses $ref cycles that never descend into the instance, keeps recursive schemas that do', () => {
    expect(refusal(() => parse({ $ref: '#' }))).toMatch(/never ends/);
    expect(refusal(() => parse({ anyOf: [{ type: 'null' }, { $ref: '#' }] }))).toMatch(/never ends/);
    expect(
      refusal(() =>
        parse({
          definitions: { a: { $ref: '#/definitions/b' }, b: { not: { $ref: '#/definitions/a' } } },
          $ref: '#/definitions/a',
        }),
      ),
    ).toMatch(/never ends/);
    const tree = parse({
      $defs: { node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } } } } },
      $ref: '#/$defs/node',
    });
    expect(json.validate(tree, { children: [{ children: [] }, { children: 'x' }] })).toEqual([
      { path: '/children/1/children', message: 'must be array' },
    ]);
    expect(json.readerIncompatibilities(tree, tree)).toEqual([]);
  });
});
