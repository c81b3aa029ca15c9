import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/math/rng';
import { generateAvroRecords } from '../src/schema-driven/avro.generator';
import { compileJsonSchema, generateJsonRecords } from '../src/schema-driven/json-schema.generator';
import { generateFromPattern, MAX_GENERATED_LENGTH } from '../src/schema-driven/regex.generator';

const orderSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['id', 'email', 'placedAt', 'status', 'total', 'lines', 'customer'],
  additionalProperties: false,
  $defs: { sku: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' } },
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string', format: 'email' },
    placedAt: { type: 'string', format: 'date-time' },
    status: { enum: ['NEW', 'PAID', 'SHIPPED'] },
    total: { type: 'number', exclusiveMinimum: 0, maximum: 10000, multipleOf: 0.01 },
    priority: { type: 'integer', minimum: 1, maximum: 5 },
    note: { type: ['string', 'null'], maxLength: 40 },
    customer: {
      type: 'object',
      required: ['name', 'country'],
      properties: {
        name: { type: 'string', minLength: 2, maxLength: 30 },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
    },
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: 5,
      items: {
        type: 'object',
        required: ['sku', 'qty'],
        properties: { sku: { $ref: '#/$defs/sku' }, qty: { type: 'integer', minimum: 1 } },
      },
    },
    tags: {
      type: 'array',
      items: { type: 'string', enum: ['gift', 'rush', 'fragile'] },
      uniqueItems: true,
      maxItems: 3,
    },
    payment: {
      oneOf: [
        {
          type: 'object',
          required: ['card'],
          properties: { card: { type: 'string', pattern: '^\\d{16}$' } },
          additionalProperties: false,
        },
        {
          type: 'object',
          required: ['iban'],
          properties: { iban: { type: 'string', pattern: '^[A-Z]{2}\\d{2}[A-Z0-9]{10,20}$' } },
          additionalProperties: false,
        },
      ],
    },
  },
};

describe('schema-driven synthesis', () => {
  it('generates JSON Schema records that all validate, deterministically', () => {
    const records = generateJsonRecords(orderSchema, 300, 21);
    const validate = compileJsonSchema(orderSchema);
    for (const record of records) expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(generateJsonRecords(orderSchema, 300, 21)).toEqual(records);
    expect(new Set(records.map((r) => (r as { status: string }).status)).size).toBe(3);
  });

  it('generates draft-07 records with nesting and local refs', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      definitions: {
        point: {
          type: 'object',
          properties: { x: { type: 'number', minimum: -1, maximum: 1 }, y: { type: 'number' } },
          required: ['x', 'y'],
        },
      },
      type: 'object',
      properties: {
        path: { type: 'array', items: { $ref: '#/definitions/point' }, minItems: 2 },
        closed: { type: 'boolean' },
      },
      required: ['path', 'closed'],
    };
    const validate = compileJsonSchema(schema);
    for (const record of generateJsonRecords(schema, 100, 3)) expect(validate(record)).toBe(true);
  });

  it('rejects unsupported patterns and invalid schemas with the schema field', () => {
    expect(() => generateJsonRecords({ type: 'string', pattern: '(?=a)b' }, 1, 1)).toThrow(
      expect.objectContaining({ field: 'schema' }),
    );
    expect(() => generateJsonRecords({ type: 'nonsense' }, 1, 1)).toThrow(expect.objectContaining({ field: 'schema' }));
  });

  it('generates strings for regex patterns', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      expect(generateFromPattern('^(ab|cd)[x-z]{2,3}\\d+$', rng)).toMatch(/^(ab|cd)[x-z]{2,3}\d+$/);
      expect(generateFromPattern('^(?<area>\\d{3})-(?:x|y)$', rng)).toMatch(/^\d{3}-(x|y)$/);
    }
  });

  it('bounds generated strings: multiplying repetitions draw from their low end, impossible lengths are refused', () => {
    const rng = new Rng(2);
    for (const pattern of ['^(a{0,1000}){0,1000}$', '^((((((a*)*)*)*)*)*)$', '^[a-z]{1,100000}$', '^(x{1,1000}){5}$']) {
      for (let i = 0; i < 20; i++) {
        const s = generateFromPattern(pattern, rng);
        expect(s.length).toBeLessThanOrEqual(MAX_GENERATED_LENGTH);
        expect(s).toMatch(new RegExp(pattern, 'u'));
      }
    }
    expect(() => generateFromPattern('^(a{1000}){1000}$', rng)).toThrow(
      /shortest matches are longer than 10000 characters/,
    );
    expect(() => generateFromPattern(`(${'a'.repeat(2000)})`, rng)).toThrow(/longer than 1000 characters/);
  });

  it('refuses schemas with no finite value instead of recursing without end', () => {
    expect(() =>
      generateJsonRecords({ type: 'object', properties: { c: { $ref: '#' } }, required: ['c'] }, 1, 1),
    ).toThrow(
      expect.objectContaining({
        field: 'schema',
        message: expect.stringMatching(/no value nested less than 100 levels/),
      }),
    );
    expect(() => generateJsonRecords({ $ref: '#' }, 1, 1)).toThrow(expect.objectContaining({ field: 'schema' }));
    expect(() => generateAvroRecords({ type: 'record', name: 'R', fields: [{ name: 'r', type: 'R' }] }, 1, 1)).toThrow(
      expect.objectContaining({
        field: 'schema',
        message: expect.stringMatching(/no value nested less than 100 levels/),
      }),
    );
  });

  it('generates Avro records that avsc reads back and validates', () => {
    const schema = {
      type: 'record',
      name: 'Reading',
      namespace: 'aic.iot',
      fields: [
        { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'day', type: { type: 'int', logicalType: 'date' } },
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['TEMP', 'HUMIDITY'] } },
        { name: 'value', type: 'double' },
        { name: 'raw', type: 'bytes' },
        { name: 'mac', type: { type: 'fixed', name: 'Mac', size: 6 } },
        { name: 'labels', type: { type: 'map', values: 'string' } },
        { name: 'samples', type: { type: 'array', items: 'float' } },
        {
          name: 'location',
          type: [
            'null',
            {
              type: 'record',
              name: 'Location',
              fields: [
                { name: 'lat', type: 'double' },
                { name: 'lon', type: 'double' },
              ],
            },
          ],
        },
        { name: 'parent', type: ['null', 'Reading'], default: null },
      ],
    };
    const type = avro.Type.forSchema(schema as avro.Schema);
    const records = generateAvroRecords(schema, 200, 8);
    for (const record of records) expect(type.isValid(type.fromString(JSON.stringify(record)))).toBe(true);
    expect(generateAvroRecords(schema, 200, 8)).toEqual(records);
  });
});
