import { pearsonOfPairs } from './numeric.util';

/** Result of CorrelationSimilarity: the score and both coefficients (NaN when undefined). */
export interface CorrelationBreakdown {
  score: number;
  real: number;
  synthetic: number;
}

/** pandas' `nunique() == 1`: exactly one distinct non-missing value (stops at the second one). */
function isConstant(values: (number | null)[]): boolean {
  let first: number | null = null;
  for (const v of values) {
    if (v === null || Number.isNaN(v)) continue;
    if (first === null) first = v;
    else if (v !== first) return false;
  }
  return first !== null;
}

/**
 * SDMetrics CorrelationSimilarity with the Pearson coefficient: `1 - |ρ_real - ρ_synthetic| / 2`,
 * computed on rows where both columns are present. Constant input (one distinct value in a column
 * of either table) makes the correlation undefined: the score is NaN, as SDMetrics reports it.
 */
export function correlationSimilarity(
  real: [(number | null)[], (number | null)[]],
  synthetic: [(number | null)[], (number | null)[]],
): CorrelationBreakdown {
  const constant = [...real, ...synthetic].some(isConstant);
  if (constant) return { score: NaN, real: NaN, synthetic: NaN };
  const rho = pearsonOfPairs(real[0], real[1]);
  const sigma = pearsonOfPairs(synthetic[0], synthetic[1]);
  if (Number.isNaN(rho) || Number.isNaN(sigma)) return { score: NaN, real: rho, synthetic: sigma };
  return { score: 1 - Math.abs(rho - sigma) / 2, real: rho, synthetic: sigma };
}
