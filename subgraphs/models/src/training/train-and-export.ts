import { DomainError } from '../../../../lib/src/index';
import { exportToOnnx } from '../engine/onnx/onnx-export';
import type { ExportVerification } from '../engine/onnx/onnx-export.verifier';
import { verifyOnnxExport } from '../engine/onnx/onnx-export.verifier';
import type { TrainingResult } from '../engine/training/train-model';
import { trainModel } from '../engine/training/train-model';
import type { TrainingHooks } from '../engine/training/training-hooks';
import type { ResolvedTrainingSpec } from '../engine/training/training-spec';
import type { PreparedData } from './training-data';

/** A trained model with its ONNX bytes, checked against onnxruntime. */
export interface ExportedTraining {
  result: TrainingResult;
  onnx: Uint8Array;
  verification: ExportVerification;
}

/**
 * Trains, exports to ONNX and runs the export in onnxruntime on the validation rows: a model whose
 * ONNX outputs differ from the trainer's by more than 1e-5 is never registered.
 * @throws DomainError ONNX_EXPORT_MISMATCH when onnxruntime disagrees
 */
export async function trainAndExport(
  prepared: PreparedData,
  spec: ResolvedTrainingSpec,
  hooks: TrainingHooks,
  docString: string,
): Promise<ExportedTraining> {
  const result = await trainModel(spec, prepared.schema, prepared.train, prepared.validation, hooks);
  const onnx = exportToOnnx(result.model, { docString });
  const verification = await verifyOnnxExport(result.model, onnx, prepared.validation.x);
  if (!verification.ok) {
    throw new DomainError(
      'ONNX_EXPORT_MISMATCH',
      `onnxruntime output differs from the trained model by ${verification.maxDifference} (${verification.labelMismatches} label mismatches)`,
    );
  }
  return { result, onnx, verification };
}

/** Parameters recorded on a version trained here. */
export function versionParameters(
  spec: ResolvedTrainingSpec,
  prepared: PreparedData,
  featureColumns: string[],
  targetColumn: string,
  validationFraction: number,
  splitSeed: number,
): Record<string, unknown> {
  return {
    algorithm: spec.algorithm,
    hiddenLayers: spec.hiddenLayers,
    activation: spec.activation,
    optimizer: spec.optimizer,
    learningRate: spec.learningRate,
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    l2: spec.l2,
    seed: spec.seed,
    featureColumns,
    targetColumn,
    validationFraction,
    splitSeed,
    trainRows: prepared.train.x.rows,
    validationRows: prepared.validation.x.rows,
    droppedRows: prepared.droppedRows,
    ...(prepared.schema.classes ? { classes: prepared.schema.classes } : {}),
    onnxInput: 'features',
    onnxOutputs: prepared.schema.classes ? ['probabilities', 'label'] : ['prediction'],
  };
}
