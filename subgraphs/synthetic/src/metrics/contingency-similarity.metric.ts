/** A discrete column as integer codes (one code per category, missing values included as a code). */
export type Codes = ArrayLike<number>;

/** Dense tables up to this many cells are counted in an array (the common case), larger ones in a Map. */
const DENSE_LIMIT = 1 << 20;

function jointCounts([a, b]: [Codes, Codes], width: number): Map<number, number> {
  const height = widthOf(a);
  const counts = new Map<number, number>();
  if (width * height <= DENSE_LIMIT) {
    const dense = new Float64Array(width * height);
    for (let i = 0; i < a.length; i++) dense[a[i]! * width + b[i]!]!++;
    for (let key = 0; key < dense.length; key++) if (dense[key]! > 0) counts.set(key, dense[key]!);
    return counts;
  }
  for (let i = 0; i < a.length; i++) {
    const key = a[i]! * width + b[i]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function widthOf(...columns: Codes[]): number {
  let max = 0;
  for (const column of columns) for (let i = 0; i < column.length; i++) if (column[i]! > max) max = column[i]!;
  return max + 1;
}

/**
 * SDMetrics ContingencySimilarity on two discrete columns given as codes shared by both tables
 * (missing values are a code of their own, like pandas' `groupby(dropna=False)`):
 * `1 - ½ Σ |p_real(a,b) - p_synthetic(a,b)|` over the union of observed combinations.
 */
export function contingencySimilarity(real: [Codes, Codes], synthetic: [Codes, Codes]): number {
  const width = widthOf(real[1], synthetic[1]);
  const realCounts = jointCounts(real, width);
  const synthCounts = jointCounts(synthetic, width);
  const n = real[0].length;
  const m = synthetic[0].length;
  let variation = 0;
  for (const [key, count] of realCounts) variation += Math.abs(count / n - (synthCounts.get(key) ?? 0) / m);
  for (const [key, count] of synthCounts) if (!realCounts.has(key)) variation += count / m;
  return 1 - variation / 2;
}

/**
 * Cramér's V of the real contingency table without continuity correction (scipy's
 * `association(method='cramer')`), which SDMetrics compares with `real_association_threshold`.
 * NaN when the table has fewer than two rows or columns.
 */
export function cramersV(pair: [Codes, Codes]): number {
  const [a, b] = pair;
  const n = a.length;
  const height = widthOf(a);
  const width = widthOf(b);
  // Marginal counts by code, and the codes in order of first appearance: the sum below adds its terms in
  // that order, as a Map keyed by first appearance would, so the result does not depend on code values.
  const rowCounts = new Float64Array(height);
  const colCounts = new Float64Array(width);
  const rowOrder: number[] = [];
  const colOrder: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = a[i]!;
    const c = b[i]!;
    if (rowCounts[r]!++ === 0) rowOrder.push(r);
    if (colCounts[c]!++ === 0) colOrder.push(c);
  }
  if (n === 0 || rowOrder.length < 2 || colOrder.length < 2) return NaN;
  const cells = jointCounts(pair, width);
  let chi2 = 0;
  for (const r of rowOrder) {
    const rc = rowCounts[r]!;
    for (const c of colOrder) {
      const expected = (rc * colCounts[c]!) / n;
      const observed = cells.get(r * width + c) ?? 0;
      chi2 += ((observed - expected) * (observed - expected)) / expected;
    }
  }
  return Math.sqrt(chi2 / (n * (Math.min(rowOrder.length, colOrder.length) - 1)));
}
