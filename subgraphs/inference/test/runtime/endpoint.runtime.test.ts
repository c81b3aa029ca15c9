import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointRouter } from '../../src/runtime/endpoint.router';
import { EndpointRuntime, type ShadowOutcome } from '../../src/runtime/endpoint.runtime';
import { ModelExecutor } from '../../src/runtime/model.executor';
import { NoReadyRouteError, RuntimeInputError, TensorValidationError } from '../../src/runtime/runtime.errors';
import { SessionManager } from '../../src/runtime/session.manager';
import { buildDenseSigmoidModel } from '../support/onnx-model.builder';

// Three versions of a 2→1 model whose outputs tell them apart: sigmoid(0) = 0.5, sigmoid(±2) distinct.
const VERSIONS = { blue: 0, green: 2, shadow: -2 } as const;
const x = [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [0, 0] }];
const expectedFor = (bias: number) => Math.fround(1 / (1 + Math.exp(-bias)));

describe('EndpointRuntime', () => {
  const sessions = new SessionManager({ maxBytes: 1 << 20 });
  const executor = new ModelExecutor(sessions);

  beforeAll(async () => {
    for (const [name, bias] of Object.entries(VERSIONS)) {
      await sessions.load(name, { bytes: buildDenseSigmoidModel([[1], [1]], [bias]) });
    }
    await sessions.load('broken', { bytes: new Uint8Array([1, 2, 3]) }).catch(() => undefined);
  });
  afterAll(() => sessions.close());

  it('splits traffic by weight within statistical bounds over 1000 calls', async () => {
    const runtime = new EndpointRuntime(
      {
        routes: [
          { version: 'blue', weight: 80 },
          { version: 'green', weight: 20 },
        ],
      },
      executor,
    );
    const counts: Record<string, number> = { blue: 0, green: 0 };
    for (let i = 0; i < 1000; i++) {
      const r = await runtime.predict({ inputs: x });
      counts[r.version]! += 1;
      expect((r.outputs[0]!.data as Float32Array)[0]).toBe(expectedFor(VERSIONS[r.version as 'blue']));
    }
    // Binomial(1000, 0.2): sd ≈ 12.6; 5 sd keeps this test from flaking while catching a wrong split.
    expect(Math.abs(counts.green! - 200)).toBeLessThan(63);
    const snapshot = runtime.metrics.snapshot();
    expect(snapshot.map((s) => s.requests).reduce((a, b) => a + b, 0)).toBe(1000);
    expect(snapshot.find((s) => s.version === 'green')?.p99).toBeGreaterThan(0);
  });

  it('sends a routing key to the same version every time, and keys in proportion to weights', async () => {
    const runtime = new EndpointRuntime(
      {
        routes: [
          { version: 'blue', weight: 50 },
          { version: 'green', weight: 50 },
        ],
      },
      executor,
    );
    const first = new Map<string, string>();
    for (let i = 0; i < 300; i++)
      first.set(`user-${i}`, (await runtime.predict({ inputs: x, routingKey: `user-${i}` })).version);
    for (let round = 0; round < 3; round++) {
      for (const [key, version] of first)
        expect((await runtime.predict({ inputs: x, routingKey: key })).version).toBe(version);
    }
    const green = [...first.values()].filter((v) => v === 'green').length;
    expect(Math.abs(green - 150)).toBeLessThan(45);
  });

  it('moves only the keys that must move when a canary weight grows', () => {
    const ready = () => undefined;
    const before = new EndpointRouter(
      {
        routes: [
          { version: 'blue', weight: 90 },
          { version: 'green', weight: 10 },
        ],
      },
      ready,
    );
    const after = new EndpointRouter(
      {
        routes: [
          { version: 'blue', weight: 70 },
          { version: 'green', weight: 30 },
        ],
      },
      ready,
    );
    let moved = 0;
    for (let i = 0; i < 2000; i++) {
      const a = before.choose(`k${i}`).version;
      const b = after.choose(`k${i}`).version;
      if (a === 'green') expect(b).toBe('green');
      if (a !== b) moved += 1;
    }
    expect(moved).toBeGreaterThan(250);
    expect(moved).toBeLessThan(550);
  });

  it('runs a shadow copy whose answers are measured and never returned', async () => {
    const shadows: ShadowOutcome[] = [];
    const runtime = new EndpointRuntime({ routes: [{ version: 'blue', weight: 1 }], shadow: 'shadow' }, executor, {
      onShadow: (o) => shadows.push(o),
    });
    for (let i = 0; i < 50; i++) {
      const r = await runtime.predict({ inputs: x, routingKey: `k${i}` });
      expect(r.version).toBe('blue');
      expect(r.shadow).toBe('shadow');
      expect((r.outputs[0]!.data as Float32Array)[0]).toBe(0.5);
    }
    await runtime.drainShadows();
    expect(shadows).toHaveLength(50);
    expect(shadows.every((s) => s.ok && s.version === 'shadow')).toBe(true);
    expect(runtime.metrics.snapshot().find((s) => s.version === 'shadow')?.requests).toBe(50);
  });

  it('routes only to ready versions and reports why the others are not', async () => {
    const runtime = new EndpointRuntime(
      {
        routes: [
          { version: 'blue', weight: 1 },
          { version: 'broken', weight: 99 },
        ],
      },
      executor,
    );
    expect(runtime.readiness()).toEqual({ ready: false, reasons: { broken: expect.stringMatching(/^failed: /) } });
    for (let i = 0; i < 20; i++) expect((await runtime.predict({ inputs: x })).version).toBe('blue');
    const none = new EndpointRuntime(
      {
        routes: [
          { version: 'broken', weight: 1 },
          { version: 'missing', weight: 1 },
        ],
      },
      executor,
    );
    await expect(none.predict({ inputs: x })).rejects.toBeInstanceOf(NoReadyRouteError);
    await expect(none.predict({ inputs: x })).rejects.toThrow(/missing: absent: not loaded/);
  });

  it('refuses bad tensors with details and counts them as errors', async () => {
    const runtime = new EndpointRuntime({ routes: [{ version: 'green', weight: 1 }] }, executor);
    await expect(
      runtime.predict({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [0, 0, 0] }] }),
    ).rejects.toBeInstanceOf(TensorValidationError);
    expect(runtime.metrics.of('green').snapshot()).toMatchObject({ requests: 1, errors: 1 });
  });

  it('batches concurrent predictions when the endpoint asks for it', async () => {
    const runtime = new EndpointRuntime(
      { routes: [{ version: 'green', weight: 1 }], batching: { maxBatchSize: 8, maxQueueDelayMs: 10 } },
      executor,
    );
    const results = await Promise.all(Array.from({ length: 16 }, () => runtime.predict({ inputs: x })));
    expect(results.every((r) => (r.outputs[0]!.data as Float32Array)[0] === expectedFor(2))).toBe(true);
    expect(executor.batchStats('green', { maxBatchSize: 8, maxQueueDelayMs: 10 })?.runs).toBeLessThan(16);
  });

  it('refuses route configurations that cannot serve', () => {
    expect(() => new EndpointRouter({ routes: [] }, () => undefined)).toThrow(RuntimeInputError);
    expect(() => new EndpointRouter({ routes: [{ version: 'a', weight: -1 }] }, () => undefined)).toThrow(
      /non-negative/,
    );
    expect(() => new EndpointRouter({ routes: [{ version: 'a', weight: 0 }] }, () => undefined)).toThrow(
      /positive weight/,
    );
    expect(
      () =>
        new EndpointRouter(
          {
            routes: [
              { version: 'a', weight: 1 },
              { version: 'a', weight: 1 },
            ],
          },
          () => undefined,
        ),
    ).toThrow(/routed twice/);
  });
});
