import type { Rng } from '../math/rng';
import type { Cell } from '../table/table.types';

/** One category with its probability mass and the original cell to write back. */
export interface Category {
  key: string;
  value: Cell;
  weight: number;
}

/**
 * A categorical distribution mapped onto [0, 1) by frequency intervals (SDV's frequency /
 * uniform encoding): categories in decreasing frequency each own an interval as wide as their
 * probability, so the copula sees a continuous variable whose quantiles give back the categories.
 */
export class CategoricalMarginal {
  readonly categories: Category[];
  private readonly bounds: number[];
  private readonly index = new Map<string, number>();

  constructor(categories: Category[]) {
    const kept = categories.filter((c) => c.weight > 0);
    if (kept.length === 0) throw new Error('categorical marginal needs a category with positive weight');
    this.categories = [...kept].sort((a, b) => b.weight - a.weight);
    const total = this.categories.reduce((sum, c) => sum + c.weight, 0);
    this.bounds = [0];
    for (const c of this.categories) this.bounds.push(this.bounds[this.bounds.length - 1]! + c.weight / total);
    this.bounds[this.bounds.length - 1] = 1;
    this.categories.forEach((c, i) => this.index.set(c.key, i));
  }

  /** Probability of a category (0 when unknown). */
  probability(key: string): number {
    const i = this.index.get(key);
    return i === undefined ? 0 : this.bounds[i + 1]! - this.bounds[i]!;
  }

  /** A uniform draw inside the category's interval; an unknown category maps to the centre. */
  toUniform(key: string, rng: Rng): number {
    const i = this.index.get(key);
    if (i === undefined) return 0.5;
    const low = this.bounds[i]!;
    const high = this.bounds[i + 1]!;
    const u = low + (high - low) * rng.nextOpen();
    return Math.min(Math.max(u, 1e-12), 1 - 1e-12);
  }

  /** The category whose interval contains u. */
  fromUniform(u: number): Category {
    let lo = 0;
    let hi = this.categories.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.bounds[mid]! <= u) lo = mid;
      else hi = mid;
    }
    return this.categories[lo]!;
  }

  /** The same distribution restricted to the allowed keys; allowed keys never seen get equal small mass. */
  restrict(allowed: Set<string>, valueOf: (key: string) => Cell): CategoricalMarginal {
    const kept = this.categories.filter((c) => allowed.has(c.key));
    if (kept.length > 0) return new CategoricalMarginal(kept);
    return new CategoricalMarginal([...allowed].map((key) => ({ key, value: valueOf(key), weight: 1 })));
  }
}
