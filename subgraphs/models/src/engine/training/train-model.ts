import { fitStandardScaler, transformStandard } from '../data/standard-scaler';
import type { Matrix } from '../math/matrix';
import { SeededRandom } from '../math/seeded-random';
import { classificationMetrics } from '../metrics/classification.metrics';
import { regressionMetrics } from '../metrics/regression.metrics';
import { createNetwork, forward } from './dense-network';
import { runGradientDescent } from './gradient-descent.loop';
import { solveLeastSquares } from './linear-regression.solver';
import type { TrainedModel } from './trained-model';
import { predict } from './trained-model';
import type { SnapshotFn } from './gradient-descent.loop';
import type { EpochProgress, EpochReport, TrainingHooks } from './training-hooks';
import { TrainingCancelledError } from './training-hooks';
import type { TrainingSpec } from './training-spec';
import { isClassifier, resolveTrainingSpec, TrainingSpecError } from './training-spec';

/** Rows with their target: `target` for regression, `labels` (indices into `classes`) for classification. */
export interface LabeledData {
  x: Matrix;
  target?: Float64Array;
  labels?: Int32Array;
}

/** Names of the columns and, for classifiers, of the classes. */
export interface FeatureSchema {
  featureNames: string[];
  classes?: string[];
}

/** Outcome of {@link trainModel}. */
export interface TrainingResult {
  model: TrainedModel;
  /** Validation metrics of the final model. */
  metrics: Record<string, number>;
  history: EpochProgress[];
}

function evaluate(model: TrainedModel, data: LabeledData): { loss: number; metrics: Record<string, number> } {
  const predictions = predict(model, data.x);
  if (model.task === 'classification') {
    const metrics = classificationMetrics(
      data.labels as Int32Array,
      predictions.probabilities as Float64Array,
      Math.max(2, model.classes?.length ?? 2),
    );
    return { loss: metrics.logLoss, metrics: { ...metrics } };
  }
  const truth = data.target as Float64Array;
  const metrics = regressionMetrics(truth, predictions.prediction as Float64Array);
  const scale = model.targetScaler?.scale ?? 1;
  return { loss: (0.5 * metrics.rmse * metrics.rmse) / (scale * scale), metrics: { ...metrics } };
}

function headTarget(
  data: LabeledData,
  classes: number,
  binary: boolean,
  targetScaler: { mean: number; scale: number } | undefined,
): Float64Array {
  if (targetScaler)
    return Float64Array.from(data.target as Float64Array, (v) => (v - targetScaler.mean) / targetScaler.scale);
  const labels = data.labels as Int32Array;
  if (binary) return Float64Array.from(labels, (label) => (label === 1 ? 1 : 0));
  const oneHot = new Float64Array(labels.length * classes);
  labels.forEach((label, r) => (oneHot[r * classes + label] = 1));
  return oneHot;
}

function checkData(data: LabeledData, classifier: boolean, schema: FeatureSchema, part: string): void {
  if (data.x.cols !== schema.featureNames.length)
    throw new TrainingSpecError(
      `${part} has ${data.x.cols} features, schema has ${schema.featureNames.length}`,
      'featureColumns',
    );
  if (data.x.rows === 0) throw new TrainingSpecError(`${part} has no rows`, 'featureColumns');
  if (classifier && (!data.labels || !schema.classes || schema.classes.length < 2))
    throw new TrainingSpecError('a classifier needs class labels with at least two classes', 'targetColumn');
  if (!classifier && !data.target) throw new TrainingSpecError('a regressor needs a numeric target', 'targetColumn');
}

/**
 * Fits the algorithm of `spec` on `train` (standardizing features, and regression targets, with
 * statistics of `train` only) and reports validation loss and metrics after every epoch.
 * Linear regression is solved exactly and reports a single epoch.
 * @throws TrainingSpecError for invalid hyperparameters or data, TrainingCancelledError on abort
 */
export async function trainModel(
  spec: TrainingSpec,
  schema: FeatureSchema,
  train: LabeledData,
  validation: LabeledData,
  hooks: TrainingHooks = {},
): Promise<TrainingResult> {
  const resolved = resolveTrainingSpec(spec);
  const classifier = isClassifier(resolved.algorithm);
  checkData(train, classifier, schema, 'training data');
  checkData(validation, classifier, schema, 'validation data');
  const rng = new SeededRandom(resolved.seed);
  const scaler = fitStandardScaler(train.x);
  const xs = transformStandard(scaler, train.x);
  const classes = schema.classes?.length ?? 0;
  const binary = classifier && classes === 2;
  let targetScaler: { mean: number; scale: number } | undefined;
  if (!classifier) {
    const column = fitStandardScaler({ data: train.target as Float64Array, rows: train.x.rows, cols: 1 });
    targetScaler = { mean: column.mean[0]!, scale: column.scale[0]! };
  }
  const outputs = classifier ? (binary ? 1 : classes) : 1;
  const head = classifier ? (binary ? 'sigmoid' : 'softmax') : 'identity';
  const network = createNetwork(
    [schema.featureNames.length, ...resolved.hiddenLayers, outputs],
    resolved.activation,
    head,
    rng,
  );
  const model: TrainedModel = {
    algorithm: resolved.algorithm,
    task: classifier ? 'classification' : 'regression',
    featureNames: [...schema.featureNames],
    scaler,
    network,
  };
  if (classifier) model.classes = [...(schema.classes as string[])];
  if (targetScaler) model.targetScaler = targetScaler;
  const target = headTarget(train, classes, binary, targetScaler);
  const history: EpochProgress[] = [];
  const afterEpoch = async (epoch: number, trainLoss: number, epochs: number, snapshot?: SnapshotFn) => {
    const { loss, metrics } = evaluate(model, validation);
    const progress: EpochProgress = { epoch, epochs, trainLoss, validationLoss: loss, metrics };
    history.push(progress);
    const report: EpochReport = { ...progress };
    if (hooks.checkpoints && snapshot) report.checkpoint = { ...snapshot(), last: progress };
    await hooks.onEpoch?.(report);
  };
  if (resolved.algorithm === 'LINEAR_REGRESSION') {
    if (hooks.signal?.aborted) throw new TrainingCancelledError(0);
    network.layers[0]!.weights.set(solveLeastSquares(xs, target, resolved.l2));
    const fitted = forward(network, xs.data, xs.rows)[0]!;
    let sse = 0;
    for (let i = 0; i < fitted.length; i++) sse += (fitted[i]! - target[i]!) ** 2;
    await afterEpoch(1, (0.5 * sse) / fitted.length, 1);
  } else {
    await runGradientDescent(
      network,
      xs,
      target,
      resolved,
      rng,
      (epoch, loss, snapshot) => afterEpoch(epoch, loss, resolved.epochs, snapshot),
      hooks.signal,
      hooks.resumeFrom,
    );
  }
  // Resumed after its last epoch (stopped while exporting): the checkpoint holds the final report.
  const final = history[history.length - 1] ?? hooks.resumeFrom?.last;
  if (!final) throw new TrainingSpecError('training ran no epoch', 'hyperparameters');
  return { model, metrics: final.metrics, history };
}
