import { describe, expect, it } from 'vitest';
import { JsonSchemaFormat } from '../../src/compatibility/json-schema.format';

const format = new JsonSchemaFormat();
const parse = (schema: unknown, refs: { name: string; schema: unknown }[] = []) =>
  format.parse(
    JSON.stringify(schema),
    refs.map((r, i) => ({ name: r.name, subject: `ref-${i}`, version: 1, schema: JSON.stringify(r.schema) })),
  );
const reads = (reader: unknown, writer: unknown) => format.readerIncompatibilities(parse(reader), parse(writer));

describe('JSON Schema open and closed content models', () => {
  const open = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
  const openWithAge = { ...open, properties: { ...open.properties, age: { type: 'integer' } } };
  const closed = { ...open, additionalProperties: false };
  const closedWithAge = { ...openWithAge, additionalProperties: false };

  it('open model: adding an optional property is not backward compatible (old data may carry any "age")', () => {
    expect(reads(openWithAge, open)).toEqual([
      { path: '#/properties/age/type', message: 'type "null" is allowed by the writer but not by the reader' },
      ...['boolean', 'object', 'array', 'string', 'number'].map((t) => ({
        path: '#/properties/age/type',
        message: `type "${t}" is allowed by the writer but not by the reader`,
      })),
    ]);
    expect(reads(open, openWithAge)).toEqual([]);
  });

  it('closed model: adding an optional property is backward compatible, removing one is not', () => {
    expect(reads(closedWithAge, closed)).toEqual([]);
    expect(reads(closed, closedWithAge)).toEqual([
      { path: '#/properties/age', message: 'the reader accepts nothing here, the writer does' },
    ]);
  });

  it('partially open model: additionalProperties with a schema decides what undeclared properties may hold', () => {
    const partial = { ...open, additionalProperties: { type: 'integer' } };
    expect(reads(openWithAge, partial)).toEqual([]);
    expect(
      reads({ ...openWithAge, properties: { ...openWithAge.properties, age: { type: 'string' } } }, partial),
    ).toHaveLength(1);
  });

  it('names the keyword and values in reasons', () => {
    expect(reads({ type: 'string', maxLength: 5 }, { type: 'string', maxLength: 10 })).toEqual([
      { path: '#/maxLength', message: 'strings longer than 5 are rejected by the reader (writer maxLength 10)' },
    ]);
    expect(reads({ type: 'object', required: ['id', 'ts'] }, { type: 'object', required: ['id'] })).toEqual([
      { path: '#/required', message: 'property "ts" is required by the reader but optional for the writer' },
    ]);
  });
});

describe('JSON Schema dialects', () => {
  it('2020-12: prefixItems and items, $defs and $anchor', () => {
    const v1 = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'string' }],
      items: { $ref: '#num' },
      $defs: { n: { $anchor: 'num', type: 'integer' } },
    };
    const v2 = { ...v1, items: { type: 'number' } };
    expect(reads(v2, v1)).toEqual([]);
    expect(reads(v1, v2)).toHaveLength(1);
    const s = parse(v1);
    expect(format.validate(s, ['a', 1, 2])).toEqual([]);
    expect(format.validate(s, ['a', 1.5])).toEqual([{ path: '/1', message: 'must be integer' }]);
  });

  it('2020-12: $ref with sibling keywords applies both', () => {
    const v1 = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $defs: { s: { type: 'string' } },
      $ref: '#/$defs/s',
      maxLength: 3,
    };
    expect(format.validate(parse(v1), 'abcd')).toHaveLength(1);
    expect(reads({ type: 'string' }, v1)).toEqual([]);
    expect(reads(v1, { type: 'string' })).toHaveLength(1);
  });

  it('2020-12: unevaluatedProperties closes a model like additionalProperties', () => {
    const base = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { a: { type: 'string' } },
    };
    const closedV1 = { ...base, unevaluatedProperties: false };
    const closedV2 = { ...closedV1, properties: { ...base.properties, b: { type: 'integer' } } };
    expect(reads(closedV2, closedV1)).toEqual([]);
    expect(reads(closedV1, closedV2)).toEqual([
      { path: '#/properties/b', message: 'the reader accepts nothing here, the writer does' },
    ]);
    expect(reads(closedV1, base)).toHaveLength(1);
  });

  it('minContains and maxContains bound the matching items', () => {
    const v = (min: number, max?: number) => ({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      contains: { type: 'string' },
      minContains: min,
      ...(max ? { maxContains: max } : {}),
    });
    expect(reads(v(1), v(2))).toEqual([]);
    expect(reads(v(2), v(1))).toEqual([
      { path: '#/minContains', message: 'the reader requires 2 matching items, the writer 1' },
    ]);
    expect(reads(v(1, 3), v(1))).toHaveLength(1);
  });

  it('recursive schemas (2020-12 $ref with siblings) terminate and compare structurally', () => {
    const tree = (maxLength: number) => ({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $ref: '#/$defs/node',
      $defs: {
        node: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength },
            children: { type: 'array', items: { $ref: '#/$defs/node', minProperties: 1 } },
          },
        },
      },
    });
    expect(reads(tree(10), tree(5))).toEqual([]);
    // Reported at the root node and once more inside the recursion, before the cycle closes.
    expect(reads(tree(5), tree(10))).toEqual([
      {
        path: '#/properties/name/maxLength',
        message: 'strings longer than 5 are rejected by the reader (writer maxLength 10)',
      },
      {
        path: '#/properties/children/items/allOf/0/properties/name/maxLength',
        message: 'strings longer than 5 are rejected by the reader (writer maxLength 10)',
      },
    ]);
  });

  it('draft-04: boolean exclusiveMinimum and id', () => {
    const s = parse({
      $schema: 'http://json-schema.org/draft-04/schema#',
      id: 'http://example.com/t',
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
    });
    expect(format.validate(s, 0)).toEqual([{ path: '', message: 'must be > 0' }]);
    expect(format.validate(s, 0.1)).toEqual([]);
  });

  it('rejects invalid schemas, dangling references and bad patterns', () => {
    expect(() => parse({ type: 'strin' })).toThrow(/Invalid JSON Schema/);
    expect(() => parse({ $ref: '#/definitions/missing' })).toThrow(/Unresolvable \$ref/);
    expect(() => parse({ type: 'string', pattern: '(' })).toThrow(/Invalid regular expression/);
    expect(() => format.parse('{"type":')).toThrow(/not valid JSON/);
  });
});

