import { describe, expect, test } from 'vitest';
import { GridSampler } from '../../src/engine/hpo/grid.sampler';
import { median, MedianPruner } from '../../src/engine/hpo/median.pruner';
import { StudyEngine } from '../../src/engine/hpo/study.engine';
import type { TrialRecord } from '../../src/engine/hpo/trial';

function trial(number: number, state: TrialRecord['state'], values: number[]): TrialRecord {
  return {
    number,
    state,
    params: {},
    intermediateValues: new Map(values.map((v, step) => [step, v])),
    ...(state === 'COMPLETE' ? { value: values[values.length - 1] } : {}),
  };
}

describe('median pruner (Optuna semantics)', () => {
  test('median of an even count is the mean of the middle two', () => {
    expect(median([3, 1, 4, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
  });

  test('decisions against hand-computed medians', () => {
    // Completed trials' values at steps 0..3.
    const completed = [
      trial(0, 'COMPLETE', [1.0, 0.8, 0.6, 0.5]),
      trial(1, 'COMPLETE', [0.9, 0.7, 0.4, 0.3]),
      trial(2, 'COMPLETE', [1.2, 1.0, 1.0, 0.9]),
      trial(3, 'COMPLETE', [0.8, 0.6, 0.5, 0.4]),
      trial(4, 'COMPLETE', [1.1, 0.9, 0.8, 0.7]),
    ];
    const pruner = new MedianPruner({ nWarmupSteps: 2 });
    const running = trial(5, 'RUNNING', [9, 9]);
    // Steps 0 and 1 are warm-up: never pruned however bad.
    expect(pruner.shouldPrune(running, [...completed, running], 'minimize')).toBe(false);
    // Step 2: median of [0.6, 0.4, 1.0, 0.5, 0.8] = 0.6; best so far min(9, 9, 0.6) = 0.6 is not worse.
    running.intermediateValues.set(2, 0.6);
    expect(pruner.shouldPrune(running, [...completed, running], 'minimize')).toBe(false);
    // Step 3: median of [0.5, 0.3, 0.9, 0.4, 0.7] = 0.5; best so far 0.55 > 0.5: prune.
    running.intermediateValues.set(3, 0.55);
    expect(pruner.shouldPrune(running, [...completed, running], 'minimize')).toBe(true);
    // The best value up to the step counts, not the last one: 0.2 at step 2 keeps it alive at step 3.
    const recovering = trial(6, 'RUNNING', [9, 9, 0.2, 0.95]);
    expect(pruner.shouldPrune(recovering, [...completed, recovering], 'minimize')).toBe(false);
    // Maximizing flips the comparison: best max(0.1, 0.2, 0.3, 0.55) = 0.55 ≥ 0.5 survives.
    expect(pruner.shouldPrune(trial(7, 'RUNNING', [0.1, 0.2, 0.3, 0.55]), completed, 'maximize')).toBe(false);
    expect(pruner.shouldPrune(trial(8, 'RUNNING', [0.1, 0.2, 0.3, 0.45]), completed, 'maximize')).toBe(true);
  });

  test('no pruning before n_startup_trials completed trials; pruned and failed trials do not count', () => {
    const history = [
      trial(0, 'COMPLETE', [0.1]),
      trial(1, 'COMPLETE', [0.1]),
      trial(2, 'COMPLETE', [0.1]),
      trial(3, 'COMPLETE', [0.1]),
      trial(4, 'PRUNED', [0.1]),
      trial(5, 'FAIL', [0.1]),
    ];
    const bad = trial(6, 'RUNNING', [5]);
    expect(new MedianPruner().shouldPrune(bad, [...history, bad], 'minimize')).toBe(false);
    const withFifth = [...history, trial(7, 'COMPLETE', [0.1])];
    expect(new MedianPruner().shouldPrune(bad, [...withFifth, bad], 'minimize')).toBe(true);
  });

  test('a study prunes exactly the trials the hand-computed medians say', async () => {
    const curves = [
      [1.0, 0.8, 0.6, 0.5],
      [0.9, 0.7, 0.5, 0.4],
      [1.2, 1.0, 0.9, 0.8],
      [0.8, 0.6, 0.4, 0.3],
      [1.1, 0.9, 0.7, 0.6],
      // step 0: median of [1.0, 0.9, 1.2, 0.8, 1.1] = 1.0 < 1.3 → pruned at step 0
      [1.3, 1.2, 1.1, 1.0],
      // medians 1.0, 0.8, 0.6, 0.5 at steps 0..3; never worse → completes
      [0.95, 0.75, 0.55, 0.45],
      // step 0: median of six [0.8, 0.9, 0.95, 1.0, 1.1, 1.2] = 0.975 > 0.97, survives;
      // step 1: median of [0.6, 0.7, 0.75, 0.8, 0.9, 1.0] = 0.775 < min(0.97, 0.85) → pruned at step 1
      [0.97, 0.85, 0.6, 0.5],
    ];
    const study = new StudyEngine(
      { curve: { type: 'categorical', choices: curves.map((_, i) => i) } },
      'minimize',
      new GridSampler(),
      new MedianPruner(),
    );
    const prunedAt = new Map<number, number>();
    await study.optimize({
      nTrials: 100,
      objective: async (t) => {
        const curve = curves[t.params.curve as number]!;
        for (let step = 0; step < curve.length; step++) {
          try {
            t.report(step, curve[step]!);
          } catch (error) {
            prunedAt.set(t.number, step);
            throw error;
          }
        }
        return curve[curve.length - 1]!;
      },
    });
    expect(study.trials.map((t) => t.state)).toEqual([
      'COMPLETE',
      'COMPLETE',
      'COMPLETE',
      'COMPLETE',
      'COMPLETE',
      'PRUNED',
      'COMPLETE',
      'PRUNED',
    ]);
    expect([...prunedAt]).toEqual([
      [5, 0],
      [7, 1],
    ]);
    expect(study.best()?.params.curve).toBe(3);
  });
});
