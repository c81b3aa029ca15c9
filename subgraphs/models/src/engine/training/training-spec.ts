import type { Activation } from './dense-network';
import type { OptimizerName } from './optimizer';

/** Built-in algorithms. */
export type Algorithm = 'LINEAR_REGRESSION' | 'LOGISTIC_REGRESSION' | 'MLP_CLASSIFIER' | 'MLP_REGRESSOR';

/** What the caller asks for; unset values take the defaults of {@link resolveTrainingSpec}. */
export interface TrainingSpec {
  algorithm: Algorithm;
  hiddenLayers?: number[];
  activation?: Activation;
  optimizer?: OptimizerName;
  learningRate?: number;
  epochs?: number;
  batchSize?: number;
  /** L2 penalty λ in mean loss + λ/2·‖W‖². */
  l2?: number;
  seed?: number;
}

/** A spec with every value decided. */
export type ResolvedTrainingSpec = Required<TrainingSpec>;

/** A hyperparameter that is out of range; `field` names it. */
export class TrainingSpecError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'TrainingSpecError';
  }
}

/** True for algorithms that predict classes. */
export function isClassifier(algorithm: Algorithm): boolean {
  return algorithm === 'LOGISTIC_REGRESSION' || algorithm === 'MLP_CLASSIFIER';
}

/**
 * Fills defaults (hidden [32], relu, Adam, learning rate 0.01, 100 epochs, batch 32, seed 0; l2 0 for
 * linear regression and MLPs, 1e-4 for logistic regression) and validates ranges.
 */
export function resolveTrainingSpec(spec: TrainingSpec): ResolvedTrainingSpec {
  const isMlp = spec.algorithm === 'MLP_CLASSIFIER' || spec.algorithm === 'MLP_REGRESSOR';
  const resolved: ResolvedTrainingSpec = {
    algorithm: spec.algorithm,
    hiddenLayers: isMlp ? (spec.hiddenLayers ?? [32]) : [],
    activation: spec.activation ?? 'relu',
    optimizer: spec.optimizer ?? 'adam',
    learningRate: spec.learningRate ?? 0.01,
    epochs: spec.epochs ?? 100,
    batchSize: spec.batchSize ?? 32,
    l2: spec.l2 ?? (spec.algorithm === 'LOGISTIC_REGRESSION' ? 1e-4 : 0),
    seed: spec.seed ?? 0,
  };
  if (!['LINEAR_REGRESSION', 'LOGISTIC_REGRESSION', 'MLP_CLASSIFIER', 'MLP_REGRESSOR'].includes(resolved.algorithm))
    throw new TrainingSpecError(`unknown algorithm ${String(resolved.algorithm)}`, 'algorithm');
  if (!isMlp && spec.hiddenLayers && spec.hiddenLayers.length > 0)
    throw new TrainingSpecError('hidden layers apply to MLP algorithms only', 'hiddenLayers');
  if (
    isMlp &&
    (resolved.hiddenLayers.length === 0 || resolved.hiddenLayers.some((n) => !Number.isInteger(n) || n < 1 || n > 4096))
  )
    throw new TrainingSpecError('hiddenLayers must be 1..4096 units per layer, at least one layer', 'hiddenLayers');
  if (!['relu', 'tanh', 'sigmoid'].includes(resolved.activation))
    throw new TrainingSpecError('activation must be relu, tanh or sigmoid', 'activation');
  if (!['sgd', 'adam'].includes(resolved.optimizer))
    throw new TrainingSpecError('optimizer must be sgd or adam', 'optimizer');
  if (!(resolved.learningRate > 0 && resolved.learningRate <= 10))
    throw new TrainingSpecError('learningRate must be in (0, 10]', 'learningRate');
  if (!Number.isInteger(resolved.epochs) || resolved.epochs < 1 || resolved.epochs > 100_000)
    throw new TrainingSpecError('epochs must be an integer in [1, 100000]', 'epochs');
  if (!Number.isInteger(resolved.batchSize) || resolved.batchSize < 1)
    throw new TrainingSpecError('batchSize must be a positive integer', 'batchSize');
  if (!(resolved.l2 >= 0)) throw new TrainingSpecError('l2 must be ≥ 0', 'l2');
  if (!Number.isInteger(resolved.seed)) throw new TrainingSpecError('seed must be an integer', 'seed');
  return resolved;
}
