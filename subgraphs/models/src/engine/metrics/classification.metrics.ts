/** Validation metrics of a classifier. */
export interface ClassificationMetrics {
  accuracy: number;
  /** Unweighted mean of per-class F1 over the classes present in truth or prediction. */
  f1Macro: number;
  /** Binary ROC AUC, or the macro one-vs-rest average for more classes; NaN when undefined. */
  rocAuc: number;
  logLoss: number;
}

/** Share of rows whose predicted class equals the true class. */
export function accuracy(truth: Int32Array, predicted: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) hits++;
  return truth.length === 0 ? NaN : hits / truth.length;
}

/** Macro-averaged F1 (scikit-learn `f1_score(average='macro')`, zero_division=0). */
export function f1Macro(truth: Int32Array, predicted: Int32Array): number {
  const classes = new Set<number>([...truth, ...predicted]);
  let sum = 0;
  for (const k of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i] === k;
      const p = predicted[i] === k;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return classes.size === 0 ? NaN : sum / classes.size;
}

/**
 * Binary ROC AUC by the Mann–Whitney statistic with tied scores sharing their average rank.
 * @returns NaN when either class is absent
 */
export function binaryRocAuc(positive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPositive = 0;
  let nPositive = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) {
      if (positive[order[i]!]) {
        rankSumPositive += averageRank;
        nPositive++;
      }
    }
    start = end + 1;
  }
  const nNegative = n - nPositive;
  if (nPositive === 0 || nNegative === 0) return NaN;
  return (rankSumPositive - (nPositive * (nPositive + 1)) / 2) / (nPositive * nNegative);
}

/**
 * ROC AUC from class probabilities (row-major rows × classes): the positive-class column for two
 * classes, otherwise the macro one-vs-rest mean over classes with both positives and negatives.
 */
export function rocAuc(truth: Int32Array, probabilities: Float64Array, classes: number): number {
  const column = (k: number) =>
    Float64Array.from({ length: truth.length }, (_, i) => probabilities[i * classes + k] ?? NaN);
  if (classes === 2)
    return binaryRocAuc(
      Array.from(truth, (t) => t === 1),
      column(1),
    );
  const values: number[] = [];
  for (let k = 0; k < classes; k++) {
    const auc = binaryRocAuc(
      Array.from(truth, (t) => t === k),
      column(k),
    );
    if (!Number.isNaN(auc)) values.push(auc);
  }
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean negative log-likelihood of the true class, probabilities clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(truth: Int32Array, probabilities: Float64Array, classes: number): number {
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i * classes + truth[i]!]!));
    sum -= Math.log(p);
  }
  return truth.length === 0 ? NaN : sum / truth.length;
}

/** Index of the largest probability per row. */
export function argMaxRows(probabilities: Float64Array, classes: number): Int32Array {
  const rows = probabilities.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++)
      if (probabilities[r * classes + k]! > probabilities[r * classes + best]!) best = k;
    out[r] = best;
  }
  return out;
}

/** All classification metrics at once. */
export function classificationMetrics(
  truth: Int32Array,
  probabilities: Float64Array,
  classes: number,
): ClassificationMetrics {
  const predicted = argMaxRows(probabilities, classes);
  return {
    accuracy: accuracy(truth, predicted),
    f1Macro: f1Macro(truth, predicted),
    rocAuc: rocAuc(truth, probabilities, classes),
    logLoss: logLoss(truth, probabilities, classes),
  };
}
