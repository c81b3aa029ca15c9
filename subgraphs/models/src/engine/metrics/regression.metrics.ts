/** Validation metrics of a regressor. */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  /** Coefficient of determination, 1 − SS_res / SS_tot (NaN for a constant target). */
  r2: number;
}

/** RMSE, MAE and R² of predictions against the truth. */
export function regressionMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  const n = truth.length;
  if (n === 0) return { rmse: NaN, mae: NaN, r2: NaN };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i]!;
  mean /= n;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const e = truth[i]! - predicted[i]!;
    sse += e * e;
    sae += Math.abs(e);
    sst += (truth[i]! - mean) ** 2;
  }
  return { rmse: Math.sqrt(sse / n), mae: sae / n, r2: sst === 0 ? NaN : 1 - sse / sst };
}
