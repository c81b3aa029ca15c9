import { describe, expect, it } from 'vitest';
import { BatchInputKind } from '../src/batch/batch-job.entity';
import { expandRecords, recordInputs } from '../src/batch/batch-records';
import { readTar, readZip } from '../src/batch/files/archive.reader';
import { decodePng, decodeWav, resampleLinear, resizeBilinear } from '../src/batch/files/media.decoder';
import { npyValues, readNpy } from '../src/batch/files/npy.reader';
import { encodeNpy, encodePng, encodeWav, tarFiles, zipFiles } from './support/file-records.fixture';

// Written by numpy 2.4.6 (numpy.save), so the reader is checked against numpy's own files.
const NUMPY = {
  f4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPgAAAD8AAEA/AACAPwAAoD8=',
  i8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr9/////////wAAAAAAAQAA',
  b1: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=',
  u1: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoB/w==',
  fortran:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA=',
  f2: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAA8',
};
const npy = (k: keyof typeof NUMPY) => readNpy(Buffer.from(NUMPY[k], 'base64'));

describe('.npy reader', () => {
  it("reads numpy's files: dtype, shape and values", () => {
    const f4 = npy('f4');
    expect([f4.datatype, f4.shape]).toEqual(['FP32', [2, 3]]);
    expect(npyValues(f4.datatype, f4.bytes)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    const i8 = npy('i8');
    expect([i8.datatype, i8.shape, npyValues(i8.datatype, i8.bytes)]).toEqual(['INT64', [1, 2], [-3n, 2n ** 40n]]);
    const b1 = npy('b1');
    expect([b1.datatype, b1.shape, npyValues(b1.datatype, b1.bytes)]).toEqual(['BOOL', [3], [true, false, true]]);
    const u1 = npy('u1');
    expect([u1.datatype, npyValues(u1.datatype, u1.bytes)]).toEqual(['UINT8', [1, 255]]);
  });

  it('refuses Fortran order, other dtypes and truncated data with the reason', () => {
    expect(() => npy('fortran')).toThrow(
      '.npy array is in Fortran order: save it in C order (numpy.ascontiguousarray)',
    );
    expect(() => npy('f2')).toThrow('.npy dtype <f2 is not supported');
    const cut = Buffer.from(NUMPY.f4, 'base64');
    expect(() => readNpy(cut.subarray(0, cut.length - 4))).toThrow(
      '.npy data is truncated: shape (2, 3) needs 24 bytes, 20 follow',
    );
    expect(() => readNpy(Buffer.from('hello'))).toThrow('not a .npy file');
  });
});

describe('PNG and WAV decoders', () => {
  it('decodes every PNG filter type and color type back to the pixels', () => {
    const w = 7;
    const h = 6;
    for (const channels of [1, 2, 3, 4] as const) {
      const pixels = Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 37 + 11) % 256);
      const decoded = decodePng(encodePng(w, h, channels, pixels));
      expect([decoded.width, decoded.height, decoded.channels]).toEqual([w, h, channels]);
      expect(Array.from(decoded.pixels)).toEqual(Array.from(pixels));
    }
  });

  it('resizes bilinearly with half-pixel centres', () => {
    // 2×1 gray [0, 255] to 4×1: centres at -0.25, 0.25, 0.75, 1.25 of the source → clamped 0, 0.25, 0.75, 1.
    const out = resizeBilinear({ width: 2, height: 1, channels: 1, pixels: Uint8Array.from([0, 255]) }, 4, 1);
    expect(Array.from(out)).toEqual([0, 63.75, 191.25, 255]);
  });

  it('decodes PCM WAV to mono (channels averaged) and resamples', () => {
    const stereo = decodeWav(encodeWav([0.5, -0.25, 0.5, -0.25, 0.5, -0.25], 8000, 2));
    expect(stereo.sampleRate).toBe(8000);
    expect(Array.from(stereo.samples)).toEqual([0.125, 0.125, 0.125]);
    expect(Array.from(resampleLinear(Float32Array.from([0, 1, 0, 1]), 8000, 16000))).toEqual([
      0, 0.5, 1, 0.5, 0, 0.5, 1, 1,
    ]);
  });
});

