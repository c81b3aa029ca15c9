import type { Direction } from './search-space';
import type { TrialRecord } from './trial';
import { lastStep } from './trial';

/** Options of {@link MedianPruner}, with Optuna's defaults. */
export interface MedianPrunerOptions {
  /** No pruning until this many trials have completed. @default 5 */
  nStartupTrials?: number;
  /** No pruning before a trial reaches this step. @default 0 */
  nWarmupSteps?: number;
  /** Prune only at the first report in each interval after warm-up. @default 1 */
  intervalSteps?: number;
  /** The median needs at least this many completed trials with a value at the step. @default 1 */
  nMinTrials?: number;
}

/** Decides whether a running trial should stop. */
export interface Pruner {
  shouldPrune(trial: TrialRecord, trials: readonly TrialRecord[], direction: Direction): boolean;
}

/** Median of values (the mean of the two middle ones for an even count), like numpy's 50th percentile. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Optuna's MedianPruner (a PercentilePruner at 50): at the trial's latest step, compare the best
 * value the trial has reported so far (minimum when minimizing) with the median of the values that
 * earlier COMPLETE trials reported at that same step, and prune when it is worse. NaN best values
 * prune; a NaN median (too few values at that step) does not.
 */
export class MedianPruner implements Pruner {
  private readonly nStartupTrials: number;
  private readonly nWarmupSteps: number;
  private readonly intervalSteps: number;
  private readonly nMinTrials: number;

  constructor(options: MedianPrunerOptions = {}) {
    this.nStartupTrials = options.nStartupTrials ?? 5;
    this.nWarmupSteps = options.nWarmupSteps ?? 0;
    this.intervalSteps = options.intervalSteps ?? 1;
    this.nMinTrials = options.nMinTrials ?? 1;
    if (this.nStartupTrials < 0 || this.nWarmupSteps < 0 || this.intervalSteps < 1 || this.nMinTrials < 1)
      throw new RangeError('invalid median pruner options');
  }

  shouldPrune(trial: TrialRecord, trials: readonly TrialRecord[], direction: Direction): boolean {
    const completed = trials.filter((t) => t.state === 'COMPLETE' && t.number !== trial.number);
    if (completed.length === 0 || completed.length < this.nStartupTrials) return false;
    const step = lastStep(trial);
    if (step === undefined || step < this.nWarmupSteps) return false;
    if (!this.isFirstInInterval(step, trial)) return false;
    const reported = [...trial.intermediateValues.values()].filter((v) => !Number.isNaN(v));
    if (reported.length === 0) return true;
    const best = direction === 'minimize' ? Math.min(...reported) : Math.max(...reported);
    const atStep = completed
      .map((t) => t.intermediateValues.get(step))
      .filter((v): v is number => v !== undefined && !Number.isNaN(v));
    if (atStep.length < this.nMinTrials) return false;
    const threshold = median(atStep);
    return direction === 'maximize' ? best < threshold : best > threshold;
  }

  private isFirstInInterval(step: number, trial: TrialRecord): boolean {
    const nearestLowerPruningStep =
      Math.floor((step - this.nWarmupSteps) / this.intervalSteps) * this.intervalSteps + this.nWarmupSteps;
    let secondLast = -1;
    for (const s of trial.intermediateValues.keys()) if (s > secondLast && s !== step) secondLast = s;
    return secondLast < nearestLowerPruningStep;
  }
}
