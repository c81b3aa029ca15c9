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

const jsonSchemaArb: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown; object: unknown; array: unknown; anyOf: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(
    fc.record({ type: fc.constant('string'), minLength: opt(fc.nat(3)), maxLength: opt(fc.integer({ min: 3, max: 6 })), pattern: opt(fc.constantFrom('^a', '^[a-z]*$')) }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constantFrom('number', 'integer'), minimum: opt(fc.integer({ min: -5, max: 0 })), maximum: opt(fc.integer({ min: 0, max: 5 })), multipleOf: opt(fc.constantFrom(1, 2, 0.5)) }, { requiredKeys: ['type'] }),
    fc.constantFrom({ type: 'boolean' }, { type: 'null' }, {}, { type: ['string', 'null'] }),
    fc.record({ enum: fc.uniqueArray(fc.constantFrom<unknown>('a', 'b', 1, 2, null, true), { minLength: 1, maxLength: 3 }) }),
  ),
  object: fc.record(
    {
      type: fc.constant('object'),
      properties: fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('node'), { maxKeys: 3 }),
      required: fc.subarray(['a', 'b']),
      additionalProperties: fc.oneof(fc.boolean(), tie('leaf')),
    },
    { requiredKeys: ['type', 'properties'] },
  ),
  array: fc.record({ type: fc.constant('array'), items: tie('node'), minItems: opt(fc.nat(2)), maxItems: opt(fc.integer({ min: 2, max: 4 })) }, { requiredKeys: ['type'] }),
  anyOf: fc.record({ anyOf: fc.array(tie('leaf'), { minLength: 1, maxLength: 3 }) }),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('object'), tie('array'), tie('anyOf')),
})).node;

const instanceArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<unknown>(null, true, false, 0, 1, 2, -3, 1.5, 4, 'a', 'b', '', 'abc', 'abcdefg', 'A1'),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
    fc.array(tie('value'), { maxLength: 5 }),
  ),
})).value;

const avroFieldArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  type: fc.constantFrom<unknown>('int', 'long', 'float', 'double', 'string', 'bytes', ['null', 'string'], ['null', 'int'], { type: 'enum', name: 'E', symbols: ['X', 'Y'] }),
  withDefault: fc.boolean(),
});
const defaults: Record<string, unknown> = { int: 0, long: 0, float: 0, double: 0, string: '', bytes: '' };
const avroSchemaArb = fc.uniqueArray(avroFieldArb, { selector: (f) => f.name, maxLength: 4 }).map((fields) =>
  JSON.stringify({
    type: 'record',
    name: 'R',
    fields: fields.map((f) => {
      const type = Array.isArray(f.type) || typeof f.type === 'string' ? f.type : { ...(f.type as object), name: `E${f.name}` };
      const d = Array.isArray(f.type) ? null : typeof f.type === 'string' ? defaults[f.type] : 'X';
      return f.withDefault ? { name: f.name, type, default: d } : { name: f.name, type };
    }),
  }),
);

const cases: [string, SchemaFormat, fc.Arbitrary<string>][] = [
  ['JSON', json as unknown as SchemaFormat, jsonSchemaArb.map((s) => JSON.stringify(s))],
  ['AVRO', avro as unknown as SchemaFormat, avroSchemaArb],
];
const modeArb = fc.constantFrom(...COMPATIBILITY_MODES);
const history = (format: SchemaFormat, texts: string[]) => texts.map((t, i) => ({ version: i + 1, schema: format.parse(t) as ParsedSchema }));

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
      fc.property(fc.array(schemaArb, { minLength: 1, maxLength: 3 }), schemaArb, fc.constantFrom<CompatibilityMode>('BACKWARD', 'FORWARD', 'FULL'), (old, next, mode) => {
        const h = history(format, old);
        const candidate = format.parse(next);
        const transitive = checkCompatibility(format, `${mode}_TRANSITIVE` as CompatibilityMode, candidate, h).compatible;
        if (transitive) expect(checkCompatibility(format, mode, candidate, h).compatible).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('verdicts are sound on real data', () => {
  it('JSON: when a reader is said to read a writer, every sampled document valid for the writer is valid for the reader', () => {
    fc.assert(
      // Half of the readers widen the writer, so that many pairs are compatible and get sampled.
      fc.property(jsonSchemaArb, jsonSchemaArb, fc.boolean(), fc.array(instanceArb, { minLength: 20, maxLength: 20 }), (w, other, widen, docs) => {
        const writer = json.parse(JSON.stringify(w));
        const reader = json.parse(JSON.stringify(widen ? { anyOf: [w, other] } : other));
        if (json.readerIncompatibilities(reader, writer).length) return;
        for (const d of docs) if (json.validate(writer, d).length === 0) expect(json.validate(reader, d)).toEqual([]);
      }),
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
          expect(reader.avroType.isValid(reader.avroType.fromBuffer(writer.avroType.toBuffer(value), resolver))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
