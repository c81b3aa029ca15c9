/**
 * SDMetrics ContingencySimilarity on two already-discrete columns (keys as produced by
 * `categoryKey`, missing values kept as their own group like pandas' `groupby(dropna=False)`):
 * `1 - ½ Σ |p_real(a,b) - p_synthetic(a,b)|` over the union of observed combinations.
 */
export function contingencySimilarity(real: [string[], string[]], synthetic: [string[], string[]]): number {
  const realTable = jointFrequencies(real);
  const synthTable = jointFrequencies(synthetic);
  let variation = 0;
  for (const [key, p] of realTable) variation += Math.abs(p - (synthTable.get(key) ?? 0));
  for (const [key, q] of synthTable) if (!realTable.has(key)) variation += q;
  return 1 - variation / 2;
}

function jointFrequencies([a, b]: [string[], string[]]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < a.length; i++) {
    const key = `${a[i]}\u0001${b[i]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const out = new Map<string, number>();
  for (const [key, c] of counts) out.set(key, c / a.length);
  return out;
}

/**
 * Cramér's V of the real contingency table without continuity correction (scipy's
 * `association(method='cramer')`), which SDMetrics compares with `real_association_threshold`.
 * NaN when the table has fewer than two rows or columns.
 */
export function cramersV([a, b]: [string[], string[]]): number {
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  const cells = new Map<string, number>();
  for (let i = 0; i < a.length; i++) {
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
    const key = `${a[i]}\u0001${b[i]}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const n = a.length;
  if (n === 0 || rows.size < 2 || cols.size < 2) return NaN;
  let chi2 = 0;
  for (const [r, rc] of rows) {
    for (const [c, cc] of cols) {
      const expected = (rc * cc) / n;
      const observed = cells.get(`${r}\u0001${c}`) ?? 0;
      chi2 += ((observed - expected) * (observed - expected)) / expected;
    }
  }
  return Math.sqrt(chi2 / (n * (Math.min(rows.size, cols.size) - 1)));
}
