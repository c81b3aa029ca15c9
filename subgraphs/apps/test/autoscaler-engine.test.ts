import { describe, expect, it } from 'vitest';
import { decideScale, resolveScalingPolicy } from '../src/autoscaler/autoscaler.engine';
import type { ScalingPolicySpec } from '../src/autoscaler/autoscaler.engine';
import { emptyScalingHistory } from '../src/autoscaler/scaling-behavior.model';
import type { ScalingHistory } from '../src/autoscaler/scaling-behavior.model';
import { InvalidInputError } from '../src/common/invalid-input.error';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const concurrency: ScalingPolicySpec = {
  minReplicas: 1,
  maxReplicas: 10,
  target: { kind: 'CONCURRENCY', averageValue: 4 },
};

/** Runs the autoscaler over a series of (seconds after T0, total requests in flight), carrying the size and history forward. */
function simulate(policy: ScalingPolicySpec, start: number, load: [number, number][]) {
  let replicas = start;
  let history: ScalingHistory = emptyScalingHistory();
  const sizes: number[] = [];
  for (const [second, inFlight] of load) {
    const step = decideScale({
      policy,
      currentReplicas: replicas,
      observation: { kind: 'TOTAL', value: inFlight },
      history,
      now: T0 + second * 1000,
    });
    replicas = step.decision.desiredReplicas;
    history = step.history;
    sizes.push(replicas);
  }
  return sizes;
}

describe('decideScale', () => {
  it('applies desired = ceil(current x metric / target) and records the inputs', () => {
    const { decision, history } = decideScale({
      policy: concurrency,
      currentReplicas: 2,
      observation: { kind: 'TOTAL', value: 14 },
      history: emptyScalingHistory(),
      now: T0,
    });
    // 14 in flight over 2 replicas = 7 per replica; ceil(2 x 7 / 4) = 4.
    expect(decision).toMatchObject({
      currentReplicas: 2,
      metricReplicas: 4,
      desiredReplicas: 4,
      observedValue: 7,
      reason: 'DesiredWithinRange',
    });
    expect(decision.inputs.observation).toEqual({ kind: 'TOTAL', value: 14 });
    expect(decision.inputs.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(history.recommendations).toEqual([{ replicas: 4, at: T0 }]);
    expect(history.scaleUpEvents).toEqual([{ replicaChange: 2, at: T0, outdated: false }]);
  });

  it('keeps the size within the 10% tolerance', () => {
    // 4.3 per replica against 4: ratio 1.075.
    const { decision } = decideScale({
      policy: concurrency,
      currentReplicas: 4,
      observation: { kind: 'TOTAL', value: 17.2 },
      history: emptyScalingHistory(),
      now: T0,
    });
    expect(decision.desiredReplicas).toBe(4);
  });

  it('clamps to min and max before looking at metrics', () => {
    const base = { observation: { kind: 'TOTAL', value: 0 } as const, history: emptyScalingHistory(), now: T0 };
    expect(decideScale({ ...base, policy: concurrency, currentReplicas: 12 }).decision).toMatchObject({
      desiredReplicas: 10,
      reason: 'AboveMaximum',
    });
    expect(
      decideScale({ ...base, policy: { ...concurrency, minReplicas: 3 }, currentReplicas: 2 }).decision,
    ).toMatchObject({ desiredReplicas: 3, reason: 'BelowMinimum' });
    expect(decideScale({ ...base, policy: concurrency, currentReplicas: 0 }).decision).toMatchObject({
      desiredReplicas: 0,
      reason: 'ScalingDisabled',
    });
    // Default scale-up rate: +4 pods or +100% per 15 s, whichever is more: from 3, at most 7.
    const burst = decideScale({
      ...base,
      policy: { ...concurrency, maxReplicas: 20 },
      currentReplicas: 3,
      observation: { kind: 'TOTAL', value: 400 },
    });
    expect(burst.decision).toMatchObject({ metricReplicas: 100, desiredReplicas: 7, reason: 'ScaleUpLimit' });
  });

  it('waits out the 300 s stabilization window before scaling down, using the highest recent recommendation', () => {
    // Load spikes, then drops to nothing: the size holds at the window's maximum until the spike leaves it.
    const sizes = simulate(concurrency, 4, [
      [0, 32], // 8/replica -> ceil(4 x 8 / 4) = 8
      [30, 8], // 1/replica -> 2, but 8 was recommended 30 s ago
      [120, 4], // -> 1, still within the window of the t=0 recommendation
      [299, 4],
      [301, 4], // t=0 left the window; the t=30 recommendation (2) is the highest left
      [400, 4], // all recommendations but the recent "1"s are old
    ]);
    expect(sizes).toEqual([8, 8, 8, 8, 2, 1]);
  });

  it('scales by CPU utilization with per-replica samples', () => {
    const pods = [0, 1, 2].map((i) => ({
      name: `w-${i}`,
      phase: 'Running' as const,
      ready: true,
      startedAt: T0 - 600_000,
      readyTransitionAt: T0 - 590_000,
      requestMilli: 1000,
    }));
    const metrics = new Map(
      pods.map((p, i) => [p.name, { valueMilli: [900, 800, 700][i]!, timestamp: T0, windowMs: 60_000 }]),
    );
    const { decision } = decideScale({
      policy: { minReplicas: 1, maxReplicas: 10, target: { kind: 'CPU', averageUtilization: 50 } },
      currentReplicas: 3,
      observation: { kind: 'PODS', pods, metrics },
      history: emptyScalingHistory(),
      now: T0,
    });
    expect(decision).toMatchObject({ metricReplicas: 5, desiredReplicas: 5, observedValue: 80 });
  });

  it('keeps the size and says why when metrics are missing', () => {
    const { decision } = decideScale({
      policy: { minReplicas: 1, maxReplicas: 10, target: { kind: 'CPU', averageUtilization: 50 } },
      currentReplicas: 3,
      observation: { kind: 'TOTAL', value: 3 },
      history: emptyScalingHistory(),
      now: T0,
    });
    expect(decision).toMatchObject({ desiredReplicas: 3, reason: 'FailedGetMetrics' });
  });

  it('refuses an invalid policy with every bad field', () => {
    try {
      resolveScalingPolicy({
        minReplicas: 5,
        maxReplicas: 2,
        target: { kind: 'CONCURRENCY', averageValue: 0 },
        behavior: { scaleDown: { stabilizationWindowSeconds: -1 } },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).fields.map((f) => f.field)).toEqual([
        'scaling.maxReplicas',
        'scaling.target',
        'scaling.behavior.scaleDown.stabilizationWindowSeconds',
      ]);
    }
  });
});
