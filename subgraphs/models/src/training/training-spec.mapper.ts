import { BadUserInputError } from '../../../../lib/src/index';
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
  for (const key of ['learningRate', 'epochs', 'batchSize', 'l2', 'seed'] as const) if (typeof h[key] === 'number') spec[key] = h[key] as number;
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
    if (error instanceof TrainingSpecError) throw new BadUserInputError(error.message, [{ field: `${prefix}.${error.field}`, message: error.message }]);
    throw error;
  }
}
