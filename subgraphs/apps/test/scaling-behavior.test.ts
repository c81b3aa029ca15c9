// Cases ported from kubernetes/kubernetes pkg/controller/podautoscaler/horizontal_test.go:
// TestNormalizeDesiredReplicas, TestNormalizeDesiredReplicasWithBehavior, TestScalingWithRules and
// TestStoreScaleEvents (case names and expected numbers kept).
import { describe, expect, it } from 'vitest';
import {
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
} from '../src/autoscaler/recommendation.stabilizer';
import { limitByBehaviorRate, recordScaleEvent, replicasChangedInPeriod } from '../src/autoscaler/scale-rate.limiter';
import { defaultScaleDownRules, defaultScaleUpRules } from '../src/autoscaler/scaling-behavior.model';
import type { ScalingPolicyRule, ScalingRules, TimestampedScaleEvent } from '../src/autoscaler/scaling-behavior.model';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const ago = (seconds: number) => NOW - seconds * 1000;

/** Mirrors the Go helper `generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow)`. */
function rules(
  pods: number,
  podsPeriod: number,
  percent: number,
  percentPeriod: number,
  window: number,
): Partial<ScalingRules> {
  const policies: ScalingPolicyRule[] = [];
  if (pods !== 0) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent !== 0) policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return { stabilizationWindowSeconds: window, selectPolicy: 'Max', policies };
}

/** Mirrors `generateEventsUniformDistribution`: events centred in equal segments of the last `period` seconds. */
function uniformEvents(changes: number[], period: number): TimestampedScaleEvent[] {
  const segment = period / changes.length;
  return changes.map((change, idx) => ({
    replicaChange: change,
    at: ago(Math.trunc(period - segment * (idx + 1) + segment / 2)),
    outdated: false,
  }));
}

describe('TestNormalizeDesiredReplicas (scale-down stabilization, 5 minute window)', () => {
  it.each([
    ['empty log', [], 5, 5, 1],
    [
      'stabilize',
      [
        [4, 120],
        [5, 60],
      ],
      3,
      5,
      3,
    ],
    [
      'no stabilize',
      [
        [1, 120],
        [2, 60],
      ],
      3,
      3,
      3,
    ],
    [
      'no stabilize - old recommendations',
      [
        [10, 600],
        [9, 540],
      ],
      3,
      3,
      2,
    ],
    [
      'stabilize - old recommendations',
      [
        [10, 600],
        [4, 60],
        [5, 120],
        [9, 540],
      ],
      3,
      5,
      4,
    ],
  ] as [string, [number, number][], number, number, number][])('%s', (_name, log, desired, expected, logLength) => {
    const result = stabilizeRecommendation(
      log.map(([replicas, s]) => ({ replicas, at: ago(s) })),
      desired,
      300,
      NOW,
    );
    expect(result.replicas).toBe(expected);
    expect(result.recommendations).toHaveLength(logLength);
  });
});

