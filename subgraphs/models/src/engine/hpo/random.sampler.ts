import { SeededRandom } from '../math/seeded-random';
import type { Sampler } from './sampler';
import type { Distribution, Params, ParamValue, SearchSpace } from './search-space';
import { snapToDistribution } from './search-space';

/**
 * Draws one value from a distribution: uniform (in log space for log scale; int bounds widened by
 * half a step so the end values are as likely as the others), then snapped to the step grid.
 */
export function sampleIndependent(d: Distribution, rng: SeededRandom): ParamValue {
  if (d.type === 'categorical') return d.choices[rng.int(d.choices.length)]!;
  const half = d.type === 'int' ? (d.step ?? 1) / 2 : d.step !== undefined ? d.step / 2 : 0;
  const low = d.low - half;
  const high = d.high + half;
  const value = d.log
    ? Math.exp(rng.uniform(Math.log(Math.max(low, d.low / 2)), Math.log(high)))
    : rng.uniform(low, high);
  return snapToDistribution(d, value);
}

/** Independent uniform sampling (Optuna's RandomSampler). */
export class RandomSampler implements Sampler {
  private readonly rng: SeededRandom;

  constructor(seed = 0) {
    this.rng = new SeededRandom(seed);
  }

  sample(space: SearchSpace): Params {
    const params: Params = {};
    for (const [name, d] of Object.entries(space)) params[name] = sampleIndependent(d, this.rng);
    return params;
  }
}
