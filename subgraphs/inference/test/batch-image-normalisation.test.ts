// Per-channel mean/std normalisation of IMAGE inputs of batch jobs (issue #19), as torchvision's
// Normalize and the ONNX model zoo's preprocessing do: (x / 255 - mean[c]) / std[c]. Identity models
// (real onnxruntime sessions) return what the job fed them, value by value, in NCHW, NHWC and gray layouts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIdentityModel } from './support/onnx-model.builder';
import { encodePng } from './support/file-records.fixture';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  waitFor,
  type InferenceHarness,
} from './support/inference.harness';

let h: InferenceHarness;
let admin: string;
let dataset: string;

const START = 'mutation($i: StartBatchInferenceInput!) { startBatchInference(input: $i) { id status } }';
const JOB =
  'query($id: ID!) { batchInferenceJob(id: $id) { id status rowsTotal rowsFailed rowErrors { message } outputDataset { id } mapping { input columns kind sampleRate mean std } } }';
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const H = 2;
const W = 4;
/** An RGB image whose every sample differs: pixel (y, x), channel c is 10 + 30 (y W + x) + 7 c. */
const rgb = (y: number, x: number, c: number) => 10 + 30 * (y * W + x) + 7 * c;
/** A gray image: pixel (y, x) is 20 + 29 (y W + x). */
const gray = (y: number, x: number) => 20 + 29 * (y * W + x);

async function endpoint(name: string, bytes: Uint8Array) {
  const version = h.platform.addModel({ organizationId: h.org, modelName: name, version: 1, bytes });
  const res = await h.gql(
    'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
    { i: { name, routes: [{ modelVersion: version.id, weight: 1 }] } },
    admin,
  );
  expect(res.errors).toBeUndefined();
  await settledEndpoint(h, res.data.createEndpoint.id, admin);
}

/** Runs a job over the dataset; @returns the model's outputs for its one record (the identity's input). */
async function fed(endpointName: string, mapping: Record<string, unknown>): Promise<number[]> {
  const started = await h.gql(
    START,
    { i: { endpoint: endpointName, dataset, mapping: [mapping], outputDatasetName: `${endpointName}-fed` } },
    admin,
  );
  expect(started.errors).toBeUndefined();
  const id = started.data.startBatchInference.id;
  const job = await waitFor(
    async () => {
      const j = (await h.gql(JOB, { id }, admin)).data?.batchInferenceJob;
      return j && ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'].includes(j.status) ? j : undefined;
    },
    30_000,
    `job ${id}`,
  );
  expect(job).toMatchObject({ status: 'SUCCEEDED', rowsTotal: 1, rowsFailed: 0 });
  // The job reads back the mapping it used, normalisation included.
  expect(job.mapping).toEqual([
    { sampleRate: null, mean: null, std: null, ...mapping, kind: mapping.kind ?? 'COLUMNS' },
  ]);
  const [head, line] = (h.platform.datasets.get(job.outputDataset.id)?.content ?? '').trim().split('\n');
  const columns = head!.split(',');
  expect(columns.slice(0, 4)).toEqual(['row', 'record', 'modelVersion', 'output_0']);
  return line!.split(',').slice(3).map(Number);
}

beforeAll(async () => {
  h = await startInferenceHarness({ databaseUrl: undefined });
  admin = await h.token([...ALL_INFERENCE, 'catalog:read', 'catalog:write']);
  await endpoint('nchw', buildIdentityModel('FP32', ['batch', 3, H, W]));
  await endpoint('nhwc', buildIdentityModel('FP32', ['batch', H, W, 3]));
  await endpoint('gray', buildIdentityModel('FP32', ['batch', H, W]));
  await endpoint('bytes', buildIdentityModel('UINT8', ['batch', H, W, 3]));
  const pixels: number[] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) pixels.push(rgb(y, x, 0), rgb(y, x, 1), rgb(y, x, 2));
  const grayPixels: number[] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) grayPixels.push(gray(y, x));
  dataset = h.platform.addDataset({
    organizationId: h.org,
    name: 'one-image',
    format: 'JSONL',
    content: [
      JSON.stringify({
        file: encodePng(W, H, 3, pixels).toString('base64'),
        gray: encodePng(W, H, 1, grayPixels).toString('base64'),
      }),
    ].join('\n'),
    columns: ['file', 'gray'],
  }).id;
}, 60_000);
afterAll(() => h?.close());

