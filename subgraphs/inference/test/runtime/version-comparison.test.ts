import { describe, expect, it } from 'vitest';
import { compareVersions, errorRateTest, mannWhitneyPValue, normalCdf } from '../../src/prediction/version-comparison';

describe('version comparison statistics', () => {
  it('computes the normal CDF', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
  });

  it('matches textbook two-proportion z-test and Mann-Whitney U values', () => {
    // 10/100 vs 20/100 errors: z = 1.980, p = 0.0477.
    expect(errorRateTest(10, 100, 20, 100)).toBeCloseTo(0.0477, 3);
    expect(errorRateTest(0, 100, 0, 100)).toBeNull();
    // Fully separated samples of 3: U = 0, z = -1.964, p = 0.0495 (scipy, asymptotic, no continuity correction).
    expect(mannWhitneyPValue([1, 2, 3], [4, 5, 6])).toBeCloseTo(0.0495, 3);
    expect(mannWhitneyPValue([1, 2, 3], [1, 2, 3])).toBeCloseTo(1, 6);
    expect(mannWhitneyPValue([], [1])).toBeNull();
  });

  it('compares every version with the first', () => {
    const rows = compareVersions([
      { version: 'a', latencies: [1, 2, 3, 4], errors: 0 },
      { version: 'b', latencies: [2, 3, 4, 5, 6], errors: 1 },
    ]);
    expect(rows[0]).toMatchObject({
      version: 'a',
      requests: 4,
      errorRate: 0,
      p50: 2,
      p50DeltaMs: null,
      errorRatePValue: null,
      latencyPValue: null,
    });
    expect(rows[1]).toMatchObject({
      version: 'b',
      requests: 5,
      errorRate: 0.2,
      p50: 4,
      p50DeltaMs: 2,
      errorRateDelta: 0.2,
    });
    expect(rows[1]!.latencyPValue).toBeGreaterThan(0);
    expect(rows[1]!.latencyPValue).toBeLessThan(1);
  });
});
