import { describe, expect, test } from 'vitest';
import { fitStandardScaler, transformStandard } from '../../src/engine/data/standard-scaler';
import { buildTabularData } from '../../src/engine/data/tabular.dataset';
import { accuracy, argMaxRows } from '../../src/engine/metrics/classification.metrics';
import { exportToOnnx } from '../../src/engine/onnx/onnx-export';
import { verifyOnnxExport } from '../../src/engine/onnx/onnx-export.verifier';
import { predict } from '../../src/engine/training/trained-model';
import { trainModel } from '../../src/engine/training/train-model';
import { IRIS_FEATURES, irisRecords, PENGUIN_FEATURES, penguinRecords } from '../reference/datasets';
import { fitNewtonLogistic, predictNewtonLogistic } from '../reference/newton-logistic.reference';
import { splitData } from '../reference/prepare';

async function compareWithNewton(records: Record<string, unknown>[], features: string[], target: string, l2: number) {
  const data = buildTabularData(records, features, target, 'classification');
  const classes = data.classes as string[];
  const { train, validation } = splitData(data, 0.3, 7);
  const result = await trainModel(
    {
      algorithm: 'LOGISTIC_REGRESSION',
      optimizer: 'adam',
      learningRate: 0.05,
      epochs: 400,
      batchSize: 1024,
      l2,
      seed: 1,
    },
    { featureNames: features, classes },
    train,
    validation,
  );
  const scaler = fitStandardScaler(train.x);
  // The trainer's binary model is a sigmoid; a two-class softmax with penalty 2λ on both columns is the same objective.
  const referenceClasses = Math.max(classes.length, 2);
  const reference = fitNewtonLogistic(
    transformStandard(scaler, train.x),
    train.labels as Int32Array,
    referenceClasses,
    classes.length === 2 ? 2 * l2 : l2,
  );
  const referenceProbabilities = predictNewtonLogistic(
    reference.weights,
    transformStandard(scaler, validation.x),
    referenceClasses,
  );
  const ours = predict(result.model, validation.x).probabilities as Float64Array;
  const maxGap = ours.reduce((m, p, i) => Math.max(m, Math.abs(p - referenceProbabilities[i]!)), 0);
  return {
    result,
    data,
    validation,
    referenceAccuracy: accuracy(validation.labels as Int32Array, argMaxRows(referenceProbabilities, referenceClasses)),
    ourAccuracy: result.metrics.accuracy,
    maxGap,
  };
}

describe('logistic regression against Newton/IRLS on the same split and objective', () => {
  test('iris, multinomial (3 classes)', async () => {
    const { result, validation, referenceAccuracy, ourAccuracy, maxGap } = await compareWithNewton(
      irisRecords(),
      IRIS_FEATURES,
      'species',
      0.01,
    );
    expect(result.model.network.head).toBe('softmax');
    expect(validation.x.rows).toBe(45);
    expect(referenceAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(ourAccuracy).toBe(referenceAccuracy);
    expect(maxGap).toBeLessThan(2e-3);
    expect(result.metrics.rocAuc).toBeGreaterThan(0.97);
  });

  test('penguins, multinomial species', async () => {
    const { referenceAccuracy, ourAccuracy, maxGap } = await compareWithNewton(
      penguinRecords(),
      PENGUIN_FEATURES,
      'Species',
      0.01,
    );
    expect(referenceAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(ourAccuracy).toBe(referenceAccuracy);
    expect(maxGap).toBeLessThan(2e-3);
  });

  test('penguins, binary sex', async () => {
    const { result, data, referenceAccuracy, ourAccuracy, maxGap } = await compareWithNewton(
      penguinRecords().filter((row) => row.Sex !== '.'),
      PENGUIN_FEATURES,
      'Sex',
      0.01,
    );
    expect(data.classes).toEqual(['FEMALE', 'MALE']);
    expect(data.droppedRows).toBe(10);
    expect(data.x.rows).toBe(333);
    expect(result.model.network.head).toBe('sigmoid');
    expect(referenceAccuracy).toBeGreaterThan(0.8);
    expect(ourAccuracy).toBe(referenceAccuracy);
    expect(maxGap).toBeLessThan(2e-3);
  });
});

describe('ONNX export of logistic regression', () => {
  test.each([
    ['iris species', irisRecords, IRIS_FEATURES, 'species'],
    ['penguin sex', () => penguinRecords().filter((row) => row.Sex !== '.'), PENGUIN_FEATURES, 'Sex'],
  ] as const)('%s: onnxruntime matches the trainer to 1e-5', async (_name, records, features, target) => {
    const data = buildTabularData(records(), [...features], target, 'classification');
    const { train, validation } = splitData(data, 0.3, 3);
    const { model } = await trainModel(
      { algorithm: 'LOGISTIC_REGRESSION', epochs: 50, seed: 2 },
      { featureNames: [...features], classes: data.classes },
      train,
      validation,
    );
    const verification = await verifyOnnxExport(model, exportToOnnx(model), data.x);
    expect(verification.rows).toBe(data.x.rows);
    expect(verification.labelMismatches).toBe(0);
    expect(verification.maxDifference).toBeLessThanOrEqual(1e-5);
    expect(verification.ok).toBe(true);
  });
});