describe('TestNormalizeDesiredReplicasWithBehavior', () => {
  it.each([
    ['empty recommendations for scaling down', [], 100, 5, 5, [5], 0, 0],
    [
      'simple scale down stabilization',
      [
        [4, 120],
        [5, 60],
      ],
      100,
      3,
      5,
      [4, 5, 3],
      0,
      180,
    ],
    [
      'simple scale up stabilization',
      [
        [4, 120],
        [5, 60],
      ],
      1,
      7,
      4,
      [4, 5, 7],
      300,
      0,
    ],
    [
      'no scale down stabilization',
      [
        [1, 120],
        [2, 60],
      ],
      100,
      3,
      3,
      [1, 2, 3],
      300,
      0,
    ],
    [
      'no scale up stabilization',
      [
        [4, 120],
        [5, 60],
      ],
      1,
      3,
      3,
      [4, 5, 3],
      0,
      300,
    ],
    [
      'no scale down stabilization, reuse recommendation element',
      [
        [10, 600],
        [9, 540],
      ],
      100,
      3,
      3,
      [10, 3],
      0,
      0,
    ],
    [
      'no scale up stabilization, reuse recommendation element',
      [
        [10, 600],
        [9, 540],
      ],
      1,
      100,
      100,
      [10, 100],
      0,
      0,
    ],
    [
      'scale down stabilization, reuse one of obsolete recommendation element',
      [
        [10, 600],
        [4, 60],
        [5, 120],
        [9, 540],
      ],
      100,
      3,
      5,
      [10, 4, 5, 3],
      0,
      180,
    ],
    [
      'scale up stabilization, reuse one of obsolete recommendation element',
      [
        [10, 6000],
        [6, 60],
        [5, 120],
        [9, 180],
      ],
      1,
      100,
      5,
      [100, 6, 5, 9],
      300,
      0,
    ],
    [
      'scale up and down stabilization, do not scale up when prenormalized rec goes down',
      [
        [2, 6000],
        [3, 180],
      ],
      2,
      1,
      2,
      null,
      300,
      300,
    ],
    [
      'scale up and down stabilization, do not scale down when prenormalized rec goes up',
      [
        [2, 6000],
        [1, 180],
      ],
      2,
      3,
      2,
      null,
      300,
      300,
    ],
  ] as [string, [number, number][], number, number, number, number[] | null, number, number][])(
    '%s',
    (_name, log, current, desired, expected, expectedLog, upWindow, downWindow) => {
      const result = stabilizeRecommendationWithBehaviors(
        log.map(([replicas, s]) => ({ replicas, at: ago(s) })),
        { desired, current, upWindowSeconds: upWindow, downWindowSeconds: downWindow, now: NOW },
      );
      expect(result.replicas).toBe(expected);
      if (expectedLog) expect(result.recommendations.map((r) => r.replicas)).toEqual(expectedLog);
    },
  );
});

interface RateCase {
  name: string;
  current: number;
  desired: number;
  min: number;
  max: number;
  up?: Partial<ScalingRules>;
  down?: Partial<ScalingRules>;
  upEvents?: TimestampedScaleEvent[];
  downEvents?: TimestampedScaleEvent[];
  expected: number;
  condition: string;
}