describe('IMAGE mean/std normalisation in batch jobs', () => {
  it('feeds (x / 255 - mean[c]) / std[c] to an NCHW input, channel planes in order', async () => {
    const values = await fed('nchw', { input: 'input', columns: ['file'], kind: 'IMAGE', ...IMAGENET });
    expect(values).toHaveLength(3 * H * W);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          expect(values[c * H * W + y * W + x], `c${c} y${y} x${x}`).toBeCloseTo(
            (rgb(y, x, c) / 255 - IMAGENET.mean[c]!) / IMAGENET.std[c]!,
            5,
          );
  });

  it('feeds the same values to an NHWC input, channels interleaved per pixel', async () => {
    const values = await fed('nhwc', { input: 'input', columns: ['file'], kind: 'IMAGE', ...IMAGENET });
    expect(values).toHaveLength(3 * H * W);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let c = 0; c < 3; c++)
          expect(values[(y * W + x) * 3 + c], `y${y} x${x} c${c}`).toBeCloseTo(
            (rgb(y, x, c) / 255 - IMAGENET.mean[c]!) / IMAGENET.std[c]!,
            5,
          );
  });

  it('applies a single mean and std to every channel, a mean alone divides by 1, and none keeps [0, 1]', async () => {
    const one = await fed('nhwc', { input: 'input', columns: ['file'], kind: 'IMAGE', mean: [0.5], std: [0.25] });
    const meanOnly = await fed('nchw', { input: 'input', columns: ['file'], kind: 'IMAGE', mean: [0.1, 0.2, 0.3] });
    const plain = await fed('nchw', { input: 'input', columns: ['file'], kind: 'IMAGE' });
    const grayValues = await fed('gray', { input: 'input', columns: ['gray'], kind: 'IMAGE', mean: [0.4], std: [2] });
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        expect(grayValues[y * W + x]).toBeCloseTo((gray(y, x) / 255 - 0.4) / 2, 5);
        for (let c = 0; c < 3; c++) {
          expect(one[(y * W + x) * 3 + c]).toBeCloseTo((rgb(y, x, c) / 255 - 0.5) / 0.25, 5);
          expect(meanOnly[c * H * W + y * W + x]).toBeCloseTo(rgb(y, x, c) / 255 - [0.1, 0.2, 0.3][c]!, 5);
          expect(plain[c * H * W + y * W + x]).toBeCloseTo(rgb(y, x, c) / 255, 5);
        }
      }
  });

  it('refuses at submission mean/std of the wrong length, a std not above 0, a kind other than IMAGE or a UINT8 input, and starts no job', async () => {
    const before = (await h.gql('{ batchInferenceJobs { id } }', {}, admin)).data.batchInferenceJobs.length;
    const refused = async (endpointName: string, mapping: Record<string, unknown>) => {
      const res = await h.gql(
        START,
        { i: { endpoint: endpointName, dataset, mapping: [mapping], outputDatasetName: 'never' } },
        admin,
      );
      expect(res.data).toBeNull();
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      return res.errors![0].extensions.fields;
    };
    const image = { input: 'input', columns: ['file'], kind: 'IMAGE' };
    expect(await refused('nchw', { ...image, mean: [0.485, 0.456], std: [0.229, 0.224, 0.225, 0.2] })).toEqual([
      {
        field: 'mapping[0].mean',
        message: 'has 2 values, input "input" ([batch, 3, 2, 4]) has 3 channels: give 3 values (or 1 for all)',
      },
      {
        field: 'mapping[0].std',
        message: 'has 4 values, input "input" ([batch, 3, 2, 4]) has 3 channels: give 3 values (or 1 for all)',
      },
    ]);
    expect(await refused('gray', { ...image, columns: ['gray'], mean: [0.5, 0.5, 0.5] })).toEqual([
      {
        field: 'mapping[0].mean',
        message: 'has 3 values, input "input" ([batch, 2, 4]) has 1 channel: give 1 value',
      },
    ]);
    expect(await refused('nhwc', { ...image, mean: [], std: [0.2, 0, 0.2] })).toEqual([
      { field: 'mapping[0].mean', message: 'needs one value per channel (or 1 for all channels)' },
      { field: 'mapping[0].std', message: 'every std must be greater than 0 (std[1] is 0)' },
    ]);
    expect(await refused('nhwc', { ...image, std: [-1] })).toEqual([
      { field: 'mapping[0].std', message: 'every std must be greater than 0 (std[0] is -1)' },
    ]);
    expect(await refused('nchw', { input: 'input', columns: ['file'], kind: 'NPY', mean: [0.5] })).toEqual([
      { field: 'mapping[0].mean', message: 'only IMAGE inputs take mean (this mapping is NPY)' },
    ]);
    expect(await refused('nchw', { input: 'input', columns: ['file'], std: [0.5] })).toEqual([
      { field: 'mapping[0].std', message: 'only IMAGE inputs take std (this mapping is COLUMNS)' },
    ]);
    expect(await refused('bytes', { ...image, ...IMAGENET })).toEqual([
      {
        field: 'mapping[0].mean',
        message: 'input "input" takes UINT8 pixels (0-255): mean applies to float inputs only',
      },
      {
        field: 'mapping[0].std',
        message: 'input "input" takes UINT8 pixels (0-255): std applies to float inputs only',
      },
    ]);
    expect((await h.gql('{ batchInferenceJobs { id } }', {}, admin)).data.batchInferenceJobs).toHaveLength(before);
  });
});
