import type { SeededRandom } from '../math/seeded-random';

/** A mixture of normals truncated to [low, high] (TPE's l(x) or g(x) for one numeric parameter). */
export interface TruncatedMixture {
  mus: number[];
  sigmas: number[];
  weights: number[];
  low: number;
  high: number;
}

/** Optuna's default observation weights: equal for the last 25, a linear ramp from 1/n for older ones. */
export function defaultWeights(n: number): number[] {
  if (n < 25) return Array.from({ length: n }, () => 1);
  const rampLength = n - 25;
  const ramp = Array.from({ length: rampLength }, (_, i) =>
    rampLength === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (rampLength - 1),
  );
  return [...ramp, ...Array.from({ length: 25 }, () => 1)];
}

/**
 * Builds the univariate Parzen estimator of Optuna's TPE (consider_prior, consider_magic_clip, no
 * endpoints): one component per observation plus a prior at the centre with width high − low; each
 * observation's sigma is the larger gap to its sorted neighbours, clipped to
 * [(high − low) / min(100, 1 + n), high − low].
 * @param observations values in the (possibly log-) transformed space, oldest first
 */
export function buildParzenEstimator(
  observations: readonly number[],
  low: number,
  high: number,
  priorWeight = 1,
): TruncatedMixture {
  const span = high - low;
  const priorMu = (low + high) / 2;
  const weights = [...defaultWeights(observations.length), priorWeight];
  const mus = [...observations, priorMu];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]!);
  const sorted = order.map((i) => mus[i]!);
  const sigmasSorted = sorted.map((mu, k) => {
    const left = k > 0 ? mu - sorted[k - 1]! : mu - low;
    const right = k + 1 < sorted.length ? sorted[k + 1]! - mu : high - mu;
    return Math.max(left, right);
  });
  if (sorted.length >= 2) {
    sigmasSorted[0] = sorted[1]! - sorted[0]!;
    sigmasSorted[sorted.length - 1] = sorted[sorted.length - 1]! - sorted[sorted.length - 2]!;
  }
  const minSigma = span / Math.min(100, 1 + mus.length);
  const sigmas = new Array<number>(mus.length);
  order.forEach((original, k) => (sigmas[original] = Math.min(span, Math.max(minSigma, sigmasSorted[k]!))));
  sigmas[mus.length - 1] = span;
  const total = weights.reduce((a, b) => a + b, 0);
  return { mus, sigmas, weights: weights.map((w) => w / total), low, high };
}

/** Normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Draws from the mixture: pick a component by weight, then rejection-sample its truncated normal. */
export function sampleMixture(mixture: TruncatedMixture, rng: SeededRandom): number {
  let u = rng.next();
  let k = 0;
  while (k < mixture.weights.length - 1 && u >= mixture.weights[k]!) u -= mixture.weights[k++]!;
  for (let attempt = 0; attempt < 100; attempt++) {
    const x = mixture.mus[k]! + mixture.sigmas[k]! * rng.gaussian();
    if (x >= mixture.low && x <= mixture.high) return x;
  }
  return rng.uniform(mixture.low, mixture.high);
}

/** Log density of the truncated mixture at x. */
export function logDensity(mixture: TruncatedMixture, x: number): number {
  let density = 0;
  mixture.mus.forEach((mu, k) => {
    const sigma = mixture.sigmas[k]!;
    const mass = normalCdf((mixture.high - mu) / sigma) - normalCdf((mixture.low - mu) / sigma);
    const z = (x - mu) / sigma;
    density +=
      (mixture.weights[k]! * Math.exp(-0.5 * z * z)) / (sigma * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
  });
  return Math.log(Math.max(density, 1e-300));
}
