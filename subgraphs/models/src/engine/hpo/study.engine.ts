import type { Pruner } from './median.pruner';
import type { Sampler } from './sampler';
import type { Direction, Params, SearchSpace } from './search-space';
import { validateSearchSpace } from './search-space';
import type { TrialRecord } from './trial';
import { TrialPrunedError } from './trial';

/** What a running objective sees of its trial. */
export interface TrialContext {
  number: number;
  params: Params;
  signal: AbortSignal;
  /**
   * Records the value at `step` and asks the pruner.
   * @throws TrialPrunedError when the trial should stop; let it propagate
   */
  report(step: number, value: number): void;
}

/** Options of {@link StudyEngine.optimize}. */
export interface OptimizeOptions {
  nTrials: number;
  /** Trials running at once. @default 1 */
  concurrency?: number;
  objective: (trial: TrialContext) => Promise<number>;
  signal?: AbortSignal;
  onTrialStart?: (trial: TrialRecord) => void | Promise<void>;
  onTrialReport?: (trial: TrialRecord, step: number, value: number) => void | Promise<void>;
  onTrialFinish?: (trial: TrialRecord) => void | Promise<void>;
}

/** Ask-and-tell state of one study: the trial history, its sampler and pruner. */
export class StudyEngine {
  readonly trials: TrialRecord[] = [];

  constructor(
    readonly space: SearchSpace,
    readonly direction: Direction,
    private readonly sampler: Sampler,
    private readonly pruner?: Pruner,
  ) {
    validateSearchSpace(space);
  }

  /** Restores finished trials (e.g. after a restart) so samplers and the pruner see them. */
  restore(trials: readonly TrialRecord[]): void {
    for (const t of trials) this.trials.push({ ...t, intermediateValues: new Map(t.intermediateValues) });
    this.trials.sort((a, b) => a.number - b.number);
  }

  /** Starts a trial with sampled parameters, or returns undefined when the sampler is exhausted. */
  ask(): TrialRecord | undefined {
    const params = this.sampler.sample(this.space, this.trials, this.direction);
    if (!params) return undefined;
    const trial: TrialRecord = {
      number: this.trials.length === 0 ? 0 : this.trials[this.trials.length - 1]!.number + 1,
      state: 'RUNNING',
      params,
      intermediateValues: new Map(),
    };
    this.trials.push(trial);
    return trial;
  }

  /** Records an intermediate value. @returns whether the pruner says to stop */
  report(trial: TrialRecord, step: number, value: number): boolean {
    if (trial.state !== 'RUNNING') throw new Error(`trial ${trial.number} is ${trial.state}`);
    if (!Number.isInteger(step) || step < 0) throw new RangeError('step must be a non-negative integer');
    trial.intermediateValues.set(step, value);
    return this.pruner?.shouldPrune(trial, this.trials, this.direction) ?? false;
  }

  /** Finishes a trial. */
  tell(trial: TrialRecord, state: 'COMPLETE' | 'PRUNED' | 'FAIL', value?: number, error?: string): void {
    trial.state = state;
    if (state === 'COMPLETE') {
      if (value === undefined || Number.isNaN(value)) {
        trial.state = 'FAIL';
        trial.error = 'objective returned no value';
      } else trial.value = value;
    }
    if (error) trial.error = error;
  }

  /** The best COMPLETE trial. */
  best(): TrialRecord | undefined {
    const sign = this.direction === 'minimize' ? 1 : -1;
    return this.trials
      .filter((t) => t.state === 'COMPLETE')
      .reduce<TrialRecord | undefined>(
        (best, t) => (!best || sign * ((t.value as number) - (best.value as number)) < 0 ? t : best),
        undefined,
      );
  }

  /**
   * Runs up to `nTrials` more trials with at most `concurrency` at a time. An objective that throws
   * TrialPrunedError ends PRUNED, any other error FAIL (the study goes on). Stops starting trials
   * when `signal` aborts and aborts running ones.
   */
  async optimize(options: OptimizeOptions): Promise<void> {
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    let started = 0;
    let exhausted = false;
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const runOne = async (trial: TrialRecord): Promise<void> => {
      await options.onTrialStart?.(trial);
      const reports: Promise<void>[] = [];
      const context: TrialContext = {
        number: trial.number,
        params: trial.params,
        signal: controller.signal,
        report: (step, value) => {
          const prune = this.report(trial, step, value);
          if (options.onTrialReport) reports.push(Promise.resolve(options.onTrialReport(trial, step, value)));
          if (prune) throw new TrialPrunedError(step);
        },
      };
      try {
        const value = await options.objective(context);
        this.tell(trial, 'COMPLETE', value);
      } catch (error) {
        if (error instanceof TrialPrunedError) this.tell(trial, 'PRUNED');
        else this.tell(trial, 'FAIL', undefined, error instanceof Error ? error.message : String(error));
      }
      await Promise.all(reports);
      await options.onTrialFinish?.(trial);
    };
    const worker = async (): Promise<void> => {
      while (!exhausted && started < options.nTrials && !controller.signal.aborted) {
        const trial = this.ask();
        if (!trial) {
          exhausted = true;
          return;
        }
        started++;
        await runOne(trial);
      }
    };
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}
