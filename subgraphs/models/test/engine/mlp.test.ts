import { describe, expect, test } from 'vitest';
import { buildTabularData } from '../../src/engine/data/tabular.dataset';
import { exportToOnnx } from '../../src/engine/onnx/onnx-export';
import { verifyOnnxExport } from '../../src/engine/onnx/onnx-export.verifier';
import type { EpochProgress } from '../../src/engine/training/training-hooks';
import { TrainingCancelledError } from '../../src/engine/training/training-hooks';
import type { TrainingSpec } from '../../src/engine/training/training-spec';
import { TrainingSpecError } from '../../src/engine/training/training-spec';
import { trainModel } from '../../src/engine/training/train-model';
import { IRIS_FEATURES, irisRecords, PENGUIN_FEATURES, penguinRecords } from '../reference/datasets';
import { splitData } from '../reference/prepare';

describe('MLP', () => {
  test.each(['relu', 'tanh', 'sigmoid'] as const)(
    'classifier (%s, Adam) learns iris and its ONNX matches',
    async (activation) => {
      const data = buildTabularData(irisRecords(), IRIS_FEATURES, 'species', 'classification');
      const { train, validation } = splitData(data, 0.3, 4);
      const history: EpochProgress[] = [];
      const { model, metrics } = await trainModel(
        {
          algorithm: 'MLP_CLASSIFIER',
          hiddenLayers: [16, 8],
          activation,
          optimizer: 'adam',
          learningRate: 0.01,
          epochs: 120,
          batchSize: 16,
          seed: 3,
        },
        { featureNames: IRIS_FEATURES, classes: data.classes },
        train,
        validation,
        { onEpoch: (p) => void history.push(p) },
      );
      expect(history.map((h) => h.epoch)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      expect(history[119]!.trainLoss).toBeLessThan(history[0]!.trainLoss);
      expect(metrics.accuracy).toBeGreaterThanOrEqual(0.9);
      const check = await verifyOnnxExport(model, exportToOnnx(model), data.x);
      expect(check.maxDifference).toBeLessThanOrEqual(1e-5);
      expect(check.labelMismatches).toBe(0);
    },
  );

  test('regressor (SGD with momentum) predicts penguin body mass; ONNX matches', async () => {
    const features = PENGUIN_FEATURES.slice(0, 3);
    const data = buildTabularData(penguinRecords(), features, 'Body Mass (g)', 'regression');
    const { train, validation } = splitData(data, 0.25, 9);
    const { model, metrics } = await trainModel(
      {
        algorithm: 'MLP_REGRESSOR',
        hiddenLayers: [16],
        activation: 'tanh',
        optimizer: 'sgd',
        learningRate: 0.01,
        epochs: 80,
        batchSize: 16,
        seed: 1,
      },
      { featureNames: features },
      train,
      validation,
    );
    expect(metrics.r2).toBeGreaterThan(0.7);
    expect(metrics.rmse).toBeLessThan(500);
    const check = await verifyOnnxExport(model, exportToOnnx(model), data.x);
    expect(check.maxDifference).toBeLessThanOrEqual(1e-5);
  });

  test('the same seed trains the same model', async () => {
    const data = buildTabularData(irisRecords(), IRIS_FEATURES, 'species', 'classification');
    const { train, validation } = splitData(data, 0.3, 4);
    const spec: TrainingSpec = { algorithm: 'MLP_CLASSIFIER', hiddenLayers: [8], epochs: 5, seed: 42 };
    const a = await trainModel(spec, { featureNames: IRIS_FEATURES, classes: data.classes }, train, validation);
    const b = await trainModel(spec, { featureNames: IRIS_FEATURES, classes: data.classes }, train, validation);
    expect(Array.from(a.model.network.layers[0]!.weights)).toEqual(Array.from(b.model.network.layers[0]!.weights));
  });

  test('aborting the signal stops training with TrainingCancelledError', async () => {
    const data = buildTabularData(irisRecords(), IRIS_FEATURES, 'species', 'classification');
    const { train, validation } = splitData(data, 0.3, 4);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = trainModel(
      { algorithm: 'MLP_CLASSIFIER', epochs: 1000, seed: 1 },
      { featureNames: IRIS_FEATURES, classes: data.classes },
      train,
      validation,
      {
        signal: controller.signal,
        onEpoch: (p) => {
          seen.push(p.epoch);
          if (p.epoch === 3) controller.abort();
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(TrainingCancelledError);
    expect(seen).toEqual([1, 2, 3]);
  });

  test('invalid hyperparameters name their field', async () => {
    const data = buildTabularData(irisRecords(), IRIS_FEATURES, 'species', 'classification');
    const { train, validation } = splitData(data, 0.3, 4);
    const run = trainModel(
      { algorithm: 'MLP_CLASSIFIER', learningRate: -1 },
      { featureNames: IRIS_FEATURES, classes: data.classes },
      train,
      validation,
    );
    await expect(run).rejects.toMatchObject({ name: 'TrainingSpecError', field: 'learningRate' });
    await expect(run).rejects.toBeInstanceOf(TrainingSpecError);
  });
});
