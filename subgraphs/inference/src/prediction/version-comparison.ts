import { percentile } from '../runtime/version.metrics';

/** Outcomes of one version within the compared window. */
export interface VersionSample {
  version: string;
  latencies: number[];
  errors: number;
}

export interface VersionComparisonResult {
  version: string;
  requests: number;
  errors: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Differences against the baseline (null for the baseline itself or without data). */
  p50DeltaMs: number | null;
  errorRateDelta: number | null;
  /** Two-sided p-value of a two-proportion z-test on error rates. */
  errorRatePValue: number | null;
  /** Two-sided p-value of a Mann-Whitney U test (normal approximation, tie-corrected) on latencies. */
  latencyPValue: number | null;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, absolute error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

function twoSided(z: number): number {
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}

/** Two-proportion z-test; null when undefined (no data, or no errors on either side). */
export function errorRateTest(e1: number, n1: number, e2: number, n2: number): number | null {
  if (n1 === 0 || n2 === 0) return null;
  const p = (e1 + e2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return null;
  return twoSided((e2 / n2 - e1 / n1) / se);
}

/** Mann-Whitney U test with the normal approximation and tie correction. */
export function mannWhitneyPValue(a: readonly number[], b: readonly number[]): number | null {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return null;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) if (all[k]!.g === 0) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0)) return null;
  return twoSided((u - (n1 * n2) / 2) / sigma);
}

/** Compares every version with the first (the baseline). */
export function compareVersions(samples: readonly VersionSample[]): VersionComparisonResult[] {
  const base = samples[0]!;
  const summarize = (s: VersionSample) => {
    const sorted = [...s.latencies].sort((x, y) => x - y);
    return { sorted, n: s.latencies.length, p50: percentile(sorted, 50) };
  };
  const baseSummary = base ? summarize(base) : undefined;
  return samples.map((s, i) => {
    const { sorted, n, p50 } = summarize(s);
    const errorRate = n ? s.errors / n : null;
    const baseRate = baseSummary?.n ? base.errors / baseSummary.n : null;
    const isBase = i === 0;
    return {
      version: s.version,
      requests: n,
      errors: s.errors,
      errorRate,
      p50,
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      p50DeltaMs: !isBase && p50 !== null && baseSummary?.p50 != null ? p50 - baseSummary.p50 : null,
      errorRateDelta: !isBase && errorRate !== null && baseRate !== null ? errorRate - baseRate : null,
      errorRatePValue: isBase || !baseSummary ? null : errorRateTest(base.errors, baseSummary.n, s.errors, n),
      latencyPValue: isBase || !base ? null : mannWhitneyPValue(base.latencies, s.latencies),
    };
  });
}
