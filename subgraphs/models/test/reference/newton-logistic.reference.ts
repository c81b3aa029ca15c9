import type { Matrix } from '../../src/engine/math/matrix';
import { solveCholesky } from '../../src/engine/math/matrix';

/**
 * Reference implementation for tests: multinomial logistic regression fitted by Newton's method
 * (IRLS) with backtracking, minimising mean cross-entropy + λ/2·‖W‖² (biases unpenalised) to a
 * gradient norm below 1e-10. The objective is convex, so this is its exact optimum; it shares no
 * code with the trainers beyond the linear solver.
 * @returns weights [(d + 1) × K] with the bias in row d, and the objective value
 */
export function fitNewtonLogistic(
  x: Matrix,
  labels: Int32Array,
  classes: number,
  l2: number,
): { weights: Float64Array; objective: number; iterations: number } {
  const d = x.cols + 1;
  const n = x.rows;
  const size = d * classes;
  const feature = (r: number, a: number) => (a === x.cols ? 1 : x.data[r * x.cols + a]!);
  const probabilities = (w: Float64Array) => {
    const p = new Float64Array(n * classes);
    for (let r = 0; r < n; r++) {
      let max = -Infinity;
      for (let k = 0; k < classes; k++) {
        let z = 0;
        for (let a = 0; a < d; a++) z += feature(r, a) * w[a * classes + k]!;
        p[r * classes + k] = z;
        max = Math.max(max, z);
      }
      let sum = 0;
      for (let k = 0; k < classes; k++) sum += p[r * classes + k] = Math.exp(p[r * classes + k]! - max);
      for (let k = 0; k < classes; k++) p[r * classes + k]! /= sum;
    }
    return p;
  };
  const objective = (w: Float64Array) => {
    const p = probabilities(w);
    let loss = 0;
    for (let r = 0; r < n; r++) loss -= Math.log(p[r * classes + labels[r]!]!);
    let penalty = 0;
    for (let a = 0; a < x.cols; a++) for (let k = 0; k < classes; k++) penalty += w[a * classes + k]! ** 2;
    return loss / n + (l2 / 2) * penalty;
  };
  let w = new Float64Array(size);
  let iterations = 0;
  for (; iterations < 200; iterations++) {
    const p = probabilities(w);
    const grad = new Float64Array(size);
    const hess = new Float64Array(size * size);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < classes; j++) {
        const residual = p[r * classes + j]! - (labels[r] === j ? 1 : 0);
        for (let a = 0; a < d; a++) grad[a * classes + j]! += (residual * feature(r, a)) / n;
        for (let k = 0; k < classes; k++) {
          const c = p[r * classes + j]! * ((j === k ? 1 : 0) - p[r * classes + k]!);
          for (let a = 0; a < d; a++)
            for (let b = 0; b < d; b++)
              hess[(a * classes + j) * size + b * classes + k]! += (c * feature(r, a) * feature(r, b)) / n;
        }
      }
    }
    for (let a = 0; a < x.cols; a++) {
      for (let k = 0; k < classes; k++) {
        grad[a * classes + k]! += l2 * w[a * classes + k]!;
        hess[(a * classes + k) * size + a * classes + k]! += l2;
      }
    }
    // The softmax is invariant to shifting every bias equally: damp that null direction.
    for (let i = 0; i < size; i++) hess[i * size + i]! += 1e-9;
    const norm = Math.sqrt(grad.reduce((s, g) => s + g * g, 0));
    if (norm < 1e-10) break;
    const stepDirection = solveCholesky(hess, size, grad);
    const current = objective(w);
    let t = 1;
    let next = w.map((v, i) => v - t * stepDirection[i]!);
    while (objective(next) > current && t > 1e-8) {
      t /= 2;
      next = w.map((v, i) => v - t * stepDirection[i]!);
    }
    w = next;
  }
  return { weights: w, objective: objective(w), iterations };
}

/** Class probabilities of the reference model. */
export function predictNewtonLogistic(weights: Float64Array, x: Matrix, classes: number): Float64Array {
  const out = new Float64Array(x.rows * classes);
  for (let r = 0; r < x.rows; r++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) {
      let z = weights[x.cols * classes + k]!;
      for (let a = 0; a < x.cols; a++) z += x.data[r * x.cols + a]! * weights[a * classes + k]!;
      out[r * classes + k]! = z;
      max = Math.max(max, z);
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += out[r * classes + k] = Math.exp(out[r * classes + k]! - max);
    for (let k = 0; k < classes; k++) out[r * classes + k]! /= sum;
  }
  return out;
}
