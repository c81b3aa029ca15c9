import { buildTabularData } from '../engine/data/tabular.dataset';
import { trainValidationSplit } from '../engine/data/train-validation.split';
import type { Matrix } from '../engine/math/matrix';
import { takeRows } from '../engine/math/matrix';
import type { FeatureSchema, LabeledData } from '../engine/training/train-model';
import type { Algorithm } from '../engine/training/training-spec';
import { isClassifier } from '../engine/training/training-spec';

/** A dataset turned into the trainer's split. */
export interface PreparedData {
  schema: FeatureSchema;
  train: LabeledData;
  validation: LabeledData;
  rows: number;
  droppedRows: number;
}

/**
 * Builds features and target from records and splits them (stratified for classifiers) with the
 * given seed, so the same job always sees the same split — also after a restart, and when a
 * pipeline evaluates the result.
 * @throws DatasetError naming the offending column
 */
export function prepareTrainingData(
  records: Record<string, unknown>[],
  featureColumns: string[],
  targetColumn: string,
  algorithm: Algorithm,
  validationFraction: number,
  seed: number,
): PreparedData {
  const data = buildTabularData(
    records,
    featureColumns,
    targetColumn,
    isClassifier(algorithm) ? 'classification' : 'regression',
  );
  const { trainIndex, validationIndex } = trainValidationSplit(data.x.rows, {
    validationFraction,
    seed,
    stratify: data.labels,
  });
  const part = (index: Int32Array): LabeledData => {
    const x: Matrix = takeRows(data.x, index);
    return data.labels
      ? { x, labels: Int32Array.from(index, (i) => (data.labels as Int32Array)[i]!) }
      : { x, target: Float64Array.from(index, (i) => (data.target as Float64Array)[i]!) };
  };
  return {
    schema: { featureNames: data.featureNames, ...(data.classes ? { classes: data.classes } : {}) },
    train: part(trainIndex),
    validation: part(validationIndex),
    rows: data.x.rows,
    droppedRows: data.droppedRows,
  };
}
