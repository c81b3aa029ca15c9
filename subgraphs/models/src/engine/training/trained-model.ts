import type { StandardScaler } from '../data/standard-scaler';
import { transformStandard } from '../data/standard-scaler';
import { argMaxRows } from '../metrics/classification.metrics';
import type { Matrix } from '../math/matrix';
import type { DenseNetwork } from './dense-network';
import { forward } from './dense-network';
import type { Algorithm } from './training-spec';

/** A fitted model: everything needed to predict in process and to export to ONNX. Structured-clone safe. */
export interface TrainedModel {
  algorithm: Algorithm;
  task: 'regression' | 'classification';
  featureNames: string[];
  classes?: string[];
  scaler: StandardScaler;
  /** Regression targets are learnt standardized; predictions are mapped back with these. */
  targetScaler?: { mean: number; scale: number };
  network: DenseNetwork;
}

/** Predictions in the same layout as the exported ONNX outputs. */
export interface ModelPredictions {
  /** Regression: one value per row. */
  prediction?: Float64Array;
  /** Classification: rows × classes, row-major. */
  probabilities?: Float64Array;
  /** Classification: the index of the most probable class per row. */
  labels?: Int32Array;
}

/** Predicts raw (unstandardized) feature rows. */
export function predict(model: TrainedModel, x: Matrix): ModelPredictions {
  if (x.cols !== model.featureNames.length)
    throw new RangeError(`expected ${model.featureNames.length} features, got ${x.cols}`);
  const outputs = forward(model.network, transformStandard(model.scaler, x).data, x.rows);
  const last = outputs[outputs.length - 1]!;
  if (model.task === 'regression') {
    const { mean, scale } = model.targetScaler ?? { mean: 0, scale: 1 };
    return { prediction: Float64Array.from(last, (v) => v * scale + mean) };
  }
  const classes = model.classes?.length ?? 0;
  let probabilities = last;
  if (model.network.head === 'sigmoid') {
    probabilities = new Float64Array(x.rows * 2);
    for (let r = 0; r < x.rows; r++) {
      probabilities[2 * r] = 1 - last[r]!;
      probabilities[2 * r + 1]! = last[r]!;
    }
  }
  return { probabilities, labels: argMaxRows(probabilities, Math.max(classes, 2)) };
}
