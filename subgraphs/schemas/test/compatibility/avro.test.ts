import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroRabinFingerprint } from '../../src/compatibility/avro-rabin';
import { AvroFormat } from '../../src/compatibility/avro.format';

const format = new AvroFormat();
const record = (fields: unknown[], name = 'Reading') =>
  JSON.stringify({ type: 'record', name, namespace: 'io.aic', fields });

/** [can the new schema read old data (BACKWARD), can the old schema read new data (FORWARD)] */
function directions(oldText: string, newText: string): [boolean, boolean] {
  const o = format.parse(oldText);
  const n = format.parse(newText);
  return [format.readerIncompatibilities(n, o).length === 0, format.readerIncompatibilities(o, n).length === 0];
}

describe('Avro schema resolution, both directions', () => {
  const base = record([{ name: 'sensor', type: 'string' }]);

  it('adding a field with a default is fully compatible', () => {
    expect(
      directions(
        base,
        record([
          { name: 'sensor', type: 'string' },
          { name: 'unit', type: 'string', default: 'C' },
        ]),
      ),
    ).toEqual([true, true]);
  });

  it('adding a field without a default breaks backward only', () => {
    expect(
      directions(
        base,
        record([
          { name: 'sensor', type: 'string' },
          { name: 'unit', type: 'string' },
        ]),
      ),
    ).toEqual([false, true]);
  });

  it('removing a field without a default breaks forward only', () => {
    expect(
      directions(
        record([
          { name: 'sensor', type: 'string' },
          { name: 'unit', type: 'string' },
        ]),
        base,
      ),
    ).toEqual([true, false]);
  });

  it('removing a field that had a default is fully compatible', () => {
    expect(
      directions(
        record([
          { name: 'sensor', type: 'string' },
          { name: 'unit', type: 'string', default: 'C' },
        ]),
        base,
      ),
    ).toEqual([true, true]);
  });

  it('promotes int to long, float and double, and float to double; never the reverse', () => {
    for (const wider of ['long', 'float', 'double']) {
      expect(directions(record([{ name: 'v', type: 'int' }]), record([{ name: 'v', type: wider }]))).toEqual([
        true,
        false,
      ]);
    }
    expect(directions(record([{ name: 'v', type: 'float' }]), record([{ name: 'v', type: 'double' }]))).toEqual([
      true,
      false,
    ]);
  });

  it('reads string and bytes as each other', () => {
    expect(directions(record([{ name: 'v', type: 'string' }]), record([{ name: 'v', type: 'bytes' }]))).toEqual([
      true,
      true,
    ]);
  });

  it('adding an enum symbol breaks forward unless the reader has an enum default', () => {
    const e = (symbols: string[], extra: Record<string, unknown> = {}) =>
      record([{ name: 'unit', type: { type: 'enum', name: 'Unit', symbols, ...extra } }]);
    expect(directions(e(['C', 'F']), e(['C', 'F', 'K']))).toEqual([true, false]);
    expect(directions(e(['C', 'F', 'K']), e(['C', 'F']))).toEqual([false, true]);
    expect(directions(e(['C', 'F'], { default: 'C' }), e(['C', 'F', 'K'], { default: 'C' }))).toEqual([true, true]);
  });

  it('widening a union breaks forward; a type becoming a union containing it breaks forward', () => {
    expect(
      directions(
        record([{ name: 'v', type: ['null', 'string'] }]),
        record([{ name: 'v', type: ['null', 'string', 'int'] }]),
      ),
    ).toEqual([true, false]);
    expect(
      directions(
        record([{ name: 'v', type: 'string' }]),
        record([{ name: 'v', type: ['null', 'string'], default: null }]),
      ),
    ).toEqual([true, false]);
    expect(
      directions(record([{ name: 'v', type: ['null', 'string'] }]), record([{ name: 'v', type: ['null', 'int'] }])),
    ).toEqual([false, false]);
  });

  it('renaming a record needs an alias', () => {
    const renamed = JSON.stringify({
      type: 'record',
      name: 'Measurement',
      namespace: 'io.aic',
      fields: [{ name: 'sensor', type: 'string' }],
    });
    expect(directions(base, renamed)[0]).toBe(false);
    const aliased = JSON.stringify({
      type: 'record',
      name: 'Measurement',
      namespace: 'io.aic',
      aliases: ['io.aic.Reading'],
      fields: [{ name: 'sensor', type: 'string' }],
    });
    expect(directions(base, aliased)[0]).toBe(true);
  });

  it('says which field breaks and why', () => {
    const o = format.parse(base);
    const n = format.parse(
      record([
        { name: 'sensor', type: 'string' },
        { name: 'unit', type: 'string' },
        { name: 'v', type: 'int', default: 0 },
      ]),
    );
    expect(format.readerIncompatibilities(n, o)).toEqual([
      { path: '#/fields/unit', message: 'field "unit" is missing from the writer and has no default in the reader' },
    ]);
  });
});