const rateCases: RateCase[] = [
  {
    name: 'prenormalized desired replicas within range',
    current: 5,
    desired: 7,
    min: 3,
    max: 8,
    expected: 7,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'prenormalized desired replicas < minReplicas',
    current: 3,
    desired: 1,
    min: 2,
    max: 8,
    expected: 2,
    condition: 'TooFewReplicas',
  },
  {
    name: 'prenormalized desired replicas within range when minReplicas is 0',
    current: 1,
    desired: 0,
    min: 0,
    max: 10,
    expected: 0,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'maxReplicas is the limit because maxReplicas < scaleUpLimit',
    current: 20,
    desired: 1000,
    min: 1,
    max: 10,
    expected: 10,
    condition: 'TooManyReplicas',
  },
  {
    name: 'desired replica count is more than the maximum replica count',
    current: 100,
    desired: 1000,
    min: 100,
    max: 150,
    expected: 150,
    condition: 'TooManyReplicas',
  },
  {
    name: 'scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies',
    current: 3,
    desired: 1000,
    min: 1,
    max: 2000,
    up: rules(0, 0, 1, 60, 0),
    expected: 4,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with default behavior',
    current: 10,
    desired: 50,
    min: 1,
    max: 1000,
    expected: 20,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with pods policy larger than percent policy',
    current: 10,
    desired: 500,
    min: 1,
    max: 1000,
    up: rules(100, 60, 100, 60, 0),
    expected: 110,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with percent policy larger than pods policy',
    current: 10,
    desired: 500,
    min: 1,
    max: 1000,
    up: rules(2, 60, 100, 60, 0),
    expected: 20,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with spec MaxReplicas limitation with large pod policy',
    current: 10,
    desired: 50,
    min: 1,
    max: 1000,
    up: rules(100, 60, 0, 0, 0),
    expected: 50,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'scaleUp with pod policy limitation',
    current: 10,
    desired: 50,
    min: 1,
    max: 1000,
    up: rules(30, 60, 0, 0, 0),
    expected: 40,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with percent policy limitation',
    current: 10,
    desired: 50,
    min: 1,
    max: 1000,
    up: rules(0, 0, 200, 60, 0),
    expected: 30,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleDown with percent policy larger than pod policy',
    current: 100,
    desired: 2,
    min: 1,
    max: 1000,
    down: rules(20, 60, 1, 60, 300),
    expected: 80,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with pod policy larger than percent policy',
    current: 100,
    desired: 2,
    min: 1,
    max: 1000,
    down: rules(2, 60, 1, 60, 300),
    expected: 98,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with spec MinReplicas limitation with large percent policy',
    current: 10,
    desired: 2,
    min: 5,
    max: 1000,
    down: rules(0, 0, 100, 60, 300),
    expected: 5,
    condition: 'TooFewReplicas',
  },
  {
    name: 'scaleDown with pod policy limitation',
    current: 10,
    desired: 2,
    min: 1,
    max: 1000,
    down: rules(5, 60, 0, 0, 300),
    expected: 5,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with percent policy limitation',
    current: 10,
    desired: 5,
    min: 1,
    max: 1000,
    down: rules(0, 0, 50, 60, 300),
    expected: 5,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'scaleUp with spec MaxReplicas limitation with large pod policy and events',
    current: 100,
    desired: 500,
    min: 1,
    max: 200,
    up: rules(300, 60, 0, 0, 0),
    upEvents: uniformEvents([1, 5, 9], 120),
    expected: 200,
    condition: 'TooManyReplicas',
  },
  {
    name: 'scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events',
    current: 100,
    desired: 500,
    min: 1,
    max: 1000,
    up: rules(5, 120, 0, 0, 0),
    upEvents: uniformEvents([1, 5, 9], 120),
    expected: 100,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with pod policy and previous scale up events',
    current: 100,
    desired: 500,
    min: 1,
    max: 1000,
    up: rules(150, 120, 0, 0, 0),
    upEvents: uniformEvents([1, 5, 9], 120),
    expected: 235,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with percent policy and previous scale up events',
    current: 100,
    desired: 500,
    min: 1,
    max: 1000,
    up: rules(0, 0, 200, 120, 0),
    upEvents: uniformEvents([1, 5, 9], 120),
    expected: 255,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with percent policy and previous scale up and down events',
    current: 6,
    desired: 24,
    min: 1,
    max: 1000,
    up: rules(0, 0, 300, 300, 0),
    upEvents: uniformEvents([4], 120),
    downEvents: uniformEvents([2], 120),
    expected: 16,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleDown with default policy and previous events',
    current: 10,
    desired: 5,
    min: 1,
    max: 1000,
    downEvents: uniformEvents([1, 5, 9], 120),
    expected: 5,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events',
    current: 100,
    desired: 0,
    min: 1,
    max: 1000,
    down: rules(115, 120, 0, 0, 300),
    downEvents: uniformEvents([1, 5, 9], 120),
    expected: 1,
    condition: 'TooFewReplicas',
  },
  {
    name: 'scaleDown with pod policy limitation and previous events',
    current: 100,
    desired: 2,
    min: 1,
    max: 1000,
    down: rules(5, 120, 0, 0, 300),
    downEvents: uniformEvents([1, 5, 9], 120),
    expected: 100,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with percent policy limitation and previous events',
    current: 100,
    desired: 0,
    min: 1,
    max: 1000,
    down: rules(0, 0, 50, 120, 300),
    downEvents: uniformEvents([2, 4, 6], 120),
    expected: 56,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with percent policy and previous scale up and down events',
    current: 10,
    desired: 1,
    min: 1,
    max: 1000,
    down: rules(0, 0, 50, 180, 0),
    upEvents: uniformEvents([2], 120),
    downEvents: uniformEvents([4], 120),
    expected: 6,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with previous events preventing further scale down',
    current: 100,
    desired: 0,
    min: 1,
    max: 1000,
    down: rules(0, 0, 10, 120, 300),
    downEvents: uniformEvents([10, 10, 10], 120),
    expected: 100,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with with previous events still allowing more scale down',
    current: 10,
    desired: 5,
    min: 1,
    max: 1000,
    down: rules(0, 0, 1000, 120, 300),
    downEvents: uniformEvents([10, 10, 10], 120),
    expected: 5,
    condition: 'DesiredWithinRange',
  },
  {
    name: "check that events were marked 'outdated' for two different policies in the behavior for up",
    current: 100,
    desired: 200,
    min: 1,
    max: 1000,
    up: rules(1000, 30, 100, 60, 0),
    upEvents: uniformEvents([8, 12, 9, 11], 120),
    expected: 200,
    condition: 'DesiredWithinRange',
  },
  {
    name: "check that events were marked 'outdated' for two different policies in the behavior for down",
    current: 100,
    desired: 5,
    min: 1,
    max: 1000,
    down: rules(1000, 30, 100, 60, 300),
    downEvents: uniformEvents([8, 12, 9, 11], 120),
    expected: 5,
    condition: 'DesiredWithinRange',
  },
];

