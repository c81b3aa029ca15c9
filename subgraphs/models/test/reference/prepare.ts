import type { TabularData } from '../../src/engine/data/tabular.dataset';
import { trainValidationSplit } from '../../src/engine/data/train-validation.split';
import { takeRows } from '../../src/engine/math/matrix';
import type { LabeledData } from '../../src/engine/training/train-model';

/** Splits tabular data (stratified for classification) into the trainer's labeled parts. */
export function splitData(
  data: TabularData,
  validationFraction: number,
  seed: number,
): { train: LabeledData; validation: LabeledData } {
  const { trainIndex, validationIndex } = trainValidationSplit(data.x.rows, {
    validationFraction,
    seed,
    stratify: data.labels,
  });
  const part = (index: Int32Array): LabeledData => ({
    x: takeRows(data.x, index),
    ...(data.labels ? { labels: Int32Array.from(index, (i) => (data.labels as Int32Array)[i]!) } : {}),
    ...(data.target ? { target: Float64Array.from(index, (i) => (data.target as Float64Array)[i]!) } : {}),
  });
  return { train: part(trainIndex), validation: part(validationIndex) };
}
