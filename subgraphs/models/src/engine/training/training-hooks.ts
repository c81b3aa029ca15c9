import type { OptimizerState } from './optimizer';

/** One epoch's report. Losses are the training objective's data term (cross-entropy, or ½·MSE on standardized targets). */
export interface EpochProgress {
  epoch: number;
  epochs: number;
  trainLoss: number;
  validationLoss: number;
  /** accuracy, f1Macro, rocAuc, logLoss for classifiers; rmse, mae, r2 for regressors (original units). */
  metrics: Record<string, number>;
}

/**
 * Everything gradient descent needs to continue after `epoch` exactly as if it had never stopped:
 * the parameters (weights and biases, in `parameters(network)` order), the optimizer's state and the
 * last epoch's report. The batch order is replayed from the seed, so a resumed run gives the same model.
 */
export interface TrainingCheckpoint {
  epoch: number;
  params: Float64Array[];
  optimizer: OptimizerState;
  last: EpochProgress;
}

/** An epoch's report with, when asked for (`TrainingHooks.checkpoints`), the state to resume from after it. */
export interface EpochReport extends EpochProgress {
  checkpoint?: TrainingCheckpoint;
}

/** Observers and cancellation of a training run. */
export interface TrainingHooks {
  /** Awaited after every epoch, in order. */
  onEpoch?: (progress: EpochReport) => void | Promise<void>;
  signal?: AbortSignal;
  /** Attach a TrainingCheckpoint to every epoch report (gradient-descent algorithms). */
  checkpoints?: boolean;
  /** Continue a run from a checkpoint of the same spec and data instead of starting at epoch 1. */
  resumeFrom?: TrainingCheckpoint;
}

/** Thrown when a run stops because its signal was aborted. */
export class TrainingCancelledError extends Error {
  constructor(readonly epochsCompleted: number) {
    super(`training cancelled after ${epochsCompleted} epoch(s)`);
    this.name = 'TrainingCancelledError';
  }
}
