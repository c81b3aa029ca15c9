/** A categorical choice value. */
export type ParamValue = number | string | boolean;

/** One dimension of a search space (Optuna's FloatDistribution, IntDistribution, CategoricalDistribution). */
export type Distribution =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'categorical'; choices: ParamValue[] };

/** Parameter name → distribution. */
export type SearchSpace = Record<string, Distribution>;

/** Parameter values of one trial. */
export type Params = Record<string, ParamValue>;

/** Whether smaller or larger objective values are better. */
export type Direction = 'minimize' | 'maximize';

/** A search space that cannot be searched; `path` names the parameter and property. */
export class SearchSpaceError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'SearchSpaceError';
  }
}

/**
 * Checks bounds the way Optuna does: low ≤ high, log scale needs low > 0 and no step, a step must
 * divide (high − low) for ints, categorical choices are non-empty and distinct.
 */
export function validateSearchSpace(space: SearchSpace): void {
  const names = Object.keys(space);
  if (names.length === 0) throw new SearchSpaceError('the search space has no parameters', 'searchSpace');
  for (const name of names) {
    const d = space[name]!;
    if (d.type === 'categorical') {
      if (!Array.isArray(d.choices) || d.choices.length === 0)
        throw new SearchSpaceError('choices must not be empty', `${name}.choices`);
      if (new Set(d.choices.map((c) => `${typeof c}:${String(c)}`)).size !== d.choices.length)
        throw new SearchSpaceError('choices must be distinct', `${name}.choices`);
      continue;
    }
    if (!Number.isFinite(d.low) || !Number.isFinite(d.high))
      throw new SearchSpaceError('low and high must be finite numbers', name);
    if (d.low > d.high) throw new SearchSpaceError(`low (${d.low}) must not exceed high (${d.high})`, `${name}.low`);
    if (d.log && d.low <= 0) throw new SearchSpaceError('a log-scale parameter needs low > 0', `${name}.low`);
    if (d.log && d.step !== undefined) throw new SearchSpaceError('step and log cannot be combined', `${name}.step`);
    if (d.step !== undefined && !(d.step > 0)) throw new SearchSpaceError('step must be positive', `${name}.step`);
    if (d.type === 'int') {
      if (!Number.isInteger(d.low) || !Number.isInteger(d.high))
        throw new SearchSpaceError('int bounds must be integers', name);
      if (d.step !== undefined && (!Number.isInteger(d.step) || (d.high - d.low) % d.step !== 0))
        throw new SearchSpaceError('step must be an integer dividing high − low', `${name}.step`);
    }
  }
}

/** Snaps a numeric value onto the distribution's step grid (ints step 1 by default) and clamps it to the bounds. */
export function snapToDistribution(d: Exclude<Distribution, { type: 'categorical' }>, value: number): number {
  const step = d.step ?? (d.type === 'int' ? 1 : undefined);
  let v = value;
  if (step !== undefined) v = d.low + Math.round((v - d.low) / step) * step;
  if (d.type === 'int') v = Math.round(v);
  if (step !== undefined && d.type === 'float') v = Number(v.toPrecision(12));
  return Math.min(d.high, Math.max(d.low, v));
}
