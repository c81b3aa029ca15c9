import type { Params } from './search-space';

/** Life cycle of a trial (Optuna's TrialState without WAITING). */
export type TrialState = 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL';

/** A trial as samplers and pruners see it. */
export interface TrialRecord {
  number: number;
  state: TrialState;
  params: Params;
  /** Objective value of a COMPLETE trial. */
  value?: number;
  /** Step → reported value. */
  intermediateValues: Map<number, number>;
  /** Why a FAIL trial failed. */
  error?: string;
}

/** Thrown by an objective (or by {@link TrialContext.report}) to stop a trial as pruned. */
export class TrialPrunedError extends Error {
  constructor(readonly step: number) {
    super(`trial pruned at step ${step}`);
    this.name = 'TrialPrunedError';
  }
}

/** The highest step a trial has reported, or undefined before its first report. */
export function lastStep(trial: TrialRecord): number | undefined {
  let last: number | undefined;
  for (const step of trial.intermediateValues.keys()) if (last === undefined || step > last) last = step;
  return last;
}
