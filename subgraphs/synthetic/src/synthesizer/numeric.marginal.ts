/** A continuous one-dimensional distribution the copula maps to and from the unit interval. */
export interface NumericMarginal {
  readonly min: number;
  readonly max: number;
  /** P(X ≤ x), kept inside (0, 1). */
  cdf(x: number): number;
  /** The value at probability u in (0, 1). */
  quantile(u: number): number;
}

/**
 * The empirical distribution with linear interpolation between order statistics (plotting
 * positions (i + ½)/n), so sampled values fall between observed ones instead of repeating them;
 * ties get their mid-rank in `cdf`.
 */
export class EmpiricalMarginal implements NumericMarginal {
  private readonly sorted: Float64Array;
  readonly min: number;
  readonly max: number;

  constructor(values: number[]) {
    if (values.length === 0) throw new Error('empirical marginal needs at least one value');
    this.sorted = Float64Array.from(values).sort();
    this.min = this.sorted[0]!;
    this.max = this.sorted[this.sorted.length - 1]!;
  }

  cdf(x: number): number {
    const n = this.sorted.length;
    const below = lowerBound(this.sorted, x);
    const upTo = upperBound(this.sorted, x);
    const u = (below + upTo) / 2 / n;
    return Math.min(Math.max(u, 0.5 / n), 1 - 0.5 / n);
  }

  quantile(u: number): number {
    const n = this.sorted.length;
    const position = Math.min(Math.max(u * n - 0.5, 0), n - 1);
    const i = Math.floor(position);
    const fraction = position - i;
    if (i + 1 >= n) return this.sorted[n - 1]!;
    return this.sorted[i]! + fraction * (this.sorted[i + 1]! - this.sorted[i]!);
  }
}

/**
 * A piecewise-uniform distribution over fixed bins (the differentially private marginal: the bin
 * masses are noised counts, the edges come from public bounds).
 */
export class HistogramMarginal implements NumericMarginal {
  private readonly cumulative: number[];
  readonly min: number;
  readonly max: number;

  constructor(
    private readonly edges: number[],
    masses: number[],
  ) {
    const total = masses.reduce((a, b) => a + b, 0);
    const probabilities = total > 0 ? masses.map((m) => m / total) : masses.map(() => 1 / masses.length);
    this.cumulative = [0];
    for (const p of probabilities) this.cumulative.push(this.cumulative[this.cumulative.length - 1]! + p);
    this.cumulative[this.cumulative.length - 1] = 1;
    this.min = edges[0]!;
    this.max = edges[edges.length - 1]!;
  }

  cdf(x: number): number {
    const bins = this.edges.length - 1;
    if (x <= this.min) return 1e-9;
    if (x >= this.max) return 1 - 1e-9;
    let bin = upperBound(Float64Array.from(this.edges), x) - 1;
    bin = Math.min(Math.max(bin, 0), bins - 1);
    const width = this.edges[bin + 1]! - this.edges[bin]!;
    const within = width > 0 ? (x - this.edges[bin]!) / width : 0.5;
    const u = this.cumulative[bin]! + within * (this.cumulative[bin + 1]! - this.cumulative[bin]!);
    return Math.min(Math.max(u, 1e-9), 1 - 1e-9);
  }

  quantile(u: number): number {
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! <= u) lo = mid;
      else hi = mid;
    }
    const mass = this.cumulative[lo + 1]! - this.cumulative[lo]!;
    const within = mass > 0 ? (u - this.cumulative[lo]!) / mass : 0.5;
    return this.edges[lo]! + within * (this.edges[lo + 1]! - this.edges[lo]!);
  }
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
