import { describe, expect, it } from 'vitest';
import { decodeTensorData, encodeTensor, type WireTensor } from '../../src/runtime/tensor.codec';
import type { FieldIssue } from '../../src/runtime/runtime.errors';
import type { OipDatatype } from '../../src/runtime/tensor-datatype';

function decode(wire: WireTensor, datatype = wire.datatype as OipDatatype) {
  const issues: FieldIssue[] = [];
  const tensor = decodeTensorData(wire, datatype, 'inputs[0]', issues);
  return { tensor, issues };
}

/** The rule rawData always had: what Node decodes from the text must encode back to the very text. */
const canonical = (text: string) => text.length % 4 === 0 && Buffer.from(text, 'base64').toString('base64') === text;

describe('base64 rawData decoded straight into the tensor', () => {
  it('decodes a 1.2 MB FP32 image tensor exactly, into aligned storage of its own', () => {
    const values = Float32Array.from({ length: 3 * 320 * 320 }, (_, i) => Math.sin(i) * 1e3);
    const rawData = Buffer.from(values.buffer).toString('base64');
    const { tensor, issues } = decode({ name: 'x', datatype: 'FP32', shape: [1, 3, 320, 320], rawData });
    expect(issues).toEqual([]);
    const data = tensor!.data as Float32Array;
    expect(data).toBeInstanceOf(Float32Array);
    expect(data.byteOffset % 4).toBe(0);
    expect(Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(Buffer.from(values.buffer))).toBe(true);
    expect(encodeTensor(tensor!, true).rawData).toBe(rawData);
  });

  it('takes every byte length (1, 2 or 3 bytes in the last group) and 8-byte datatypes', () => {
    for (const [datatype, count] of [
      ['UINT8', 1],
      ['UINT8', 2],
      ['UINT8', 3],
      ['UINT8', 7],
      ['INT16', 5],
      ['FP64', 3],
      ['INT64', 2],
      ['UINT8', 0],
    ] as const) {
      const bytes = Buffer.from(
        Array.from(
          { length: count * ({ UINT8: 1, INT16: 2, FP64: 8, INT64: 8 } as const)[datatype] },
          (_, i) => (i * 37 + 11) & 0xff,
        ),
      );
      const rawData = bytes.toString('base64');
      const { tensor, issues } = decode({ name: 'x', datatype, shape: [count], rawData });
      expect(issues, `${datatype} × ${count}`).toEqual([]);
      const data = tensor!.data as Uint8Array;
      expect(Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(bytes)).toBe(true);
    }
  });

  it('refuses exactly what is not canonical base64, as before (mutations of a valid text)', () => {
    const valid = Buffer.from([1, 2, 3, 4, 250, 251, 252, 253, 254, 255, 0, 128, 7, 9]).toString('base64'); // 14 bytes: "=="
    const mutations = [
      valid,
      valid.replace('A', '-'),
      valid.replace(/.$/, '_'),
      valid.replace('+', '-').replace('/', '_'),
      `${valid.slice(0, 4)} ${valid.slice(5)}`,
      `${valid.slice(0, 4)}\n${valid.slice(5)}`,
      `${valid.slice(0, 4)}!${valid.slice(5)}`,
      `${valid.slice(0, 4)}=${valid.slice(5)}`,
      `${valid.slice(0, 8)}====${valid.slice(12)}`,
      valid.replace(/[A-Za-z0-9+/](==)$/, 'B$1'), // unused bits set in the last character
      valid.replace(/==$/, '=A'),
      valid.replace(/.==$/, '==='),
      valid.replace(/==$/, 'AA'),
      `${valid.slice(0, -4)}é${valid.slice(-3)}`,
    ];
    for (const text of mutations) {
      const { tensor, issues } = decode({ name: 'x', datatype: 'UINT8', shape: [14], rawData: text });
      const accepted = tensor !== undefined;
      const expected = canonical(text) && Buffer.from(text, 'base64').length === 14;
      expect(accepted, JSON.stringify(text)).toBe(expected);
      if (!accepted) expect(issues[0]!.field).toBe('inputs[0].rawData');
    }
    // A base64url character (which Node itself would decode) is refused with the field's message.
    expect(decode({ name: 'x', datatype: 'UINT8', shape: [14], rawData: mutations[1]! }).issues).toEqual([
      { field: 'inputs[0].rawData', message: 'is not base64' },
    ]);
  });

  it('tells a wrong byte count before decoding anything', () => {
    const rawData = Buffer.alloc(60).toString('base64');
    expect(decode({ name: 'x', datatype: 'FP32', shape: [16], rawData }).issues).toEqual([
      { field: 'inputs[0].rawData', message: 'raw data has 60 bytes, shape needs 16 × 4 = 64' },
    ]);
  });

  it('copies binary-extension bytes that start at an odd offset into aligned storage', () => {
    const values = Float64Array.from([Math.PI, -1.5, 1e308]);
    const body = Buffer.alloc(3 + values.byteLength);
    Buffer.from(values.buffer).copy(body, 3);
    const rawBytes = body.subarray(3);
    expect(rawBytes.byteOffset % 8).not.toBe(0);
    const { tensor, issues } = decode({ name: 'x', datatype: 'FP64', shape: [3], rawBytes });
    expect(issues).toEqual([]);
    const data = tensor!.data as Float64Array;
    expect(data.byteOffset % 8).toBe(0);
    expect(Array.from(data)).toEqual([Math.PI, -1.5, 1e308]);
  });
});
