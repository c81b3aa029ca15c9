import { afterAll, assert, describe, expect, it } from 'vitest';
import { fromFloat16Bits, toFloat16Bits } from '../../src/runtime/float16';
import { buildInferResponse, parseInferRequest, wantsBinary } from '../../src/runtime/oip-binary.codec';
import { RuntimeInputError, TensorValidationError } from '../../src/runtime/runtime.errors';
import { SessionManager } from '../../src/runtime/session.manager';
import { encodeTensor, type WireTensor } from '../../src/runtime/tensor.codec';
import { decodeInputs } from '../../src/runtime/tensor.validator';
import type { ModelSignature } from '../../src/runtime/model-signature';
import { buildIdentityModel } from '../support/onnx-model.builder';

const SAMPLES: Record<string, unknown[]> = {
  BOOL: [true, false, true, true, false, false],
  UINT8: [0, 1, 127, 128, 254, 255],
  UINT16: [0, 1, 300, 40000, 65534, 65535],
  UINT32: [0, 1, 70000, 2147483648, 4000000000, 4294967295],
  UINT64: [0, 1, 9007199254740991, '9007199254740993', '18446744073709551615', 42],
  INT8: [-128, -1, 0, 1, 100, 127],
  INT16: [-32768, -1, 0, 1, 12345, 32767],
  INT32: [-2147483648, -1, 0, 1, 123456789, 2147483647],
  INT64: ['-9223372036854775808', -1, 0, 1, '9223372036854775807', -9007199254740991],
  FP16: [0, -2, 0.5, 65504, 0.333251953125, 'Infinity'],
  FP32: [0, -1.5, 3.4028234663852886e38, 1.401298464324817e-45, 0.10000000149011612, 'NaN'],
  FP64: [0, -1.5, Math.PI, 1e308, 5e-324, '-Infinity'],
  BYTES: ['', 'a', 'héllo', 'x'.repeat(300), '{"json": true}', '🙂'],
};

describe('tensor codec through real identity models', () => {
  const sessions = new SessionManager({ maxBytes: 1 << 22 });
  afterAll(() => sessions.close());

  for (const [datatype, values] of Object.entries(SAMPLES)) {
    it(`round-trips ${datatype} as JSON data and as rawData`, async () => {
      await sessions.load(datatype, { bytes: buildIdentityModel(datatype as 'FP32', [2, 'n']) });
      const signature = sessions.get(datatype).signature;
      const json = decodeInputs(
        [{ name: 'input', datatype, shape: [2, 3], data: [values.slice(0, 3), values.slice(3)] }],
        signature,
      );
      const [out] = await sessions.run(datatype, json);
      assert.isDefined(out);
      const asJson = encodeTensor(out, false);
      expect(asJson).toEqual({ name: 'output', datatype, shape: [2, 3], data: values });
      const asRaw = encodeTensor(out, true);
      const again = decodeInputs([{ name: 'input', datatype, shape: [2, 3], rawData: asRaw.rawData }], signature);
      const [out2] = await sessions.run(datatype, again);
      assert.isDefined(out2);
      expect(encodeTensor(out2, false).data).toEqual(values);
      expect(encodeTensor(out2, true).rawData).toBe(asRaw.rawData);
    });
  }
});

describe('tensor codec through identity models on a session thread', () => {
  // Every warm-up takes longer than this (and none counts as short): each session runs on a thread of its own (worker.session.ts),
  // so tensors cross the thread boundary both ways. FP16 there too: on Node 24 onnxruntime-common
  // makes Float16Arrays, which the binding cannot read and the codec must not take for bits.
  const sessions = new SessionManager({ maxBytes: 1 << 22, ownThreadRunMs: 1e-9, shortRunMs: 0 });
  afterAll(() => sessions.close());

  for (const datatype of ['FP16', 'FP32', 'INT64', 'BYTES']) {
    it(`round-trips ${datatype} on a session thread`, async () => {
      const values = SAMPLES[datatype]!;
      await sessions.load(datatype, { bytes: buildIdentityModel(datatype as 'FP32', [2, 'n']) });
      const signature = sessions.get(datatype).signature;
      const json = decodeInputs(
        [{ name: 'input', datatype, shape: [2, 3], data: [values.slice(0, 3), values.slice(3)] }],
        signature,
      );
      const [out] = await sessions.run(datatype, json);
      assert.isDefined(out);
      expect(encodeTensor(out, false)).toEqual({ name: 'output', datatype, shape: [2, 3], data: values });
      expect(sessions.status(datatype)).toMatchObject({ state: 'READY', ownThread: true });
    });
  }
});

