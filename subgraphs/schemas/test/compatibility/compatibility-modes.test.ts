import { describe, expect, it } from 'vitest';
import { AvroFormat } from '../../src/compatibility/avro.format';
import { checkCompatibility, modeRule } from '../../src/compatibility/compatibility.checker';
import { JsonSchemaFormat } from '../../src/compatibility/json-schema.format';
import type { ParsedJsonSchema } from '../../src/compatibility/json-schema.format';

const json = new JsonSchemaFormat();
const closed = (props: Record<string, unknown>, required: string[] = []) =>
  json.parse(JSON.stringify({ type: 'object', properties: props, required, additionalProperties: false }));

describe('compatibility modes', () => {
  const v1 = closed({ id: { type: 'string' } }, ['id']);
  const v2 = closed({ id: { type: 'string' }, note: { type: 'string' } }, ['id']);
  // v3 drops "note" again but requires nothing new: reads v2 data? No: v2 data may carry "note".
  const v3 = closed({ id: { type: 'string' }, score: { type: 'number' } }, ['id']);
  const history = [
    { version: 1, schema: v1 },
    { version: 2, schema: v2 },
  ];

  it('BACKWARD compares with the latest version only, BACKWARD_TRANSITIVE with all', () => {
    const latestOnly = [{ version: 1, schema: v1 }];
    expect(checkCompatibility(json, 'BACKWARD', v3, latestOnly).compatible).toBe(true);
    const r = checkCompatibility(json, 'BACKWARD', v3, history);
    expect(r.compatible).toBe(false);
    expect(r.messages).toEqual([
      'the new schema cannot read data written with version 2: #/properties/note the reader accepts nothing here, the writer does',
    ]);
    expect(checkCompatibility(json, 'BACKWARD_TRANSITIVE', v3, history).violations.map((v) => v.version)).toEqual([2]);
  });

  it('FORWARD checks that old readers read new data; FULL checks both', () => {
    expect(checkCompatibility(json, 'FORWARD', v1, [{ version: 1, schema: v2 }]).compatible).toBe(true);
    expect(checkCompatibility(json, 'FORWARD', v2, [{ version: 1, schema: v1 }]).violations).toEqual([
      {
        path: '#/properties/note',
        message: 'the reader accepts nothing here, the writer does',
        version: 1,
        direction: 'FORWARD',
      },
    ]);
    expect(
      checkCompatibility(json, 'FULL', v2, [{ version: 1, schema: v1 }]).violations.map((v) => v.direction),
    ).toEqual(['FORWARD']);
  });

  it('transitive modes report each earlier version that breaks, newest first', () => {
    const avro = new AvroFormat();
    const rec = (fields: unknown[]) => avro.parse(JSON.stringify({ type: 'record', name: 'R', fields }));
    const a = rec([{ name: 'x', type: 'int' }]);
    const b = rec([
      { name: 'x', type: 'int' },
      { name: 'y', type: 'string', default: '' },
    ]);
    const c = rec([{ name: 'y', type: 'string' }]);
    const r = checkCompatibility(avro, 'FORWARD_TRANSITIVE', c, [
      { version: 1, schema: a },
      { version: 2, schema: b },
    ]);
    expect(r.violations.map((v) => [v.version, v.path])).toEqual([
      [2, '#/fields/x'],
      [1, '#/fields/x'],
    ]);
  });

  it('NONE checks nothing and an empty history is always compatible', () => {
    const text = json.parse('{"type":"integer"}') as ParsedJsonSchema;
    expect(checkCompatibility(json, 'NONE', text, history).compatible).toBe(true);
    expect(checkCompatibility(json, 'FULL_TRANSITIVE', text, []).compatible).toBe(true);
    expect(modeRule('FULL_TRANSITIVE')).toEqual({ backward: true, forward: true, transitive: true });
  });
});
