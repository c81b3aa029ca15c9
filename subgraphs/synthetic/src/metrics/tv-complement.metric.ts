import type { Cell } from '../table/table.types';
import { categoryKey, isMissing } from '../table/table.types';

function counts(values: Cell[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const value of values) {
    if (isMissing(value)) continue;
    const key = categoryKey(value);
    map.set(key, (map.get(key) ?? 0) + 1);
  }
  return map;
}

/**
 * SDMetrics TVComplement: `1 - ½ Σ |p_synthetic - p_real|` over the real categories, missing values
 * dropped. A synthetic category absent from the real data gets a real count of 1e-6, exactly as
 * SDMetrics' `get_frequencies` regularises it. NaN when either side has no values.
 */
export function tvComplement(real: Cell[], synthetic: Cell[]): number {
  const realCounts = counts(real);
  const synthCounts = counts(synthetic);
  if (realCounts.size === 0 || synthCounts.size === 0) return NaN;
  for (const key of synthCounts.keys()) {
    if (!realCounts.has(key)) realCounts.set(key, 1e-6);
  }
  let realTotal = 0;
  for (const c of realCounts.values()) realTotal += c;
  let synthTotal = 0;
  for (const c of synthCounts.values()) synthTotal += c;
  let variation = 0;
  for (const [key, count] of realCounts) {
    variation += Math.abs((synthCounts.get(key) ?? 0) / synthTotal - count / realTotal);
  }
  return 1 - 0.5 * variation;
}
