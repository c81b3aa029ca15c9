import { SeededRandom } from '../math/seeded-random';

/** Row indices of the two parts of a split. */
export interface SplitIndices {
  trainIndex: Int32Array;
  validationIndex: Int32Array;
}

/** Options of {@link trainValidationSplit}. */
export interface SplitOptions {
  /** Share of rows held out, in (0, 1). */
  validationFraction: number;
  seed: number;
  /** Class label per row: when given, each class is split in the same proportion. */
  stratify?: Int32Array;
}

/**
 * Shuffles rows with a seeded generator and holds out a fraction for validation (per class when
 * stratified, rounding each class's held-out count to the nearest integer and keeping one row per
 * class for training).
 */
export function trainValidationSplit(rows: number, options: SplitOptions): SplitIndices {
  const { validationFraction, seed, stratify } = options;
  if (!(validationFraction > 0 && validationFraction < 1)) throw new RangeError('validationFraction must be in (0, 1)');
  const rng = new SeededRandom(seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < rows; i++) {
    const key = stratify ? stratify[i] : 0;
    if (key === undefined) throw new RangeError(`stratify has ${stratify?.length} labels for ${rows} rows`);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const members = rng.shuffle(groups.get(key) as number[]);
    const held = Math.min(members.length - 1, Math.round(members.length * validationFraction));
    validation.push(...members.slice(0, held));
    train.push(...members.slice(held));
  }
  if (train.length === 0 || validation.length === 0)
    throw new RangeError(`cannot split ${rows} rows into non-empty train and validation parts`);
  return {
    trainIndex: Int32Array.from(train.sort((a, b) => a - b)),
    validationIndex: Int32Array.from(validation.sort((a, b) => a - b)),
  };
}
