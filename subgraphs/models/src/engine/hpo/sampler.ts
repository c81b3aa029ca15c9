import type { Direction, Params, SearchSpace } from './search-space';
import type { TrialRecord } from './trial';

/** Proposes the parameters of the next trial from the history so far. */
export interface Sampler {
  /** @returns the next parameters, or undefined when the sampler has nothing left to propose (an exhausted grid) */
  sample(space: SearchSpace, trials: readonly TrialRecord[], direction: Direction): Params | undefined;
}
