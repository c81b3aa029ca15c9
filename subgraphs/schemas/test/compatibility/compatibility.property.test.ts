import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AvroFormat } from '../../src/compatibility/avro.format';
import { checkCompatibility } from '../../src/compatibility/compatibility.checker';
import { JsonSchemaFormat } from '../../src/compatibility/json-schema.format';
import type { CompatibilityMode, ParsedSchema, SchemaFormat } from '../../src/compatibility/schema-types';
import { COMPATIBILITY_MODES } from '../../src/compatibility/schema-types';

const json = new JsonSchemaFormat();
const avro = new AvroFormat();
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

// Schemas over a small vocabulary so that pairs often overlap; oneOf and if/then/else are left out
// on purpose: against each other they are compared branch by branch (Apicurio's verdicts), which
// is stricter in some places and looser in others than inclusion.
const jsonSchemaArb: fc.Arbitrary<unknown> = fc
  .letrec<{ node: unknown; leaf: unknown; object: unknown; array: unknown; comb: unknown }>((tie) => ({
    leaf: fc.oneof(
      fc.record(
        {
          type: fc.constant('string'),
          minLength: opt(fc.nat(3)),
          maxLength: opt(fc.integer({ min: 1, max: 6 })),
          pattern: opt(fc.constantFrom('^a', '^[a-z]*$')),
          format: opt(fc.constantFrom('email')),
        },
        { requiredKeys: ['type'] },
      ),
      fc.record(
        {
          type: fc.constantFrom<unknown>('number', 'integer', ['integer', 'string']),
          minimum: opt(fc.integer({ min: -5, max: 2 })),
          exclusiveMinimum: opt(fc.integer({ min: -5, max: 2 })),
          maximum: opt(fc.integer({ min: 0, max: 5 })),
          exclusiveMaximum: opt(fc.constantFrom(0, 1.5, 4)),
          multipleOf: opt(fc.constantFrom(1, 2, 0.5, 3)),
        },
        { requiredKeys: ['type'] },
      ),
      fc.constantFrom<unknown>(
        { type: 'boolean' },
        { type: 'null' },
        {},
        true,
        false,
        { type: ['string', 'null'] },
        { minLength: 2 },
        { maximum: 3 },
      ),
      fc.record({
        enum: fc.uniqueArray(fc.constantFrom<unknown>('a', 'b', 1, 2, null, true, 'abc', { a: 'a' }, [1]), {
          minLength: 1,
          maxLength: 3,
        }),
      }),
      fc.record({ const: fc.constantFrom<unknown>('a', 1, null) }),
    ),
    object: fc.record(
      {
        type: fc.constantFrom('object', undefined),
        properties: fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('node'), { maxKeys: 3 }),
        patternProperties: opt(fc.dictionary(fc.constantFrom('^a', '^b', 'c'), tie('leaf'), { maxKeys: 2 })),
        required: fc.subarray(['a', 'b', 'd']),
        additionalProperties: opt(fc.oneof(fc.boolean(), tie('leaf'))),
        minProperties: opt(fc.nat(2)),
        maxProperties: opt(fc.integer({ min: 1, max: 3 })),
        propertyNames: opt(fc.constantFrom({ maxLength: 1 }, { pattern: '^[ab]' })),
        dependencies: opt(
          fc.constantFrom<unknown>(
            { a: ['b'] },
            { a: { required: ['c'] } },
            { b: { properties: { c: { type: 'string' } } } },
          ),
        ),
      },
      { requiredKeys: ['properties'] },
    ),
    array: fc.oneof(
      fc.record(
        {
          type: fc.constant('array'),
          items: tie('node'),
          minItems: opt(fc.nat(2)),
          maxItems: opt(fc.integer({ min: 1, max: 4 })),
          uniqueItems: opt(fc.boolean()),
          contains: opt(tie('leaf')),
        },
        { requiredKeys: ['type'] },
      ),
      fc.record(
        {
          type: fc.constant('array'),
          items: fc.array(tie('leaf'), { minLength: 1, maxLength: 3 }),
          additionalItems: opt(fc.oneof(fc.boolean(), tie('leaf'))),
        },
        { requiredKeys: ['type', 'items'] },
      ),
    ),
    comb: fc.oneof(
      fc.record({ anyOf: fc.array(tie('leaf'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ allOf: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ not: tie('leaf') }),
      fc.record({ type: fc.constant('string'), allOf: fc.array(tie('leaf'), { minLength: 1, maxLength: 2 }) }),
    ),
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('object'), tie('array'), tie('comb')),
  }))
  .node.map((s) => JSON.parse(JSON.stringify(s)) as unknown);

