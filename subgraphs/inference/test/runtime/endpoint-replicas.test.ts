import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/runtime/concurrency.limiter';
import { EndpointRuntime } from '../../src/runtime/endpoint.runtime';
import { ModelExecutor } from '../../src/runtime/model.executor';
import { SessionManager } from '../../src/runtime/session.manager';
import type { DecodedTensor } from '../../src/runtime/tensor.codec';
import { buildDenseSigmoidModel } from '../support/onnx-model.builder';

/** A real session manager that also counts the onnxruntime runs in flight and remembers the peak. */
class CountingSessionManager extends SessionManager {
  inFlight = 0;
  peak = 0;
  runs = 0;

  override async run(key: string, inputs: readonly DecodedTensor[]): Promise<DecodedTensor[]> {
    this.inFlight += 1;
    this.runs += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      return await super.run(key, inputs);
    } finally {
      this.inFlight -= 1;
    }
  }

  resetCounts(): void {
    this.peak = 0;
    this.runs = 0;
  }
}

const BIAS = 2;
const expected = Math.fround(1 / (1 + Math.exp(-(BIAS + 3))));
const request = (): { inputs: { name: string; datatype: string; shape: number[]; data: number[] }[] } => ({
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }],
});

describe('endpoint replicas', () => {
  const sessions = new CountingSessionManager({ maxBytes: 1 << 20 });
  const executor = new ModelExecutor(sessions);

  beforeAll(async () => {
    await sessions.load('v1', { bytes: buildDenseSigmoidModel([[1], [1]], [BIAS]) });
  });
  afterAll(() => sessions.close());

  async function burst(runtime: EndpointRuntime, n: number): Promise<void> {
    sessions.resetCounts();
    const results = await Promise.all(Array.from({ length: n }, () => runtime.predict(request())));
    for (const r of results) expect((r.outputs[0]!.data as Float32Array)[0]).toBeCloseTo(expected, 6);
  }

  it.each([1, 3])(
    'keeps at most %i session runs of the endpoint in flight, and reaches that many',
    async (replicas) => {
      const limiter = new ConcurrencyLimiter(`ep-${replicas}`, replicas);
      const runtime = new EndpointRuntime({ routes: [{ version: 'v1', weight: 1 }] }, executor, { limiter });
      await burst(runtime, 12);
      expect(sessions.runs).toBe(12);
      expect(sessions.peak).toBe(replicas);
      expect(limiter.inFlight).toBe(0);
      expect(limiter.queued).toBe(0);
    },
  );

  it('bounds concurrent batches, not rows, when the dynamic batcher is on', async () => {
    const limiter = new ConcurrencyLimiter('ep-batched', 2);
    const runtime = new EndpointRuntime(
      { routes: [{ version: 'v1', weight: 1 }], batching: { maxBatchSize: 2, maxQueueDelayMs: 5 } },
      executor,
      { limiter },
    );
    await burst(runtime, 12);
    expect(sessions.runs).toBeLessThan(12);
    expect(sessions.peak).toBe(2);
  });

  it('applies a new replica count to the runs that are still queued', async () => {
    const limiter = new ConcurrencyLimiter('ep-resized', 1);
    const runtime = new EndpointRuntime({ routes: [{ version: 'v1', weight: 1 }] }, executor, { limiter });
    sessions.resetCounts();
    const pending = Array.from({ length: 10 }, () => runtime.predict(request()));
    expect(limiter.inFlight).toBe(1);
    expect(limiter.queued).toBe(9);
    limiter.setLimit(4);
    expect(limiter.inFlight).toBe(4);
    await Promise.all(pending);
    expect(sessions.peak).toBe(4);
  });

  it('refuses a replica count that is not a positive integer', () => {
    expect(() => new ConcurrencyLimiter('bad', 0)).toThrow(RangeError);
    expect(() => new ConcurrencyLimiter('ok', 1).setLimit(1.5)).toThrow(RangeError);
  });
});