describe('TestScalingWithRules (min/max clamps and rate policies)', () => {
  for (const tc of rateCases) {
    it(tc.name, () => {
      const result = limitByBehaviorRate({
        currentReplicas: tc.current,
        desiredReplicas: tc.desired,
        minReplicas: tc.min,
        maxReplicas: tc.max,
        behavior: { scaleUp: defaultScaleUpRules(tc.up), scaleDown: defaultScaleDownRules(tc.down) },
        scaleUpEvents: tc.upEvents ?? [],
        scaleDownEvents: tc.downEvents ?? [],
        now: NOW,
      });
      expect(result).toEqual({ replicas: tc.expected, reason: tc.condition });
    });
  }
});

describe('TestStoreScaleEvents', () => {
  it.each([
    ['one outdated entry to be replaced with behavior', [[7, 61]], [5], rules(10, 60, 100, 60, 0), 0, [false]],
    [
      'one actual entry to be not touched with behavior',
      [[7, 58]],
      [7, 5],
      rules(10, 60, 100, 60, 0),
      7,
      [false, false],
    ],
    [
      'two entries, one of them to be replaced',
      [
        [7, 61],
        [6, 59],
      ],
      [5, 6],
      rules(10, 60, 0, 0, 0),
      6,
      [false, false],
    ],
    [
      'replace one entry, use policies with different periods',
      [
        [8, 29],
        [6, 59],
        [7, 61],
        [9, 61],
      ],
      [8, 6, 7, 5],
      rules(10, 60, 100, 30, 0),
      14,
      [false, false, true, false],
    ],
    [
      'two entries, both actual',
      [
        [7, 58],
        [6, 59],
      ],
      [7, 6, 5],
      rules(10, 120, 100, 30, 0),
      13,
      [false, false, false],
    ],
  ] as [string, [number, number][], number[], Partial<ScalingRules>, number, boolean[]][])(
    '%s',
    (_name, previous, expectedChanges, scalingRules, expectedChangeIn60s, expectedOutdated) => {
      const events = previous.map(([replicaChange, s]) => ({ replicaChange, at: ago(s), outdated: false }));
      expect(replicasChangedInPeriod(60, events, NOW)).toBe(expectedChangeIn60s);
      const behavior = { scaleUp: defaultScaleUpRules(scalingRules), scaleDown: defaultScaleDownRules(scalingRules) };
      const up = recordScaleEvent(behavior, { scaleUpEvents: events, scaleDownEvents: [] }, 10, 15, NOW);
      expect(up.scaleUpEvents.map((e) => e.replicaChange)).toEqual(expectedChanges);
      expect(up.scaleUpEvents.map((e) => e.outdated)).toEqual(expectedOutdated);
      const down = recordScaleEvent(behavior, { scaleUpEvents: [], scaleDownEvents: events }, 10, 5, NOW);
      expect(down.scaleDownEvents.map((e) => e.replicaChange)).toEqual(expectedChanges);
      expect(events.every((e) => !e.outdated)).toBe(true);
    },
  );
});