describe('Avro parsing, identity and validation', () => {
  it('rejects invalid schemas with the reason', () => {
    expect(() => format.parse('{"type":"record","name":"R"}')).toThrow(/not a valid Avro schema/);
    expect(() => format.parse('{not json')).toThrow(/not valid JSON/);
  });

  it('gives the same canonical form regardless of formatting, a different one when a default changes', () => {
    const a = format.parse('{"type":"record","name":"R","fields":[{"name":"x","type":"int","default":1}]}');
    const b = format.parse(
      '{ "fields": [ { "type": {"type":"int"}, "name": "x", "default": 1 } ], "name": "R", "type": "record" }',
    );
    const c = format.parse('{"type":"record","name":"R","fields":[{"name":"x","type":"int","default":2}]}');
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
    expect(c.parsingCanonicalForm).toBe('{"name":"R","type":"record","fields":[{"name":"x","type":"int"}]}');
    expect(c.rabinFingerprint).toBe(a.rabinFingerprint);
  });

  it('computes the specification CRC-64-AVRO fingerprint', () => {
    // Values from Apache Avro's share/test/data/schema-tests.txt.
    expect(avroRabinFingerprint('"int"')).toBe(BigInt.asUintN(64, 8247732601305521295n).toString(16).padStart(16, '0'));
    expect(avroRabinFingerprint('"null"')).toBe(
      BigInt.asUintN(64, 7195948357588979594n).toString(16).padStart(16, '0'),
    );
  });

  it('validates records as plain JSON and in Avro JSON encoding', () => {
    const s = format.parse(
      record([
        { name: 'sensor', type: 'string' },
        { name: 'value', type: ['null', 'double'], default: null },
      ]),
    );
    expect(format.validate(s, { sensor: 'a', value: 1.5 })).toEqual([]);
    expect(format.validate(s, { sensor: 'a', value: { double: 1.5 } })).toEqual([]);
    expect(format.validate(s, { sensor: 3, value: 'x' })).toEqual([
      { path: '/sensor', message: '3 is not a valid "string"' },
      { path: '/value', message: '"x" is not a valid ["null","double"]' },
    ]);
  });

  it('resolves named types from referenced schemas', () => {
    const unit = {
      name: 'unit.avsc',
      subject: 'unit',
      version: 1,
      schema: '{"type":"enum","name":"io.aic.Unit","symbols":["C","F"]}',
    };
    const s = format.parse(record([{ name: 'unit', type: 'io.aic.Unit' }]), [unit]);
    expect(format.validate(s, { unit: 'C' })).toEqual([]);
    expect(() => format.parse(record([{ name: 'unit', type: 'io.aic.Unit' }]))).toThrow(/undefined type name/);
  });

  it('decodes data written with the old schema through the new schema when compatible', () => {
    const o = format.parse(
      record([
        { name: 'sensor', type: 'string' },
        { name: 'v', type: 'int' },
      ]),
    );
    const n = format.parse(
      record([
        { name: 'sensor', type: 'string' },
        { name: 'v', type: 'long' },
        { name: 'unit', type: 'string', default: 'C' },
      ]),
    );
    const buf = o.avroType.toBuffer({ sensor: 's1', v: 7 });
    const resolver = n.avroType.createResolver(o.avroType);
    expect(n.avroType.fromBuffer(buf, resolver)).toEqual({ sensor: 's1', v: 7, unit: 'C' });
    expect(avsc.Type.isType(n.avroType)).toBe(true);
  });
});
