import { describe, expect, test } from 'vitest';
import { buildTabularData } from '../../src/engine/data/tabular.dataset';
import type { TrainingCheckpoint } from '../../src/engine/training/training-hooks';
import { TrainingCancelledError } from '../../src/engine/training/training-hooks';
import type { TrainingSpec } from '../../src/engine/training/training-spec';
import { trainModel } from '../../src/engine/training/train-model';
import { loadCheckpoint, storeCheckpoint } from '../../src/training/training-checkpoint';
import { IRIS_FEATURES, irisRecords } from '../reference/datasets';
import { splitData } from '../reference/prepare';

// A training job taken over (or handed back) resumes from its last epoch's checkpoint: parameters and
// optimizer state, stored as JSON on the job claim. The resumed run must end with the very model an
// uninterrupted run gives, which it only does when the optimizer's moments and the batch order are restored.
describe('training resumes from an epoch checkpoint', () => {
  const data = buildTabularData(irisRecords(), IRIS_FEATURES, 'species', 'classification');
  const { train, validation } = splitData(data, 0.3, 4);
  const schema = { featureNames: IRIS_FEATURES, classes: data.classes };

  test.each(['adam', 'sgd'] as const)(
    '%s: stop after epoch 7, resume from the stored checkpoint, same model',
    async (optimizer) => {
      const spec: TrainingSpec = {
        algorithm: 'MLP_CLASSIFIER',
        hiddenLayers: [8],
        activation: 'tanh',
        optimizer,
        learningRate: 0.01,
        epochs: 20,
        batchSize: 16,
        seed: 11,
      };
      const whole = await trainModel(spec, schema, train, validation);

      const controller = new AbortController();
      let stored: unknown;
      await expect(
        trainModel(spec, schema, train, validation, {
          signal: controller.signal,
          checkpoints: true,
          onEpoch: (p) => {
            // What the job stores on its claim: JSON, through a round trip like the database's.
            stored = JSON.parse(JSON.stringify(storeCheckpoint(p.checkpoint as TrainingCheckpoint)));
            if (p.epoch === 7) controller.abort();
          },
        }),
      ).rejects.toBeInstanceOf(TrainingCancelledError);
      const checkpoint = loadCheckpoint(stored)!;
      expect(checkpoint.epoch).toBe(7);
      expect(checkpoint.optimizer.slots.length).toBe(optimizer === 'adam' ? 2 : 1);

      const epochs: number[] = [];
      const resumed = await trainModel(spec, schema, train, validation, {
        resumeFrom: checkpoint,
        onEpoch: (p) => void epochs.push(p.epoch),
      });
      expect(epochs).toEqual(Array.from({ length: 13 }, (_, i) => i + 8));
      expect(resumed.metrics).toEqual(whole.metrics);
      resumed.model.network.layers.forEach((layer, i) => {
        expect(Array.from(layer.weights)).toEqual(Array.from(whole.model.network.layers[i]!.weights));
        expect(Array.from(layer.bias)).toEqual(Array.from(whole.model.network.layers[i]!.bias));
      });

      // Without the optimizer's state the run goes elsewhere: the checkpoint really carries it.
      const fresh = { ...checkpoint, optimizer: { t: 0, slots: [] } };
      const drifted = await trainModel(spec, schema, train, validation, { resumeFrom: fresh });
      expect(Array.from(drifted.model.network.layers[0]!.weights)).not.toEqual(
        Array.from(whole.model.network.layers[0]!.weights),
      );
    },
  );

  test('a checkpoint after the last epoch gives the final metrics without training again', async () => {
    const spec: TrainingSpec = {
      algorithm: 'LOGISTIC_REGRESSION',
      epochs: 5,
      batchSize: 8,
      learningRate: 0.05,
      seed: 2,
    };
    let last: TrainingCheckpoint | undefined;
    const whole = await trainModel(spec, schema, train, validation, {
      checkpoints: true,
      onEpoch: (p) => void (last = p.checkpoint),
    });
    const epochs: number[] = [];
    const again = await trainModel(spec, schema, train, validation, {
      resumeFrom: last,
      onEpoch: (p) => void epochs.push(p.epoch),
    });
    expect(epochs).toEqual([]);
    expect(again.metrics).toEqual(whole.metrics);
    expect(Array.from(again.model.network.layers[0]!.weights)).toEqual(
      Array.from(whole.model.network.layers[0]!.weights),
    );
  });
});
