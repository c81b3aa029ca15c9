import type { Sampler } from './sampler';
import type { Distribution, Params, ParamValue, SearchSpace } from './search-space';
import { SearchSpaceError } from './search-space';
import type { TrialRecord } from './trial';

/** Grids larger than this are refused: a grid search over them would not finish. */
const MAX_GRID = 100_000;

/**
 * The grid values of one parameter: categorical choices, every step of an int (or float with a
 * step), otherwise `points` evenly spaced values (geometrically for log scale).
 */
export function gridValues(name: string, d: Distribution, points: number): ParamValue[] {
  if (d.type === 'categorical') return [...d.choices];
  if (d.low === d.high) return [d.low];
  const step = d.step ?? (d.type === 'int' && !d.log ? 1 : undefined);
  if (step !== undefined) {
    const count = Math.floor((d.high - d.low) / step + 1e-9) + 1;
    if (count > MAX_GRID) throw new SearchSpaceError(`${count} grid values`, name);
    return Array.from({ length: count }, (_, i) => Number((d.low + i * step).toPrecision(12)));
  }
  const values = Array.from({ length: points }, (_, i) => {
    const t = i / (points - 1);
    const v = d.log
      ? Math.exp(Math.log(d.low) + t * (Math.log(d.high) - Math.log(d.low)))
      : d.low + t * (d.high - d.low);
    // 12 significant digits drop the rounding noise of exp/log (10.000000000000002 → 10).
    return Number(v.toPrecision(12));
  });
  return [...new Set(d.type === 'int' ? values.map((v) => Math.round(v)) : values)];
}

function key(params: Params, names: string[]): string {
  return JSON.stringify(names.map((n) => params[n]));
}

/**
 * Exhaustive search over the cartesian product of {@link gridValues}, in order, skipping
 * combinations that an existing trial (running or finished) already holds.
 */
export class GridSampler implements Sampler {
  constructor(private readonly pointsPerContinuousParam = 5) {
    if (!Number.isInteger(pointsPerContinuousParam) || pointsPerContinuousParam < 2)
      throw new RangeError('points per continuous parameter must be an integer ≥ 2');
  }

  /** Number of combinations of the grid of `space`. */
  size(space: SearchSpace): number {
    return Object.entries(space).reduce(
      (n, [name, d]) => n * gridValues(name, d, this.pointsPerContinuousParam).length,
      1,
    );
  }

  sample(space: SearchSpace, trials: readonly TrialRecord[]): Params | undefined {
    const names = Object.keys(space);
    const axes = names.map((name) => gridValues(name, space[name]!, this.pointsPerContinuousParam));
    const total = axes.reduce((n, axis) => n * axis.length, 1);
    if (total > MAX_GRID)
      throw new SearchSpaceError(`the grid has ${total} combinations (more than ${MAX_GRID})`, 'searchSpace');
    const taken = new Set(trials.map((t) => key(t.params, names)));
    for (let index = 0; index < total; index++) {
      const params: Params = {};
      let rest = index;
      for (let a = axes.length - 1; a >= 0; a--) {
        params[names[a]!] = axes[a]![rest % axes[a]!.length]!;
        rest = Math.floor(rest / axes[a]!.length);
      }
      if (!taken.has(key(params, names))) return params;
    }
    return undefined;
  }
}
