import { SeededRandom } from '../math/seeded-random';
import { buildParzenEstimator, defaultWeights, logDensity, sampleMixture } from './parzen-estimator';
import { sampleIndependent } from './random.sampler';
import type { Sampler } from './sampler';
import type { Direction, Distribution, Params, ParamValue, SearchSpace } from './search-space';
import { snapToDistribution } from './search-space';
import type { TrialRecord } from './trial';
import { lastStep } from './trial';

/** Options of {@link TpeSampler}, with Optuna's defaults. */
export interface TpeOptions {
  seed?: number;
  /** Random sampling until this many trials have finished (complete or pruned). @default 10 */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) per parameter. @default 24 */
  nEiCandidates?: number;
  priorWeight?: number;
}

/** Optuna's default γ: the best min(⌈0.1·n⌉, 25) trials form the "good" group. */
export function tpeGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * Splits finished trials into good and bad ones: complete trials ranked by value, then pruned
 * trials ranked by how far they got (later step first) and their value there.
 */
export function splitTrials(
  trials: readonly TrialRecord[],
  direction: Direction,
): { below: TrialRecord[]; above: TrialRecord[] } {
  const sign = direction === 'minimize' ? 1 : -1;
  const complete = trials
    .filter((t) => t.state === 'COMPLETE' && t.value !== undefined)
    .sort((a, b) => sign * ((a.value as number) - (b.value as number)));
  const pruned = trials
    .filter((t) => t.state === 'PRUNED')
    .map((t) => {
      const step = lastStep(t);
      return {
        t,
        step: step ?? -1,
        value: step === undefined ? Infinity : sign * (t.intermediateValues.get(step) as number),
      };
    })
    .sort((a, b) => b.step - a.step || a.value - b.value)
    .map((p) => p.t);
  const ranked = [...complete, ...pruned];
  const nBelow = tpeGamma(ranked.length);
  const below = new Set(ranked.slice(0, nBelow));
  const byNumber = (a: TrialRecord, b: TrialRecord) => a.number - b.number;
  return {
    below: ranked.filter((t) => below.has(t)).sort(byNumber),
    above: ranked.filter((t) => !below.has(t)).sort(byNumber),
  };
}

function numericBounds(d: Exclude<Distribution, { type: 'categorical' }>): {
  low: number;
  high: number;
  transform: (v: number) => number;
  inverse: (v: number) => number;
} {
  const half = d.type === 'int' ? (d.step ?? 1) / 2 : d.step !== undefined ? d.step / 2 : 0;
  if (d.log)
    return {
      low: Math.log(Math.max(d.low - half, d.low / 2)),
      high: Math.log(d.high + half),
      transform: Math.log,
      inverse: Math.exp,
    };
  return { low: d.low - half, high: d.high + half, transform: (v) => v, inverse: (v) => v };
}

/**
 * Tree-structured Parzen Estimator, univariate as in Optuna's default: per parameter, fit l(x) on the
 * good trials and g(x) on the others, draw candidates from l and keep the one maximising
 * log l(x) − log g(x).
 */
export class TpeSampler implements Sampler {
  private readonly rng: SeededRandom;
  private readonly nStartupTrials: number;
  private readonly nEiCandidates: number;
  private readonly priorWeight: number;

  constructor(options: TpeOptions = {}) {
    this.rng = new SeededRandom(options.seed ?? 0);
    this.nStartupTrials = options.nStartupTrials ?? 10;
    this.nEiCandidates = options.nEiCandidates ?? 24;
    this.priorWeight = options.priorWeight ?? 1;
  }

  sample(space: SearchSpace, trials: readonly TrialRecord[], direction: Direction): Params {
    const finished = trials.filter((t) => t.state === 'COMPLETE' || t.state === 'PRUNED');
    const params: Params = {};
    if (finished.length < this.nStartupTrials) {
      for (const [name, d] of Object.entries(space)) params[name] = sampleIndependent(d, this.rng);
      return params;
    }
    const { below, above } = splitTrials(finished, direction);
    for (const [name, d] of Object.entries(space)) {
      const good = below.filter((t) => name in t.params).map((t) => t.params[name]!);
      const bad = above.filter((t) => name in t.params).map((t) => t.params[name]!);
      params[name] =
        d.type === 'categorical'
          ? this.sampleCategorical(d.choices, good, bad)
          : this.sampleNumeric(d, good as number[], bad as number[]);
    }
    return params;
  }

  private sampleNumeric(d: Exclude<Distribution, { type: 'categorical' }>, good: number[], bad: number[]): number {
    const { low, high, transform, inverse } = numericBounds(d);
    if (low === high) return d.low;
    const l = buildParzenEstimator(good.map(transform), low, high, this.priorWeight);
    const g = buildParzenEstimator(bad.map(transform), low, high, this.priorWeight);
    let best = sampleMixture(l, this.rng);
    let bestScore = logDensity(l, best) - logDensity(g, best);
    for (let i = 1; i < this.nEiCandidates; i++) {
      const x = sampleMixture(l, this.rng);
      const score = logDensity(l, x) - logDensity(g, x);
      if (score > bestScore) {
        best = x;
        bestScore = score;
      }
    }
    return snapToDistribution(d, inverse(best));
  }

  private sampleCategorical(choices: ParamValue[], good: ParamValue[], bad: ParamValue[]): ParamValue {
    const probabilities = (observed: ParamValue[]) => {
      const weights = defaultWeights(observed.length);
      const counts = choices.map(() => this.priorWeight / choices.length);
      observed.forEach((value, i) => {
        const k = choices.indexOf(value);
        if (k >= 0) counts[k]! += weights[i]!;
      });
      const total = counts.reduce((a, b) => a + b, 0);
      return counts.map((c) => c / total);
    };
    const l = probabilities(good);
    const g = probabilities(bad);
    let bestIndex = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < this.nEiCandidates; i++) {
      let u = this.rng.next();
      let k = 0;
      while (k < l.length - 1 && u >= l[k]!) u -= l[k++]!;
      const score = Math.log(l[k]!) - Math.log(g[k]!);
      if (score > bestScore) {
        bestIndex = k;
        bestScore = score;
      }
    }
    const best = choices[bestIndex];
    if (best === undefined) throw new RangeError(`nEiCandidates must be at least 1 (got ${this.nEiCandidates})`);
    return best;
  }
}
