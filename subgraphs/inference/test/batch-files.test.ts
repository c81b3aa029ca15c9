import { encode as encodeJpeg } from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAudioStatsModel, buildChannelMeanModel } from './support/onnx-model.builder';
import { encodeNpy, encodePng, encodeWav, tarFiles, zipFiles } from './support/file-records.fixture';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  waitFor,
  type InferenceHarness,
} from './support/inference.harness';

let h: InferenceHarness;
let admin: string;

const START = 'mutation($i: StartBatchInferenceInput!) { startBatchInference(input: $i) { id status } }';
const JOB =
  'query($id: ID!) { batchInferenceJob(id: $id) { id status rowsDone rowsTotal rowsFailed rowErrors { row column message } error outputDataset { id } } }';

async function finished(id: string) {
  return waitFor(
    async () => {
      const j = (await h.gql(JOB, { id }, admin)).data?.batchInferenceJob;
      return j && ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'].includes(j.status) ? j : undefined;
    },
    30_000,
    `job ${id}`,
  );
}

async function endpoint(name: string, bytes: Uint8Array) {
  const version = h.platform.addModel({ organizationId: h.org, modelName: name, version: 1, bytes });
  const res = await h.gql(
    'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
    { i: { name, routes: [{ modelVersion: version.id, weight: 1 }] } },
    admin,
  );
  await settledEndpoint(h, res.data.createEndpoint.id, admin);
}

/** A JSONL dataset of file rows ({ name, file: base64 }). */
function fileDataset(name: string, files: { name: string; bytes: Uint8Array }[]): string {
  return h.platform.addDataset({
    organizationId: h.org,
    name,
    format: 'JSONL',
    content: files
      .map((f) => JSON.stringify({ name: f.name, file: Buffer.from(f.bytes).toString('base64') }))
      .join('\n'),
    columns: ['name', 'file'],
  }).id;
}

/** The output dataset as rows of cells (no quoted commas in these outputs but the error column). */
function output(job: { outputDataset: { id: string } }): string[][] {
  const lines = (h.platform.datasets.get(job.outputDataset.id)?.content ?? '').trim().split('\n');
  return lines.map((l) => {
    const at = l.indexOf(',"');
    return at < 0 ? l.split(',') : [...l.slice(0, at).split(','), l.slice(at + 1)];
  });
}

async function run(i: Record<string, unknown>) {
  const started = await h.gql(START, { i }, admin);
  expect(started.errors).toBeUndefined();
  return finished(started.data.startBatchInference.id);
}

const SIZE = 8;

beforeAll(async () => {
  h = await startInferenceHarness({ databaseUrl: undefined });
  admin = await h.token([...ALL_INFERENCE, 'catalog:read', 'catalog:write']);
  await endpoint('images', buildChannelMeanModel(SIZE));
  await endpoint('clips', buildAudioStatsModel(1600));
});
afterAll(() => h?.close());

