import { describe, expect, test } from 'vitest';
import { buildTabularData } from '../../src/engine/data/tabular.dataset';
import { exportToOnnx } from '../../src/engine/onnx/onnx-export';
import { verifyOnnxExport } from '../../src/engine/onnx/onnx-export.verifier';
import { predict } from '../../src/engine/training/trained-model';
import { trainModel } from '../../src/engine/training/train-model';
import { PENGUIN_FEATURES, penguinRecords } from '../reference/datasets';
import { splitData } from '../reference/prepare';

describe('linear regression', () => {
  test('one feature: the textbook line slope = cov(x, y) / var(x)', async () => {
    const data = buildTabularData(penguinRecords(), ['Flipper Length (mm)'], 'Body Mass (g)', 'regression');
    const { train, validation } = splitData(data, 0.25, 11);
    const epochs: number[] = [];
    const { model, metrics } = await trainModel(
      { algorithm: 'LINEAR_REGRESSION' },
      { featureNames: ['Flipper Length (mm)'] },
      train,
      validation,
      { onEpoch: (p) => void epochs.push(p.epoch) },
    );
    const xs = Array.from(train.x.data);
    const ys = Array.from(train.target as Float64Array);
    const mean = (v: number[]) => v.reduce((a, c) => a + c, 0) / v.length;
    const [mx, my] = [mean(xs), mean(ys)];
    const m = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    const b = my - m * mx;
    const at = (x: number) =>
      (predict(model, { data: Float64Array.of(x), rows: 1, cols: 1 }).prediction as Float64Array)[0];
    expect(at(200)).toBeCloseTo(m * 200 + b, 6);
    expect(at(180)).toBeCloseTo(m * 180 + b, 6);
    expect(epochs).toEqual([1]);
    expect(metrics.r2).toBeGreaterThan(0.7);
  });

  test('four features: ONNX output equals the trainer (relative 1e-5, float32 graph)', async () => {
    const data = buildTabularData(penguinRecords(), PENGUIN_FEATURES.slice(0, 3), 'Body Mass (g)', 'regression');
    const { train, validation } = splitData(data, 0.25, 5);
    const { model } = await trainModel(
      { algorithm: 'LINEAR_REGRESSION' },
      { featureNames: PENGUIN_FEATURES.slice(0, 3) },
      train,
      validation,
    );
    const check = await verifyOnnxExport(model, exportToOnnx(model), data.x);
    expect(check.maxDifference).toBeLessThanOrEqual(1e-5);
    expect(check.ok).toBe(true);
  });
});