describe('archives', () => {
  const files = [
    { name: 'images/a.png', bytes: Buffer.from('first') },
    { name: 'images/b.wav', bytes: Buffer.alloc(700, 7) },
  ];

  it('lists the files of a ZIP in order, without folders and resource forks', () => {
    expect(
      readZip(zipFiles(files)).map((m) => [
        m.name,
        Buffer.from(m.bytes).equals(Buffer.from(files.find((f) => f.name === m.name)!.bytes)),
      ]),
    ).toEqual([
      ['images/a.png', true],
      ['images/b.wav', true],
    ]);
  });

  it('lists the files of a TAR', () => {
    expect(readTar(tarFiles(files)).map((m) => [m.name, m.bytes.length])).toEqual([
      ['images/a.png', 5],
      ['images/b.wav', 700],
    ]);
  });

  it('refuses a truncated ZIP', () => {
    const zip = zipFiles(files);
    expect(() => readZip(zip.subarray(0, zip.length - 30))).toThrow('ZIP archive has no central directory');
  });
});

describe('records for each input layout', () => {
  const one = (
    file: Buffer,
    kind: BatchInputKind,
    shape: (number | string)[],
    datatype = 'FP32',
    sampleRate?: number,
  ) => {
    const mapping = [{ input: 'x', columns: ['f'], kind, ...(sampleRate ? { sampleRate } : {}) }];
    const inputs = [{ name: 'x', datatype: datatype as 'FP32', shape }];
    const records = expandRecords([{ f: file.toString('base64') }], mapping, inputs);
    return records.map((r, i) => recordInputs(r, i + 1, mapping, inputs));
  };

  it('feeds a gray PNG to an NHWC UINT8 input (channels replicated) and an RGB PNG to a gray input (BT.601 luma)', () => {
    const gray = encodePng(2, 1, 1, [10, 200]);
    expect(one(gray, BatchInputKind.IMAGE, ['b', 1, 2, 3], 'UINT8')).toEqual([
      { inputs: [{ name: 'x', datatype: 'UINT8', shape: [1, 2, 3], data: [10, 10, 10, 200, 200, 200] }] },
    ]);
    const rgb = encodePng(1, 1, 3, [255, 0, 0]);
    expect(one(rgb, BatchInputKind.IMAGE, ['b', 'h', 'w'])).toEqual([
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [76 / 255] }] },
    ]);
  });

  it('fails the record, not the job, when mean/std do not fit an input that was not known at submission', () => {
    const rgb = encodePng(1, 1, 3, [51, 102, 153]);
    const run = (datatype: string, shape: (number | string)[], norm: { mean?: number[]; std?: number[] }) => {
      const mapping = [{ input: 'x', columns: ['f'], kind: BatchInputKind.IMAGE, ...norm }];
      const inputs = [{ name: 'x', datatype: datatype as 'FP32', shape }];
      const [record] = expandRecords([{ f: rgb.toString('base64') }], mapping, inputs);
      return recordInputs(record!, 1, mapping, inputs);
    };
    expect(run('FP32', ['b', 1, 1, 3], { mean: [0.2, 0.4, 0.6], std: [0.5] })).toEqual({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1, 3], data: [0, 0, 0] }],
    });
    expect(run('FP32', ['b', 3, 1, 1], { mean: [0.1, 0.2] })).toEqual({
      column: 'f',
      message: 'record "0", column "f": mean has 2 values, input "x" has 3 channels',
    });
    expect(run('UINT8', ['b', 1, 1, 3], { std: [0.5] })).toEqual({
      column: 'f',
      message: 'record "0", column "f": input "x" takes UINT8 pixels (0-255): mean and std apply to float inputs only',
    });
  });

  it('feeds audio to a [batch, 1, samples] input at its own length when the axis is dynamic', () => {
    const [r] = one(encodeWav([0.5, 0.5, 0.5, 0.5], 8000), BatchInputKind.AUDIO, ['b', 1, 'n'], 'FP32', 4000);
    expect(r).toEqual({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [0.5, 0.5] }] });
  });

  it('splits a ZIP of .npy files, one of them holding two records', () => {
    const zip = zipFiles([
      { name: 'a.npy', bytes: encodeNpy('<f4', [2], Float32Array.from([1, 2])) },
      { name: 'b.npy', bytes: encodeNpy('<f4', [2, 2], Float32Array.from([3, 4, 5, 6])) },
    ]);
    const mapping = [{ input: 'x', columns: ['f'], kind: BatchInputKind.NPY }];
    const inputs = [{ name: 'x', datatype: 'FP32' as const, shape: ['b', 2] }];
    const records = expandRecords([{ f: zip.toString('base64') }], mapping, inputs);
    expect(records.map((r) => r.name)).toEqual(['0/a.npy', '0/b.npy[0]', '0/b.npy[1]']);
    expect(records.map((r, i) => recordInputs(r, i + 1, mapping, inputs))).toEqual(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ].map((data) => ({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data }] })),
    );
  });
});
