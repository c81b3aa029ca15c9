import type { Matrix } from '../math/linear-algebra';
import { identity, nearestCorrelation } from '../math/linear-algebra';
import { normalQuantile } from '../math/normal';
import type { Rng } from '../math/rng';
import type { Cell } from '../table/table.types';
import { categoryKey } from '../table/table.types';
import type { ColumnModel } from './column-model';
import { PRESENT_KEY } from './column-model';
import type { DpBudget } from './dp.mechanism';
import { analyticGaussianSigma, correlationSensitivity, SCORE_CLIP } from './dp.mechanism';

/** Number of copula dimensions a column uses (a numeric column with nulls adds a null indicator). */
export function dimensionsOf(model: ColumnModel): number {
  return model.kind === 'numeric' && model.nulls ? 2 : 1;
}

/**
 * Normal scores Φ⁻¹(F(x)) of every row for every copula dimension; NaN where the value is
 * missing (the null indicator carries that row instead).
 */
export function normalScores(
  models: ColumnModel[],
  rows: Cell[][],
  numbers: Map<number, Float64Array>,
  rng: Rng,
): Float64Array[] {
  const dims = models.reduce((sum, m) => sum + dimensionsOf(m), 0);
  const scores = Array.from({ length: dims }, () => new Float64Array(rows.length));
  let d = 0;
  for (const model of models) {
    const target = scores[d]!;
    if (model.kind === 'numeric') {
      const indicator = model.nulls ? scores[d + 1] : null;
      const nullRng = rng.fork(`nulls:${model.meta.name}`);
      const values = numbers.get(model.index)!;
      rows.forEach((_row, i) => {
        const v = values[i]!;
        const value = Number.isNaN(v) ? null : v;
        target[i] = value === null ? NaN : normalQuantile(model.marginal.cdf(value));
        if (indicator && model.nulls) {
          const key = value === null ? categoryKey(null) : PRESENT_KEY;
          indicator[i] = normalQuantile(model.nulls.toUniform(key, nullRng));
        }
      });
    } else {
      const catRng = rng.fork(`categories:${model.meta.name}`);
      rows.forEach((row, i) => {
        target[i] = normalQuantile(model.marginal.toUniform(categoryKey(row[model.index]!), catRng));
      });
    }
    d += dimensionsOf(model);
  }
  return scores;
}

/** Pearson correlation of the normal scores over the rows where both are present, made a valid correlation matrix. */
export function estimateCorrelation(scores: Float64Array[]): Matrix {
  const d = scores.length;
  const matrix = identity(d);
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      const x = scores[a]!;
      const y = scores[b]!;
      let n = 0;
      let sx = 0;
      let sy = 0;
      for (let i = 0; i < x.length; i++) {
        if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
        n++;
        sx += x[i]!;
        sy += y[i]!;
      }
      if (n < 3) continue;
      const mx = sx / n;
      const my = sy / n;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let i = 0; i < x.length; i++) {
        if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
        const dx = x[i]! - mx;
        const dy = y[i]! - my;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
      }
      const r = sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
      matrix[a]![b] = r;
      matrix[b]![a] = r;
    }
  }
  return d > 1 ? nearestCorrelation(matrix) : matrix;
}

/**
 * Differentially private correlation: scores clipped to ±SCORE_CLIP (missing = 0), their mean
 * outer product released with the analytic Gaussian mechanism, then projected onto valid
 * correlation matrices (post-processing). Scores come from the already-private marginals.
 */
export function estimateCorrelationDp(
  scores: Float64Array[],
  budget: DpBudget,
  rng: Rng,
): { matrix: Matrix; sigma: number } {
  const d = scores.length;
  const n = d > 0 ? scores[0]!.length : 0;
  const matrix = identity(d);
  if (d < 2 || n === 0) return { matrix, sigma: 0 };
  const sigma = analyticGaussianSigma(correlationSensitivity(d, n), budget.correlationEpsilon, budget.correlationDelta);
  const clip = (v: number): number => (Number.isNaN(v) ? 0 : Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, v)));
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += clip(scores[a]![i]!) * clip(scores[b]![i]!);
      const noisy = sum / n + sigma * rng.normal();
      const r = Math.max(-0.99, Math.min(0.99, noisy));
      matrix[a]![b] = r;
      matrix[b]![a] = r;
    }
  }
  return { matrix: nearestCorrelation(matrix), sigma };
}
