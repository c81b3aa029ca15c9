import { SeededRandom as LibSeededRandom } from '../../../../../lib/src/data/random';

/**
 * Models draws from the platform's one seeded generator (lib/src/data/random.ts) on the stream its
 * seeds have always named (mulberry32), so splits, weight initialisation, batch order and samplers
 * repeat exactly for a seed stored before.
 */
export class SeededRandom extends LibSeededRandom {
  constructor(seed: number) {
    super(seed, 'mulberry32');
  }
}
