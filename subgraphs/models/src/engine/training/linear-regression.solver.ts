import type { Matrix } from '../math/matrix';
import { solveCholesky } from '../math/matrix';

/**
 * Least squares on centred (standardized) features and target: minimises
 * mean ½(y − Xw)² + λ/2·‖w‖² by the normal equations (XᵀX/n + λI) w = Xᵀy/n.
 * The intercept is zero because both sides are centred.
 */
export function solveLeastSquares(x: Matrix, y: Float64Array, l2: number): Float64Array {
  const { rows, cols, data } = x;
  const gram = new Float64Array(cols * cols);
  const rhs = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    for (let i = 0; i < cols; i++) {
      const xi = data[offset + i]!;
      rhs[i]! += xi * y[r]!;
      for (let j = 0; j <= i; j++) gram[i * cols + j]! += xi * data[offset + j]!;
    }
  }
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j <= i; j++) {
      gram[i * cols + j]! /= rows;
      gram[j * cols + i]! = gram[i * cols + j]!;
    }
    gram[i * cols + i]! += l2 + 1e-12;
    rhs[i]! /= rows;
  }
  return solveCholesky(gram, cols, rhs);
}
