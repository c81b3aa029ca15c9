// Synthetic draws from the platform's one seeded generator (lib/src/data/random.ts).
export { SeededRandom as Rng } from '../../../../lib/src/data/random';