describe('JSON Schema validation of records', () => {
  const schema = parse({
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: {
      email: { type: 'string', format: 'email' },
      tags: { type: 'array', items: { type: 'string' } },
      'a/b': { type: 'number' },
    },
    required: ['email'],
    additionalProperties: false,
  });

  it('reports every error with a JSON pointer to the value', () => {
    expect(format.validate(schema, { email: 'x@example.com', tags: ['a'] })).toEqual([]);
    expect(format.validate(schema, { tags: ['a', 2], extra: 1, 'a/b': 'x' })).toEqual([
      { path: '/email', message: "must have required property 'email'" },
      { path: '/extra', message: 'must NOT have additional properties' },
      { path: '/tags/1', message: 'must be string' },
      { path: '/a~1b', message: 'must be number' },
    ]);
    expect(format.validate(schema, { email: 'not-an-email' })).toEqual([
      { path: '/email', message: 'must match format "email"' },
    ]);
  });
});

describe('JSON Schema references to other subjects', () => {
  const address = {
    $id: 'https://example.com/address.json',
    type: 'object',
    properties: { street: { type: 'string' } },
    required: ['street'],
  };
  const person = { type: 'object', properties: { home: { $ref: 'address.json' } } };

  it('resolves $ref by reference name and validates through it', () => {
    const s = parse(person, [{ name: 'address.json', schema: address }]);
    expect(format.validate(s, { home: { street: 'Main' } })).toEqual([]);
    expect(format.validate(s, { home: {} })).toEqual([
      { path: '/home/street', message: "must have required property 'street'" },
    ]);
    expect(() => parse(person)).toThrow(/no referenced schema named "address.json"/);
  });

  it('compares through references', () => {
    const looser = { ...address, required: [] };
    const v1 = parse(person, [{ name: 'address.json', schema: address }]);
    const v2 = parse(person, [{ name: 'address.json', schema: looser }]);
    expect(format.readerIncompatibilities(v2, v1)).toEqual([]);
    expect(format.readerIncompatibilities(v1, v2)).toEqual([
      {
        path: '#/properties/home/required',
        message: 'property "street" is required by the reader but optional for the writer',
      },
    ]);
  });

  it('fingerprints depend on references and not on key order or whitespace', () => {
    const a = format.parse('{"type":"string","maxLength":3}');
    const b = format.parse('{ "maxLength": 3, "type": "string" }');
    expect(b.canonical).toBe('{"maxLength":3,"type":"string"}');
    expect(b.fingerprint).toBe(a.fingerprint);
    const ref = (version: number) => [
      { name: 'address.json', subject: 'address', version, schema: JSON.stringify(address) },
    ];
    expect(format.parse(JSON.stringify(person), ref(1)).fingerprint).not.toBe(
      format.parse(JSON.stringify(person), ref(2)).fingerprint,
    );
  });
});
