/**
 * numpy's `round(x, decimals)`: scale, round half to even, unscale. SDMetrics rounds to 14
 * decimals before the KS test so float noise does not split equal values.
 */
export function roundHalfEven(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const scaled = value * factor;
  if (!Number.isFinite(scaled) || Math.abs(scaled) >= 2 ** 52) return value;
  let rounded = Math.round(scaled);
  if (Math.abs(scaled % 1) === 0.5 && rounded % 2 !== 0) rounded -= 1;
  return rounded / factor;
}

/**
 * The smallest and largest of `values` (NaN skipped), or null when there are none. A loop, not
 * `Math.min(...values)`: spreading a column of 200k values as arguments overflows the stack.
 */
export function extent(values: Iterable<number>): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : null;
}

/** `np.histogram_bin_edges(values)` with the default 10 equal-width bins (numpy's linspace arithmetic). */
export function histogramBinEdges(values: number[], bins = 10): number[] {
  let first = 0;
  let last = 1;
  if (values.length > 0) {
    first = Infinity;
    last = -Infinity;
    for (const v of values) {
      if (v < first) first = v;
      if (v > last) last = v;
    }
  }
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const step = (last - first) / bins;
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) edges.push(i * step + first);
  edges[bins] = last;
  return edges;
}

/**
 * `np.digitize(value, edges)` for increasing edges (right=False): the count of edges `<= value`.
 * NaN (a missing value) sorts after every edge, so it lands in bin `edges.length`, as in numpy.
 */
export function digitize(value: number, edges: number[]): number {
  if (Number.isNaN(value)) return edges.length;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Pearson's r (as scipy's `pearsonr`: centred, normalised dot product, clipped to [-1, 1]) of the
 * rows where both values are present (not null, not NaN), read in place rather than copied out;
 * NaN when undefined (fewer than two such rows, or a constant side).
 */
export function pearsonOfPairs(x: ArrayLike<number | null>, y: ArrayLike<number | null>): number {
  const length = Math.min(x.length, y.length);
  let n = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < length; i++) {
    const u = x[i];
    const v = y[i];
    if (u === null || v === null || u === undefined || v === undefined || u !== u || v !== v) continue;
    mx += u;
    my += v;
    n++;
  }
  if (n < 2) return NaN;
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < length; i++) {
    const u = x[i];
    const v = y[i];
    if (u === null || v === null || u === undefined || v === undefined || u !== u || v !== v) continue;
    const dx = u - mx;
    const dy = v - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  const r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
  return Math.max(-1, Math.min(1, r));
}

/** The two-sample Kolmogorov–Smirnov statistic D = max |F1 - F2| over the pooled sample (scipy's `ks_2samp`). */
export function ksStatistic(a: number[], b: number[]): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 && j < n2) {
    const v = x[i]! <= y[j]! ? x[i]! : y[j]!;
    while (i < n1 && x[i]! <= v) i++;
    while (j < n2 && y[j]! <= v) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  return d;
}

/** Mean of the finite entries (numpy's `nanmean`); NaN when there are none. */
export function nanMean(values: number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? NaN : sum / count;
}

/** Median (numpy's: mean of the two middle values for an even count); NaN for an empty list. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