const instanceArb: fc.Arbitrary<unknown> = fc
  .letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom<unknown>(
        null,
        true,
        false,
        0,
        1,
        2,
        -3,
        1.5,
        4,
        6,
        0.5,
        'a',
        'b',
        '',
        'abc',
        'abcdefg',
        'A1',
        'x@y.io',
        'ab',
      ),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'ab', 'ca', 'b1'), tie('value'), { maxKeys: 4 }),
      fc.array(tie('value'), { maxLength: 5 }),
    ),
  }))
  .value.map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const avroFieldArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  type: fc.constantFrom<unknown>(
    'int',
    'long',
    'float',
    'double',
    'string',
    'bytes',
    ['null', 'string'],
    ['null', 'int'],
    { type: 'enum', name: 'E', symbols: ['X', 'Y'] },
  ),
  withDefault: fc.boolean(),
});
const defaults: Record<string, unknown> = { int: 0, long: 0, float: 0, double: 0, string: '', bytes: '' };
const avroSchemaArb = fc.uniqueArray(avroFieldArb, { selector: (f) => f.name, maxLength: 4 }).map((fields) =>
  JSON.stringify({
    type: 'record',
    name: 'R',
    fields: fields.map((f) => {
      const type =
        Array.isArray(f.type) || typeof f.type === 'string' ? f.type : { ...(f.type as object), name: `E${f.name}` };
      const d = Array.isArray(f.type) ? null : typeof f.type === 'string' ? defaults[f.type] : 'X';
      return f.withDefault ? { name: f.name, type, default: d } : { name: f.name, type };
    }),
  }),
);

/** Keeps generated schemas the meta-schema accepts (the generator can produce e.g. `maxLength` below `minLength`, which is valid, or invalid ones). */
function parses(format: JsonSchemaFormat, text: string): boolean {
  try {
    format.parse(text);
    return true;
  } catch {
    return false;
  }
}

const cases: [string, SchemaFormat, fc.Arbitrary<string>][] = [
  ['JSON', json as unknown as SchemaFormat, jsonSchemaArb.map((s) => JSON.stringify(s)).filter((t) => parses(json, t))],
  ['AVRO', avro as unknown as SchemaFormat, avroSchemaArb],
];
const modeArb = fc.constantFrom(...COMPATIBILITY_MODES);
const history = (format: SchemaFormat, texts: string[]) =>
  texts.map((t, i) => ({ version: i + 1, schema: format.parse(t) as ParsedSchema }));

describe.each(cases)('%s compatibility properties', (_type, format, schemaArb) => {
  it('a schema is compatible with itself in every mode', () => {
    fc.assert(
      fc.property(schemaArb, modeArb, (text, mode) => {
        expect(checkCompatibility(format, mode, format.parse(text), history(format, [text])).compatible).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('NONE accepts any change', () => {
    fc.assert(
      fc.property(fc.array(schemaArb, { minLength: 1, maxLength: 3 }), schemaArb, (old, next) => {
        expect(checkCompatibility(format, 'NONE', format.parse(next), history(format, old)).compatible).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('a transitive verdict of compatible implies the non-transitive one', () => {
    fc.assert(
      fc.property(
        fc.array(schemaArb, { minLength: 1, maxLength: 3 }),
        schemaArb,
        fc.constantFrom<CompatibilityMode>('BACKWARD', 'FORWARD', 'FULL'),
        (old, next, mode) => {
          const h = history(format, old);
          const candidate = format.parse(next);
          const transitive = checkCompatibility(
            format,
            `${mode}_TRANSITIVE` as CompatibilityMode,
            candidate,
            h,
          ).compatible;
          if (transitive) expect(checkCompatibility(format, mode, candidate, h).compatible).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('verdicts are sound on real data', () => {
  it('JSON: when a reader is said to read a writer, every sampled document valid for the writer is valid for the reader', () => {
    fc.assert(
      // Half of the readers widen the writer, so that many pairs are compatible and get sampled.
      fc.property(
        jsonSchemaArb,
        jsonSchemaArb,
        fc.boolean(),
        fc.array(instanceArb, { minLength: 30, maxLength: 30 }),
        (w, other, widen, docs) => {
          if (!parses(json, JSON.stringify(w)) || !parses(json, JSON.stringify(other))) return;
          const writer = json.parse(JSON.stringify(w));
          const reader = json.parse(JSON.stringify(widen ? { anyOf: [w, other] } : other));
          if (json.readerIncompatibilities(reader, writer).length) return;
          for (const d of docs) if (json.validate(writer, d).length === 0) expect(json.validate(reader, d)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('AVRO: when compatible, random records written with the writer decode with the reader', () => {
    fc.assert(
      fc.property(avroSchemaArb, avroSchemaArb, (w, r) => {
        const writer = avro.parse(w);
        const reader = avro.parse(r);
        fc.pre(avro.readerIncompatibilities(reader, writer).length === 0);
        const resolver = reader.avroType.createResolver(writer.avroType);
        for (let i = 0; i < 5; i++) {
          const value = writer.avroType.random();
          expect(reader.avroType.isValid(reader.avroType.fromBuffer(writer.avroType.toBuffer(value), resolver))).toBe(
            true,
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
