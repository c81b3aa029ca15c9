import { describe, expect, it } from 'vitest';
import { MetricsRegistry, percentile } from '../../src/runtime/version.metrics';

describe('version metrics', () => {
  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 95), percentile(values, 99)]).toEqual([50, 95, 99]);
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
  });

  it('keeps counters forever and latencies only within the sliding window', () => {
    let now = 1_000_000;
    const registry = new MetricsRegistry({ windowMs: 10_000, now: () => now });
    const m = registry.of('v1');
    for (let i = 1; i <= 100; i++) {
      m.record(i, i % 10 !== 0);
      now += 50;
    }
    expect(m.snapshot()).toMatchObject({
      requests: 100,
      errors: 10,
      windowRequests: 100,
      windowErrors: 10,
      p50: 50,
      p95: 95,
      p99: 99,
    });
    expect(m.snapshot().throughput).toBeCloseTo(20, 5);
    now += 10_000;
    m.record(500, true);
    expect(m.snapshot()).toMatchObject({ requests: 101, errors: 10, windowRequests: 1, p50: 500, p99: 500 });
    expect(registry.snapshot().map((s) => s.version)).toEqual(['v1']);
  });

  it('caps the samples it keeps', () => {
    const registry = new MetricsRegistry({ maxSamples: 10 });
    for (let i = 0; i < 100; i++) registry.of('v').record(i, true);
    expect(registry.of('v').snapshot()).toMatchObject({ requests: 100, windowRequests: 10, p50: 94 });
  });
});
