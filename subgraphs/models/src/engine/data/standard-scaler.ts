import type { Matrix } from '../math/matrix';

/** Per-column centring and scaling learnt on training rows (population standard deviation, like scikit-learn). */
export interface StandardScaler {
  mean: Float64Array;
  scale: Float64Array;
}

/**
 * Learns column means and standard deviations. A constant column gets scale 1 so that it maps to 0
 * instead of dividing by zero.
 */
export function fitStandardScaler(x: Matrix): StandardScaler {
  const mean = new Float64Array(x.cols);
  const scale = new Float64Array(x.cols);
  for (let r = 0; r < x.rows; r++) for (let c = 0; c < x.cols; c++) mean[c]! += x.data[r * x.cols + c]!;
  for (let c = 0; c < x.cols; c++) mean[c]! /= Math.max(1, x.rows);
  for (let r = 0; r < x.rows; r++) {
    for (let c = 0; c < x.cols; c++) {
      const d = x.data[r * x.cols + c]! - mean[c]!;
      scale[c]! += d * d;
    }
  }
  for (let c = 0; c < x.cols; c++) {
    const sd = Math.sqrt(scale[c]! / Math.max(1, x.rows));
    scale[c] = sd > 1e-12 ? sd : 1;
  }
  return { mean, scale };
}

/** Returns a standardized copy of x. */
export function transformStandard(scaler: StandardScaler, x: Matrix): Matrix {
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < x.rows; r++) {
    for (let c = 0; c < x.cols; c++) {
      const i = r * x.cols + c;
      out[i] = (x.data[i]! - scaler.mean[c]!) / scaler.scale[c]!;
    }
  }
  return { data: out, rows: x.rows, cols: x.cols };
}
