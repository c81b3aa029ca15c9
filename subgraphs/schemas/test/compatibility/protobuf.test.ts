import { describe, expect, it } from 'vitest';
import { ProtobufFormat } from '../../src/compatibility/protobuf.format';

const format = new ProtobufFormat();
const proto = (body: string) => `syntax = "proto3";\npackage aic.telemetry;\n${body}`;
const v1 = proto('message Reading { string sensor = 1; int32 value = 2; repeated string tags = 3; }');

function directions(oldText: string, newText: string): [boolean, boolean] {
  const o = format.parse(oldText);
  const n = format.parse(newText);
  return [format.readerIncompatibilities(n, o).length === 0, format.readerIncompatibilities(o, n).length === 0];
}

describe('Protobuf compatibility (wire rules)', () => {
  it('adding and removing optional fields is fully compatible', () => {
    expect(
      directions(
        v1,
        proto('message Reading { string sensor = 1; int32 value = 2; repeated string tags = 3; string unit = 4; }'),
      ),
    ).toEqual([true, true]);
    expect(directions(v1, proto('message Reading { string sensor = 1; repeated string tags = 3; }'))).toEqual([
      true,
      true,
    ]);
  });

  it('renaming a field keeps the wire format', () => {
    expect(
      directions(v1, proto('message Reading { string sensor_id = 1; int32 value = 2; repeated string tags = 3; }')),
    ).toEqual([true, true]);
  });

  it('int32 to int64 is wire-compatible, int32 to string is not', () => {
    expect(
      directions(v1, proto('message Reading { string sensor = 1; int64 value = 2; repeated string tags = 3; }')),
    ).toEqual([true, true]);
    const o = format.parse(v1);
    const n = format.parse(proto('message Reading { string sensor = 1; string value = 2; repeated string tags = 3; }'));
    expect(format.readerIncompatibilities(n, o)).toEqual([
      {
        path: '#/aic.telemetry.Reading/value',
        message: 'field 2 changed type from int32 to string (not wire-compatible)',
      },
    ]);
  });

  it('removing a message or changing the package is incompatible', () => {
    expect(
      directions(
        proto('message A { string x = 1; }\nmessage B { string y = 1; }'),
        proto('message A { string x = 1; }'),
      ),
    ).toEqual([false, true]);
    const moved = format.readerIncompatibilities(
      format.parse(v1.replace('aic.telemetry', 'aic.metrics')),
      format.parse(v1),
    );
    expect(moved).toEqual([{ path: '#/aic.telemetry.Reading', message: 'message aic.telemetry.Reading was removed' }]);
  });

  it('proto2 required fields cannot be added', () => {
    const o = 'syntax = "proto2"; message R { optional string a = 1; }';
    const n = 'syntax = "proto2"; message R { optional string a = 1; required int32 b = 2; }';
    expect(directions(o, n)).toEqual([false, true]);
  });

  it('validates records against the first message and rejects bad files', () => {
    const s = format.parse(v1);
    expect(format.validate(s, { sensor: 's', value: 3, tags: ['a'] })).toEqual([]);
    expect(format.validate(s, { sensor: 's', value: 'x' })).toEqual([{ path: '/value', message: 'integer expected' }]);
    expect(() => format.parse('message {')).toThrow(/not a valid .proto file/);
  });

  it('imports referenced files', () => {
    const unit = { name: 'unit.proto', subject: 'unit', version: 1, schema: proto('enum Unit { C = 0; F = 1; }') };
    const s = format.parse(proto('import "unit.proto";\nmessage Reading { Unit unit = 1; }'), [unit]);
    expect(s.messages).toEqual(['.aic.telemetry.Reading']);
    expect(format.validate(s, { unit: 'F' })).toEqual([]);
  });
});

describe('Protobuf records with fields and enum names like Object members', () => {
  const PROTO_KEYS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

  it('a record without such an optional field is valid; with one, its value is checked', () => {
    for (const name of PROTO_KEYS) {
      const s = format.parse(proto(`message R { string ${name} = 1; int32 n = 2; }`));
      expect([name, format.validate(s, {})]).toEqual([name, []]);
      expect([name, format.validate(s, { n: 1 })]).toEqual([name, []]);
      expect([name, format.validate(s, { [name]: 'x' })]).toEqual([name, []]);
      expect([name, format.validate(s, { [name]: 5 })]).toEqual([
        name,
        [{ path: `/${name}`, message: 'string expected' }],
      ]);
    }
  });

  it('an enum takes its own names only, wherever the field is (single, repeated, map, nested)', () => {
    const s = format.parse(
      proto(
        'enum S { A = 0; B = 1; } message R { S s = 1; repeated S r = 2; map<string, S> m = 3; Inner i = 4; } message Inner { S s = 1; }',
      ),
    );
    expect(format.validate(s, { s: 'B', r: ['A', 'B'], m: { k: 'B' }, i: { s: 'A' } })).toEqual([]);
    for (const name of [...PROTO_KEYS, '__proto__', '1']) {
      expect([name, format.validate(s, { s: name })]).toEqual([name, [{ path: '/s', message: 'enum value expected' }]]);
      expect([name, format.validate(s, { r: ['A', name] })]).toEqual([
        name,
        [{ path: '/r', message: 'enum value[] expected' }],
      ]);
      expect([name, format.validate(s, { i: { s: name } })]).toEqual([
        name,
        [{ path: '/i/s', message: 'enum value expected' }],
      ]);
      expect([name, format.validate(s, { m: { k: name } })]).toEqual([
        name,
        [{ path: '/m', message: 'enum value{k:string} expected' }],
      ]);
    }
    // An enum may name its values so: those are its own.
    const own = format.parse(proto('enum S { constructor = 0; toString = 1; } message R { S s = 1; }'));
    expect(format.validate(own, { s: 'toString' })).toEqual([]);
  });
});