describe('batch inference over files', () => {
  it('predicts each image of an .npy array (first axis = records); an array of the wrong shape is a failed record', async () => {
    const n = 5;
    // Image k has the constant value k + c / 10 in channel c, so the model's channel means are known.
    const data = new Float32Array(n * 3 * SIZE * SIZE);
    for (let k = 0; k < n; k++)
      for (let c = 0; c < 3; c++) data.fill(k + c / 10, (k * 3 + c) * SIZE * SIZE, (k * 3 + c + 1) * SIZE * SIZE);
    const dataset = fileDataset('npy-images', [
      { name: 'batch.npy', bytes: encodeNpy('<f4', [n, 3, SIZE, SIZE], data) },
      { name: 'small.npy', bytes: encodeNpy('<f4', [3, 4, 4], new Float32Array(48)) },
      { name: 'doubles.npy', bytes: encodeNpy('<f8', [3, SIZE, SIZE], new Float64Array(3 * SIZE * SIZE)) },
    ]);
    const job = await run({
      endpoint: 'images',
      dataset,
      mapping: [{ input: 'x', columns: ['file'], kind: 'NPY' }],
      passthroughColumns: ['name'],
      outputDatasetName: 'npy-image-means',
      chunkSize: 2,
    });
    expect(job).toMatchObject({ status: 'PARTIAL', rowsDone: 7, rowsTotal: 7, rowsFailed: 2 });
    expect(job.rowErrors).toEqual([
      {
        row: 6,
        column: 'file',
        message:
          'record "1", column "file": .npy array has shape [3, 4, 4], input "x" takes [3, 8, 8] per record ([batch, 3, 8, 8] per batch)',
      },
      {
        row: 7,
        column: 'file',
        message:
          'record "2", column "file": .npy dtype <f8 (float64) does not match input "x" (FP32: save it as <f4 (float32))',
      },
    ]);
    const rows = output(job);
    expect(rows[0]).toEqual(['row', 'record', 'name', 'modelVersion', 'mean_0', 'mean_1', 'mean_2', 'error']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['0', '0[0]', 'batch.npy'],
      ['1', '0[1]', 'batch.npy'],
      ['2', '0[2]', 'batch.npy'],
      ['3', '0[3]', 'batch.npy'],
      ['4', '0[4]', 'batch.npy'],
      ['5', '1', 'small.npy'],
      ['6', '2', 'doubles.npy'],
    ]);
    for (let k = 0; k < n; k++)
      rows[k + 1]!.slice(4, 7).forEach((v, c) => expect(Number(v)).toBeCloseTo(k + c / 10, 5));
    expect(rows[6]!.slice(4, 7)).toEqual(['', '', '']);
  });

  it('decodes, converts and resizes the PNG and JPEG images of a ZIP or TAR (one record per file); other files are failed records', async () => {
    const red16 = encodePng(16, 16, 3, new Array(16 * 16).fill([255, 0, 0]).flat());
    const gray8 = encodePng(SIZE, SIZE, 1, new Array(SIZE * SIZE).fill(128));
    const rgba4 = encodePng(4, 4, 4, new Array(16).fill([0, 255, 51, 7]).flat());
    // Left half black, right half white: its mean survives a resize from 4×2 to 8×8 exactly.
    const halves = encodePng(
      4,
      2,
      3,
      [0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255].concat(new Array(12).fill(0).map((_, i) => (i < 6 ? 0 : 255))),
    );
    // A real JPEG (jpeg-js's encoder, best quality): solid blue, 12×12.
    const blueJpeg = Buffer.from(
      encodeJpeg({ width: 12, height: 12, data: Buffer.from(new Array(144).fill([0, 0, 255, 255]).flat()) }, 100).data,
    );
    const dataset = fileDataset('png-archives', [
      {
        name: 'images.zip',
        bytes: zipFiles([
          { name: 'images/red.png', bytes: red16 },
          { name: 'images/gray.png', bytes: gray8 },
          { name: 'images/notes.txt', bytes: Buffer.from('not an image') },
          { name: 'images/photo.jpg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]) },
          { name: 'images/green.png', bytes: rgba4 },
          { name: 'images/blue.jpg', bytes: blueJpeg },
        ]),
      },
      { name: 'more.tar', bytes: tarFiles([{ name: 'halves.png', bytes: halves }]) },
    ]);
    const stored = h.platform.datasets.get(dataset)!;
    stored.content += `\n${JSON.stringify({ name: 'pasted', file: 'not base64!' })}\n${JSON.stringify({ name: 'number', file: 7 })}`;
    const job = await run({
      endpoint: 'images',
      dataset,
      mapping: [{ input: 'x', columns: ['file'], kind: 'IMAGE' }],
      outputDatasetName: 'png-means',
    });
    expect(job).toMatchObject({ status: 'PARTIAL', rowsTotal: 9, rowsFailed: 4 });
    expect(job.rowErrors).toEqual([
      {
        row: 3,
        column: 'file',
        message:
          'record "0/images/notes.txt", column "file": is not a file this job reads, input "x" takes PNG or JPEG images',
      },
      {
        row: 4,
        column: 'file',
        message: expect.stringMatching(
          /^record "0\/images\/photo\.jpg", column "file": is a damaged JPEG image \(.+\)$/,
        ),
      },
      {
        row: 8,
        column: 'file',
        message: 'record "2", column "file": the cell is not base64 (a file is given as base64 bytes)',
      },
      {
        row: 9,
        column: 'file',
        message: 'record "3", column "file": the cell is not base64 text (a file is given as base64 bytes)',
      },
    ]);
    const rows = output(job);
    expect(rows[0]).toEqual(['row', 'record', 'modelVersion', 'mean_0', 'mean_1', 'mean_2', 'error']);
    const means = new Map(rows.slice(1).map((r) => [r[1], r.slice(3, 6).map(Number)]));
    const expectMeans = (record: string, want: number[]) =>
      means.get(record)!.forEach((v, c) => expect(v, `${record} channel ${c}`).toBeCloseTo(want[c]!, 5));
    expectMeans('0/images/red.png', [1, 0, 0]);
    expectMeans('0/images/gray.png', [128 / 255, 128 / 255, 128 / 255]);
    expectMeans('0/images/green.png', [0, 1, 0.2]);
    expectMeans('1/halves.png', [0.5, 0.5, 0.5]);
    // JPEG is lossy: within 2/255 of pure blue.
    means.get('0/images/blue.jpg')!.forEach((v, c) => expect(Math.abs(v - [0, 0, 1][c]!)).toBeLessThan(2 / 255));
  });

  it('resamples WAV files to the model rate and mixes them to mono; a clip of the wrong length is a failed record', async () => {
    const clip = (seconds: number, rate: number, values: number[]) =>
      encodeWav(new Array(Math.round(seconds * rate)).fill(values).flat(), rate, values.length);
    const dataset = h.platform.addDataset({
      organizationId: h.org,
      name: 'clips',
      format: 'CSV',
      content: [
        'id,audio',
        `a,${clip(0.1, 8000, [0.25]).toString('base64')}`,
        `b,${clip(0.1, 16000, [0.5, -0.1]).toString('base64')}`,
        `c,${clip(0.2, 16000, [0.3]).toString('base64')}`,
        `d,${clip(0.1, 44100, [-0.5]).toString('base64')}`,
      ].join('\n'),
      columns: ['id', 'audio'],
    }).id;
    const job = await run({
      endpoint: 'clips',
      dataset,
      mapping: [{ input: 'x', columns: ['audio'], kind: 'AUDIO', sampleRate: 16000 }],
      passthroughColumns: ['id'],
      outputDatasetName: 'clip-stats',
    });
    expect(job).toMatchObject({ status: 'PARTIAL', rowsTotal: 4, rowsFailed: 1 });
    expect(job.rowErrors).toEqual([
      {
        row: 3,
        column: 'audio',
        message: 'record "2", column "audio": is 3200 samples at 16000 Hz (0.200 s), input "x" takes 1600',
      },
    ]);
    const rows = output(job);
    expect(rows[0]).toEqual(['row', 'record', 'id', 'modelVersion', 'mean', 'peak', 'error']);
    const stats = new Map(rows.slice(1).map((r) => [r[2], r.slice(4, 6).map(Number)]));
    expect(stats.get('a')![0]).toBeCloseTo(0.25, 4);
    expect(stats.get('b')![0]).toBeCloseTo(0.2, 4);
    expect(stats.get('d')![1]).toBeCloseTo(-0.5, 4);
  });

  it('reads JSON tensor cells; a tensor of the wrong shape is a failed record', async () => {
    const image = (v: number) => ({ shape: [3, SIZE, SIZE], data: new Array(3 * SIZE * SIZE).fill(v) });
    const dataset = h.platform.addDataset({
      organizationId: h.org,
      name: 'tensors',
      format: 'JSONL',
      content: [{ t: image(0.5) }, { t: { shape: [3, 4, 4], data: new Array(48).fill(1) } }, { t: image(2) }]
        .map((r) => JSON.stringify(r))
        .join('\n'),
      columns: ['t'],
    }).id;
    const job = await run({
      endpoint: 'images',
      dataset,
      mapping: [{ input: 'x', columns: ['t'], kind: 'TENSOR' }],
      outputDatasetName: 'tensor-means',
    });
    expect(job).toMatchObject({ status: 'PARTIAL', rowsTotal: 3, rowsFailed: 1 });
    expect(job.rowErrors[0].message).toBe(
      'row 2, column "t": the tensor has shape [3, 4, 4], input "x" takes [3, 8, 8] per record ([batch, 3, 8, 8] per batch)',
    );
    const rows = output(job);
    expect(rows[0]).toEqual(['row', 'modelVersion', 'mean_0', 'mean_1', 'mean_2', 'error']);
    expect(rows[3]!.slice(2, 5).map(Number)).toEqual([2, 2, 2]);
  });

  it("refuses at submission a mapping that does not fit the model's inputs, and starts no job", async () => {
    const dataset = fileDataset('refused', [{ name: 'x.png', bytes: encodePng(1, 1, 1, [0]) }]);
    const before = (await h.gql('{ batchInferenceJobs { id } }', {}, admin)).data.batchInferenceJobs.length;
    const refused = async (endpointName: string, mapping: unknown[]) => {
      const res = await h.gql(
        START,
        { i: { endpoint: endpointName, dataset, mapping, outputDatasetName: 'never' } },
        admin,
      );
      expect(res.data).toBeNull();
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      return res.errors![0].extensions.fields;
    };
    expect(await refused('images', [{ input: 'x', columns: ['file'], kind: 'AUDIO' }])).toEqual([
      {
        field: 'mapping[0].kind',
        message: 'input "x" takes [batch, 3, 8, 8], not audio ([batch, samples] or [batch, 1, samples])',
      },
    ]);
    expect(await refused('clips', [{ input: 'x', columns: ['file'], kind: 'IMAGE' }])).toEqual([
      {
        field: 'mapping[0].kind',
        message: 'input "x" takes [batch, 1600], not images ([batch, C, H, W], [batch, H, W, C] or [batch, H, W])',
      },
    ]);
    expect(await refused('images', [{ input: 'x', columns: ['file'] }])).toEqual([
      {
        field: 'mapping[0].kind',
        message:
          'input "x" takes [batch, 3, 8, 8] per batch, not [batch, features]: map one column of files or tensors with kind IMAGE, AUDIO, NPY or TENSOR',
      },
    ]);
    expect(await refused('images', [{ input: 'pixels', columns: ['file'], kind: 'IMAGE' }])).toEqual([
      { field: 'mapping[0].input', message: 'the model has no input "pixels" (it takes x FP32 [batch, 3, 8, 8])' },
      { field: 'mapping', message: 'model input "x" (FP32 [batch, 3, 8, 8]) is not mapped' },
    ]);
    expect(await refused('clips', [{ input: 'x', columns: ['file', 'name'], kind: 'AUDIO', sampleRate: 0 }])).toEqual([
      { field: 'mapping[0].sampleRate', message: 'must be an integer from 1 to 768000 (Hz)' },
      { field: 'mapping[0].columns', message: 'kind AUDIO reads exactly one column' },
    ]);
    expect((await h.gql('{ batchInferenceJobs { id } }', {}, admin)).data.batchInferenceJobs).toHaveLength(before);
  });
});
