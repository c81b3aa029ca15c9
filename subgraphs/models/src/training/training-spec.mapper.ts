import { BadUserInputError } from '../../../../lib/src/index';
import { checkModelName } from '../model/model-name';
import type { Activation } from '../engine/training/dense-network';
import type { OptimizerName } from '../engine/training/optimizer';
import type { Algorithm, ResolvedTrainingSpec, TrainingSpec } from '../engine/training/training-spec';
import { resolveTrainingSpec, TrainingSpecError } from '../engine/training/training-spec';

/** Stored hyperparameters (GraphQL enum spellings, unset values omitted). */
export type StoredHyperparameters = Record<string, unknown>;

/** Drops null/undefined values so stored hyperparameters hold only what was asked for. */
export function compactHyperparameters(input: object | null | undefined): StoredHyperparameters {
  return Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== null && v !== undefined));
}

/** Maps stored hyperparameters to the engine's spec. */
export function toTrainingSpec(algorithm: Algorithm, h: StoredHyperparameters): TrainingSpec {
  const spec: TrainingSpec = { algorithm };
  if (Array.isArray(h.hiddenLayers)) spec.hiddenLayers = h.hiddenLayers as number[];
  if (typeof h.activation === 'string') spec.activation = h.activation.toLowerCase() as Activation;
  if (typeof h.optimizer === 'string') spec.optimizer = h.optimizer.toLowerCase() as OptimizerName;
  for (const key of ['learningRate', 'epochs', 'batchSize', 'l2', 'seed'] as const)
    if (typeof h[key] === 'number') spec[key] = h[key] as number;
  return spec;
}

/**
 * Resolves and validates the spec, turning engine errors into BAD_USER_INPUT on
 * `<prefix>.<field>` (e.g. `hyperparameters.learningRate`).
 */
export function resolveOrReject(spec: TrainingSpec, prefix = 'hyperparameters'): ResolvedTrainingSpec {
  try {
    return resolveTrainingSpec(spec);
  } catch (error) {
    if (error instanceof TrainingSpecError)
      throw new BadUserInputError(error.message, [{ field: `${prefix}.${error.field}`, message: error.message }]);
    throw error;
  }
}

/** The parts of a training request checked before anything is stored (a study's base request too). */
export interface TrainingRequest {
  modelName: string;
  featureColumns: string[];
  targetColumn: string;
  algorithm: string;
  validationFraction: number;
  hyperparameters?: object | null;
  resources?: { cpu: number; gpu: number } | null;
}

/** Checks the parts of a training request that do not need the dataset. */
export function validateTrainingInput(input: TrainingRequest, prefix = ''): void {
  checkModelName(input.modelName, `${prefix}modelName`);
  const fields: { field: string; message: string }[] = [];
  if (input.featureColumns.length === 0)
    fields.push({ field: `${prefix}featureColumns`, message: 'at least one feature column' });
  if (new Set(input.featureColumns).size !== input.featureColumns.length)
    fields.push({ field: `${prefix}featureColumns`, message: 'columns must be distinct' });
  if (input.featureColumns.includes(input.targetColumn))
    fields.push({ field: `${prefix}targetColumn`, message: 'the target cannot also be a feature' });
  if (!(input.validationFraction > 0 && input.validationFraction < 1))
    fields.push({ field: `${prefix}validationFraction`, message: 'must be in (0, 1)' });
  if (input.resources && (!(input.resources.cpu > 0) || input.resources.gpu < 0))
    fields.push({ field: `${prefix}resources`, message: 'cpu must be positive and gpu ≥ 0' });
  if (fields.length > 0) throw new BadUserInputError('Invalid training job', fields);
  resolveOrReject(
    toTrainingSpec(input.algorithm as Algorithm, compactHyperparameters(input.hyperparameters)),
    `${prefix}hyperparameters`,
  );
}