describe('float16', () => {
  it('rounds to nearest even and handles subnormals, overflow and NaN', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(70000)).toBe(0x7c00);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
    for (let bits = 0; bits < 0x7c00; bits += 37) expect(toFloat16Bits(fromFloat16Bits(bits))).toBe(bits);
  });
});

describe('validation against a signature', () => {
  const signature: ModelSignature = {
    inputs: [
      { name: 'x', datatype: 'FP32', shape: ['batch', 3] },
      { name: 'h', datatype: 'FP32', shape: [2, 'batch', 4] },
      { name: 'sr', datatype: 'INT64', shape: [] },
    ],
    outputs: [],
  };
  const ok: [WireTensor, WireTensor, WireTensor] = [
    { name: 'x', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
    { name: 'h', datatype: 'FP32', shape: [2, 2, 4], rawData: Buffer.alloc(64).toString('base64') },
    { name: 'sr', datatype: 'INT64', shape: [1], data: [16000] },
  ];

  function issuesOf(inputs: WireTensor[]) {
    try {
      decodeInputs(inputs, signature);
    } catch (error) {
      expect(error).toBeInstanceOf(TensorValidationError);
      return (error as TensorValidationError).issues;
    }
    throw new Error('expected a TensorValidationError');
  }

  it('decodes valid tensors in signature order, a [1] scalar as a scalar', () => {
    const decoded = decodeInputs([ok[2]!, ok[0]!, ok[1]!], signature);
    expect(decoded.map((t) => [t.name, t.shape])).toEqual([
      ['x', [2, 3]],
      ['h', [2, 2, 4]],
      ['sr', []],
    ]);
    expect(decoded[2]!.data).toEqual(new BigInt64Array([16000n]));
  });

  it('refuses wrong names, datatypes, shapes, symbolic mismatches and lengths with details', () => {
    expect(issuesOf([{ ...ok[0], name: 'X' }, ok[1]!, ok[2]!])).toEqual([
      { field: 'inputs[0].name', message: 'unknown input "X"; the model takes "x", "h", "sr"' },
      { field: 'inputs', message: 'missing input "x" (FP32 [batch, 3])' },
    ]);
    expect(issuesOf([{ ...ok[0], datatype: 'FP64' }, ok[1]!, ok[2]!])).toEqual([
      { field: 'inputs[0].datatype', message: 'is FP64, "x" expects FP32' },
    ]);
    expect(issuesOf([{ ...ok[0], datatype: 'FLOAT' }, ok[1]!, ok[2]!])).toEqual([
      { field: 'inputs[0].datatype', message: '"FLOAT" is not an inference protocol datatype' },
    ]);
    expect(issuesOf([{ ...ok[0], shape: [3, 2] }, ok[1]!, ok[2]!])).toEqual([
      { field: 'inputs[0].shape[1]', message: 'is 2, "x" expects 3 [batch, 3]' },
      { field: 'inputs[1].shape[1]', message: 'is 2, but dimension "batch" is 3 at inputs[0].shape[0]' },
    ]);
    expect(issuesOf([{ ...ok[0], shape: [6] }, ok[1]!, ok[2]!])).toEqual([
      { field: 'inputs[0].shape', message: 'has rank 1, "x" expects rank 2 [batch, 3]' },
    ]);
    expect(
      issuesOf([ok[0]!, { ...ok[1], shape: [2, 1, 4], rawData: Buffer.alloc(32).toString('base64') }, ok[2]!]),
    ).toEqual([{ field: 'inputs[1].shape[1]', message: 'is 1, but dimension "batch" is 2 at inputs[0].shape[0]' }]);
    expect(issuesOf([{ ...ok[0], data: [1, 2, 3, 4, 5] }, ok[1]!, ok[2]!])).toEqual([
      { field: 'inputs[0].data', message: 'has 5 elements, shape [2, 3] needs 6' },
    ]);
    expect(issuesOf([ok[0]!, { ...ok[1], rawData: Buffer.alloc(60).toString('base64') }, ok[2]!])).toEqual([
      { field: 'inputs[1].rawData', message: 'raw data has 60 bytes, shape needs 16 × 4 = 64' },
    ]);
    const notBase64 = Buffer.alloc(64).toString('base64').replace(/^AAAA/, 'AA!A');
    expect(issuesOf([ok[0]!, { ...ok[1], rawData: notBase64 }, ok[2]!])).toEqual([
      { field: 'inputs[1].rawData', message: 'is not base64' },
    ]);
    expect(issuesOf([ok[0]!, { ...ok[1], rawData: `${Buffer.alloc(64).toString('base64')}A` }, ok[2]!])).toEqual([
      { field: 'inputs[1].rawData', message: 'is not base64' },
    ]);
    expect(issuesOf([{ ...ok[0], data: [1, 2, 'three', 4, 5, 6] }, ok[1]!, ok[2]!])).toEqual([
      { field: 'inputs[0].data', message: 'element 2 ("three") is not a valid FP32 value' },
    ]);
    expect(issuesOf([ok[0]!, ok[1]!, { ...ok[2], data: [1.5] }])).toEqual([
      { field: 'inputs[2].data', message: 'element 0 (1.5) is not a valid INT64 value' },
    ]);
    expect(issuesOf([ok[0]!, ok[0]!, ok[1]!, ok[2]!])).toEqual([
      { field: 'inputs[1].name', message: 'input "x" is given more than once' },
    ]);
    expect(issuesOf([{ ...ok[0], rawData: 'AAAA' }, ok[1]!, ok[2]!])).toEqual([
      { field: 'inputs[0]', message: 'give exactly one of data, rawData or binary data' },
    ]);
  });
});

describe('REST binary data extension', () => {
  it('splits raw input bytes after the JSON header, in input order', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } },
          { name: 'n', datatype: 'INT64', shape: [1], data: [7] },
        ],
        outputs: [{ name: 'y', parameters: { binary_data: true } }],
      }),
    );
    const body = Buffer.concat([header, Buffer.from(x.buffer)]);
    const request = parseInferRequest(body, header.length);
    expect(new Float32Array(new Uint8Array(request.inputs[0]!.rawBytes as Uint8Array).buffer)).toEqual(x);
    expect(wantsBinary(request, 'y')).toBe(true);
    expect(wantsBinary(request, 'z')).toBe(false);
    const decoded = decodeInputs(request.inputs.slice(0, 1), {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [null, 4] }],
      outputs: [],
    });
    expect(Array.from(decoded[0]!.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('refuses framing that does not add up', () => {
    const header = Buffer.from(
      JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 8 } }] }),
    );
    expect(() => parseInferRequest(Buffer.concat([header, Buffer.alloc(4)]), header.length)).toThrow(RuntimeInputError);
    expect(() => parseInferRequest(Buffer.concat([header, Buffer.alloc(12)]), header.length)).toThrow(/4 bytes follow/);
    expect(() => parseInferRequest(header)).toThrow(/needs the Inference-Header-Content-Length/);
    expect(() => parseInferRequest(Buffer.from('{"inputs": ['))).toThrow(/malformed/);
  });

  it('refuses tensor data nested deeper than the JSON depth limit before flattening it', () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const body = Buffer.from(`{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":${deep}}]}`);
    expect(() => parseInferRequest(body)).toThrow(
      expect.objectContaining({
        name: 'RuntimeInputError',
        field: 'inputs',
        message: expect.stringMatching(/deeper than 100 levels \(at \$\.inputs\[0\]\.data\[0\]/),
      }),
    );
    const fine = `${'['.repeat(8)}1${']'.repeat(8)}`;
    expect(
      parseInferRequest(
        Buffer.from(`{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1,1,1,1,1,1,1],"data":${fine}}]}`),
      ).inputs,
    ).toHaveLength(1);
  });

  it('answers binary outputs after a JSON header that announces their sizes', () => {
    const y = { name: 'y', datatype: 'FP32' as const, shape: [2], data: new Float32Array([0.5, 0.25]) };
    const s = { name: 's', datatype: 'BYTES' as const, shape: [1], data: ['ok'] };
    const { body, headerLength } = buildInferResponse({ model_name: 'm' }, [y, s], (n) => n === 'y');
    const json = JSON.parse(body.subarray(0, headerLength).toString());
    expect(json).toEqual({
      model_name: 'm',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } },
        { name: 's', datatype: 'BYTES', shape: [1], data: ['ok'] },
      ],
    });
    expect(new Float32Array(new Uint8Array(body.subarray(headerLength as number)).buffer)).toEqual(y.data);
  });
});
