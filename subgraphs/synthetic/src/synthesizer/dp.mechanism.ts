import { normalCdf } from '../math/normal';
import type { Rng } from '../math/rng';

/**
 * Neighbouring datasets differ by replacing one row (bounded DP, n public): one row moves one
 * unit of count between two histogram bins, so a histogram's L1 sensitivity is 2.
 */
export const HISTOGRAM_L1_SENSITIVITY = 2;

/** Laplace mechanism on a histogram: each count + Laplace(2/ε), negatives clipped to 0 (post-processing). */
export function noisyHistogram(counts: number[], epsilon: number, rng: Rng): number[] {
  const scale = HISTOGRAM_L1_SENSITIVITY / epsilon;
  return counts.map((count) => Math.max(0, count + rng.laplace(scale)));
}

/**
 * Release threshold for categories whose domain is not public (stability-based histogram):
 * a category that only exists in one neighbour has count ≤ 1 there, and passes
 * `1 + Laplace(b) > τ` with probability ½·exp(-(τ-1)/b) = δ.
 */
export function stabilityThreshold(epsilon: number, delta: number): number {
  const b = HISTOGRAM_L1_SENSITIVITY / epsilon;
  return 1 + b * Math.log(1 / (2 * delta));
}

/**
 * The analytic Gaussian mechanism's noise scale (Balle & Wang, 2018): the smallest σ with
 * Φ(Δ/2σ − εσ/Δ) − e^ε·Φ(−Δ/2σ − εσ/Δ) ≤ δ, found by bisection; valid for every ε > 0.
 */
export function analyticGaussianSigma(sensitivity: number, epsilon: number, delta: number): number {
  const privacyLoss = (sigma: number): number => {
    const a = sensitivity / (2 * sigma);
    const b = (epsilon * sigma) / sensitivity;
    return normalCdf(a - b) - Math.exp(Math.min(epsilon, 700)) * normalCdf(-a - b);
  };
  let lo = 1e-8 * sensitivity;
  let hi = sensitivity;
  while (privacyLoss(hi) > delta) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (privacyLoss(mid) > delta) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** How an (ε, δ) budget is spent, recorded on the job's compliance report. */
export interface DpBudget {
  epsilon: number;
  delta: number;
  /** ε for each column's marginal histogram (half of ε split evenly: sequential composition). */
  marginalEpsilonPerColumn: number;
  /** ε and δ of the correlation matrix release (the other half of ε, half of δ). */
  correlationEpsilon: number;
  correlationDelta: number;
  /** δ for each categorical column whose domain is not public (the other half of δ, split evenly). */
  categoryDeltaPerColumn: number;
}

/**
 * Splits (ε, δ) across the model's releases so their basic composition is (ε, δ)-DP.
 * @throws Error when ε or δ is out of range.
 */
export function planBudget(epsilon: number, delta: number, columns: number, privateDomainColumns: number): DpBudget {
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new Error('epsilon must be a positive number');
  if (!(delta > 0 && delta < 1)) throw new Error('delta must be in (0, 1)');
  return {
    epsilon,
    delta,
    marginalEpsilonPerColumn: epsilon / 2 / Math.max(columns, 1),
    correlationEpsilon: epsilon / 2,
    correlationDelta: delta / 2,
    // A replaced row can add one category and remove another: two threshold events per column.
    categoryDeltaPerColumn: delta / 2 / Math.max(privateDomainColumns, 1) / 2,
  };
}

/** Correlation release: clipped normal scores, so one replaced row moves the upper triangle by at most √2·d·c²/n (L2). */
export const SCORE_CLIP = 3;

/** L2 sensitivity of the mean outer product of `dims`-dimensional scores clipped to ±SCORE_CLIP over n rows. */
export function correlationSensitivity(dims: number, n: number): number {
  return (Math.SQRT2 * dims * SCORE_CLIP * SCORE_CLIP) / n;
}
