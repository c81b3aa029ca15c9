// Models draws from the platform's one seeded generator (lib/src/data/random.ts).
export { SeededRandom } from '../../../../../lib/src/index';
