import { describe, expect, test } from 'vitest';
import {
  accuracy,
  binaryRocAuc,
  classificationMetrics,
  f1Macro,
  logLoss,
  rocAuc,
} from '../../src/engine/metrics/classification.metrics';
import { regressionMetrics } from '../../src/engine/metrics/regression.metrics';

describe('classification metrics (values computed by hand)', () => {
  test('accuracy and macro F1', () => {
    const truth = Int32Array.from([0, 0, 1, 1, 2, 2]);
    const predicted = Int32Array.from([0, 1, 1, 1, 2, 0]);
    expect(accuracy(truth, predicted)).toBeCloseTo(4 / 6, 12);
    // class 0: tp 1 fp 1 fn 1 → 0.5; class 1: tp 2 fp 1 fn 0 → 0.8; class 2: tp 1 fp 0 fn 1 → 2/3
    expect(f1Macro(truth, predicted)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
  });

  test('ROC AUC counts ties as one half', () => {
    // scikit-learn's documented example: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
    expect(binaryRocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    // pairs (pos, neg): (0.5 vs 0.5) tie → 0.5, (0.5 vs 0.2) → 1, (0.9 vs both) → 2: 3.5 / 4
    expect(binaryRocAuc([true, false, true, false], [0.5, 0.5, 0.9, 0.2])).toBe(0.875);
    expect(binaryRocAuc([true, true], [0.1, 0.2])).toBeNaN();
  });

  test('multiclass ROC AUC is the macro one-vs-rest mean; log loss is the mean negative log-likelihood', () => {
    const truth = Int32Array.from([0, 1, 2]);
    const probabilities = Float64Array.from([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.3, 0.3, 0.4]);
    expect(rocAuc(truth, probabilities, 3)).toBe(1);
    expect(logLoss(truth, probabilities, 3)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7) + Math.log(0.4)) / 3, 12);
    const all = classificationMetrics(truth, probabilities, 3);
    expect(all.accuracy).toBe(1);
    expect(all.f1Macro).toBe(1);
  });
});

describe('regression metrics', () => {
  test('RMSE, MAE and R² by hand', () => {
    const m = regressionMetrics([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]);
    expect(m.mae).toBeCloseTo(0.5, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.375), 12);
    // scikit-learn's documented r2_score example gives 0.948...
    expect(m.r2).toBeCloseTo(0.9486081370449679, 12);
  });
});
