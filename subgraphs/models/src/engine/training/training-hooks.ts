/** One epoch's report. Losses are the training objective's data term (cross-entropy, or ½·MSE on standardized targets). */
export interface EpochProgress {
  epoch: number;
  epochs: number;
  trainLoss: number;
  validationLoss: number;
  /** accuracy, f1Macro, rocAuc, logLoss for classifiers; rmse, mae, r2 for regressors (original units). */
  metrics: Record<string, number>;
}

/** Observers and cancellation of a training run. */
export interface TrainingHooks {
  /** Awaited after every epoch, in order. */
  onEpoch?: (progress: EpochProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Thrown when a run stops because its signal was aborted. */
export class TrainingCancelledError extends Error {
  constructor(readonly epochsCompleted: number) {
    super(`training cancelled after ${epochsCompleted} epoch(s)`);
    this.name = 'TrainingCancelledError';
  }
}
