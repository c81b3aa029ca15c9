// Cases ported from kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go
// (test names kept as the case names, expected numbers unchanged). Their harness gives every pod two
// containers, so per-pod requests and CPU samples are twice the per-container figures listed there.
import { describe, expect, it } from 'vitest';
import type { PodMetrics, PodPhase, PodSample } from '../src/autoscaler/pod-sample.model';
import {
  MetricsUnavailableError,
  calculatePodMetricReplicas,
  calculateResourceReplicas,
  calculateTotalAverageReplicas,
  calculateTotalValueReplicas,
} from '../src/autoscaler/replica.calculator';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const CONTAINERS_PER_POD = 2;
// The Go harness starts pods at the zero time unless a start time is given; epoch 0 plays that role.
const ZERO = 0;
const HOT = NOW; // started inside the 2-minute CPU initialization period
const COOL = NOW - 3 * 60_000;

interface Case {
  currentReplicas: number;
  expectedReplicas?: number;
  expectedError?: string;
  readiness?: boolean[];
  startTimes?: number[];
  phases?: PodPhase[];
  deleting?: boolean[];
  resource?: {
    requests: number[];
    levels: number[];
    podNames?: string[];
    target: number;
    expectedUtilization?: number;
    expectedValue?: number;
  };
  metric?: { levels: number[]; target: number; expectedUtilization: number };
}

function buildPods(tc: Case): PodSample[] {
  const count = Math.max(tc.currentReplicas, tc.phases?.length ?? 0);
  return Array.from({ length: count }, (_, i) => ({
    name: `test-pod-${i}`,
    phase: tc.phases?.[i] ?? 'Running',
    deleting: tc.deleting?.[i] ?? false,
    ready: tc.readiness?.[i] ?? true,
    startedAt: tc.startTimes?.[i] ?? ZERO,
    readyTransitionAt: ZERO,
    requestMilli:
      tc.resource && i < tc.resource.requests.length ? tc.resource.requests[i]! * 1000 * CONTAINERS_PER_POD : undefined,
  }));
}

function run(tc: Case) {
  const pods = buildPods(tc);
  if (tc.resource) {
    const metrics: PodMetrics = new Map(
      tc.resource.levels.map((level, i) => [
        tc.resource?.podNames?.[i] ?? `test-pod-${i}`,
        { valueMilli: level * CONTAINERS_PER_POD, timestamp: ZERO, windowMs: 60_000 },
      ]),
    );
    return () =>
      calculateResourceReplicas({
        currentReplicas: tc.currentReplicas,
        resource: 'cpu',
        targetUtilization: tc.resource!.target,
        pods,
        metrics,
        now: NOW,
      });
  }
  const metrics: PodMetrics = new Map(
    tc.metric!.levels.map((level, i) => [`test-pod-${i}`, { valueMilli: level, timestamp: ZERO, windowMs: 60_000 }]),
  );
  return () =>
    calculatePodMetricReplicas({
      currentReplicas: tc.currentReplicas,
      targetMilli: tc.metric!.target,
      pods,
      metrics,
      now: NOW,
    });
}

const cases: Record<string, Case> = {
  TestReplicaCalcDisjointResourcesMetrics: {
    currentReplicas: 1,
    expectedError: 'no metrics returned matched known pods',
    resource: { requests: [1], levels: [100], podNames: ['an-older-pod-name'], target: 100 },
  },
  TestReplicaCalcScaleUp: {
    currentReplicas: 3,
    expectedReplicas: 5,
    resource: {
      requests: [1, 1, 1],
      levels: [300, 500, 700],
      target: 30,
      expectedUtilization: 50,
      expectedValue: 2 * 500,
    },
  },
  TestReplicaCalcScaleUpUnreadyLessScale: {
    currentReplicas: 3,
    expectedReplicas: 4,
    readiness: [false, true, true],
    resource: {
      requests: [1, 1, 1],
      levels: [300, 500, 700],
      target: 30,
      expectedUtilization: 60,
      expectedValue: 2 * 600,
    },
  },
  TestReplicaCalcScaleUpHotCpuLessScale: {
    currentReplicas: 3,
    expectedReplicas: 4,
    startTimes: [HOT, COOL, COOL],
    resource: {
      requests: [1, 1, 1],
      levels: [300, 500, 700],
      target: 30,
      expectedUtilization: 60,
      expectedValue: 2 * 600,
    },
  },
  TestReplicaCalcScaleUpUnreadyNoScale: {
    currentReplicas: 3,
    expectedReplicas: 3,
    readiness: [true, false, false],
    resource: {
      requests: [1, 1, 1],
      levels: [400, 500, 700],
      target: 30,
      expectedUtilization: 40,
      expectedValue: 2 * 400,
    },
  },
  TestReplicaCalcScaleHotCpuNoScale: {
    currentReplicas: 3,
    expectedReplicas: 3,
    readiness: [true, false, false],
    startTimes: [COOL, HOT, HOT],
    resource: {
      requests: [1, 1, 1],
      levels: [400, 500, 700],
      target: 30,
      expectedUtilization: 40,
      expectedValue: 2 * 400,
    },
  },
  TestReplicaCalcScaleUpIgnoresFailedPods: {
    currentReplicas: 2,
    expectedReplicas: 4,
    readiness: [true, true, false, false],
    phases: ['Running', 'Running', 'Failed', 'Failed'],
    resource: {
      requests: [1, 1, 1, 1],
      levels: [500, 700],
      target: 30,
      expectedUtilization: 60,
      expectedValue: 2 * 600,
    },
  },
  TestReplicaCalcScaleUpIgnoresDeletionPods: {
    currentReplicas: 2,
    expectedReplicas: 4,
    readiness: [true, true, false, false],
    phases: ['Running', 'Running', 'Running', 'Running'],
    deleting: [false, false, true, true],
    resource: {
      requests: [1, 1, 1, 1],
      levels: [500, 700],
      target: 30,
      expectedUtilization: 60,
      expectedValue: 2 * 600,
    },
  },
  TestReplicaCalcScaleUpCM: {
    currentReplicas: 3,
    expectedReplicas: 4,
    metric: { levels: [20000, 10000, 30000], target: 15000, expectedUtilization: 20000 },
  },
  TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale: {
    currentReplicas: 3,
    expectedReplicas: 6,
    readiness: [true, true, false],
    startTimes: [COOL, COOL, HOT],
    metric: { levels: [50000, 10000, 30000], target: 15000, expectedUtilization: 30000 },
  },
  TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown: {
    currentReplicas: 3,
    expectedReplicas: 7,
    readiness: [false, true, false],
    startTimes: [HOT, COOL, HOT],
    metric: { levels: [50000, 15000, 30000], target: 15000, expectedUtilization: 31666 },
  },
  TestReplicaCalcScaleDown: {
    currentReplicas: 5,
    expectedReplicas: 3,
    resource: {
      requests: [1, 1, 1, 1, 1],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expectedUtilization: 28,
      expectedValue: 2 * 280,
    },
  },
  TestReplicaCalcScaleDownCM: {
    currentReplicas: 5,
    expectedReplicas: 3,
    metric: { levels: [12000, 12000, 12000, 12000, 12000], target: 20000, expectedUtilization: 12000 },
  },
  TestReplicaCalcScaleDownIncludeUnreadyPods: {
    currentReplicas: 5,
    expectedReplicas: 2,
    readiness: [true, true, true, false, false],
    resource: {
      requests: [1, 1, 1, 1, 1],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expectedUtilization: 30,
      expectedValue: 2 * 300,
    },
  },
  TestReplicaCalcScaleDownExcludeUnscheduledPods: {
    currentReplicas: 5,
    expectedReplicas: 1,
    readiness: [true, false, false, false, false],
    phases: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
    resource: { requests: [1, 1, 1, 1, 1], levels: [100], target: 50, expectedUtilization: 10, expectedValue: 2 * 100 },
  },
  TestReplicaCalcScaleDownIgnoreHotCpuPods: {
    currentReplicas: 5,
    expectedReplicas: 2,
    startTimes: [COOL, COOL, COOL, HOT, HOT],
    resource: {
      requests: [1, 1, 1, 1, 1],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expectedUtilization: 30,
      expectedValue: 2 * 300,
    },
  },
  TestReplicaCalcScaleDownIgnoresFailedPods: {
    currentReplicas: 5,
    expectedReplicas: 3,
    readiness: [true, true, true, true, true, false, false],
    phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
    resource: {
      requests: [1, 1, 1, 1, 1, 1, 1],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expectedUtilization: 28,
      expectedValue: 2 * 280,
    },
  },
  TestReplicaCalcTolerance: {
    currentReplicas: 3,
    expectedReplicas: 3,
    resource: {
      requests: [0.9, 1.0, 1.1],
      levels: [1010, 1030, 1020],
      target: 100,
      expectedUtilization: 102,
      expectedValue: 2 * 1020,
    },
  },
  TestReplicaCalcToleranceCM: {
    currentReplicas: 3,
    expectedReplicas: 3,
    metric: { levels: [20000, 21000, 21000], target: 20000, expectedUtilization: 20666 },
  },
  TestReplicaCalcSuperfluousMetrics: {
    currentReplicas: 4,
    expectedReplicas: 24,
    resource: {
      requests: [1, 1, 1, 1],
      levels: [4000, 9500, 3000, 7000, 3200, 2000],
      target: 100,
      expectedUtilization: 587,
      expectedValue: 2 * 5875,
    },
  },
  TestReplicaCalcMissingMetrics: {
    currentReplicas: 4,
    expectedReplicas: 3,
    resource: { requests: [1, 1, 1, 1], levels: [400, 95], target: 100, expectedUtilization: 24, expectedValue: 495 },
  },
  TestReplicaCalcEmptyMetrics: {
    currentReplicas: 4,
    expectedError: 'no metrics returned',
    resource: { requests: [1, 1, 1], levels: [], target: 100 },
  },
  TestReplicaCalcEmptyCPURequest: {
    currentReplicas: 1,
    expectedError: 'missing request for',
    resource: { requests: [], levels: [200], target: 100 },
  },
  TestReplicaCalcMissingMetricsNoChangeEq: {
    currentReplicas: 2,
    expectedReplicas: 2,
    resource: { requests: [1, 1], levels: [1000], target: 100, expectedUtilization: 100, expectedValue: 2 * 1000 },
  },
  TestReplicaCalcMissingMetricsNoChangeGt: {
    currentReplicas: 2,
    expectedReplicas: 2,
    resource: { requests: [1, 1], levels: [1900], target: 100, expectedUtilization: 190, expectedValue: 2 * 1900 },
  },
  TestReplicaCalcMissingMetricsNoChangeLt: {
    currentReplicas: 2,
    expectedReplicas: 2,
    resource: { requests: [1, 1], levels: [600], target: 100, expectedUtilization: 60, expectedValue: 2 * 600 },
  },
  TestReplicaCalcMissingMetricsUnreadyChange: {
    currentReplicas: 3,
    expectedReplicas: 3,
    readiness: [false, true, true],
    resource: { requests: [1, 1, 1], levels: [100, 450], target: 50, expectedUtilization: 45, expectedValue: 2 * 450 },
  },
  TestReplicaCalcMissingMetricsHotCpuNoChange: {
    currentReplicas: 3,
    expectedReplicas: 3,
    startTimes: [HOT, COOL, COOL],
    resource: { requests: [1, 1, 1], levels: [100, 450], target: 50, expectedUtilization: 45, expectedValue: 2 * 450 },
  },
  TestReplicaCalcMissingMetricsUnreadyScaleUp: {
    currentReplicas: 3,
    expectedReplicas: 4,
    readiness: [false, true, true],
    resource: {
      requests: [1, 1, 1],
      levels: [100, 2000],
      target: 50,
      expectedUtilization: 200,
      expectedValue: 2 * 2000,
    },
  },
  TestReplicaCalcMissingMetricsHotCpuScaleUp: {
    currentReplicas: 3,
    expectedReplicas: 4,
    readiness: [false, true, true],
    startTimes: [HOT, COOL, COOL],
    resource: {
      requests: [1, 1, 1],
      levels: [100, 2000],
      target: 50,
      expectedUtilization: 200,
      expectedValue: 2 * 2000,
    },
  },
  TestReplicaCalcMissingMetricsUnreadyScaleDown: {
    currentReplicas: 4,
    expectedReplicas: 3,
    readiness: [false, true, true, true],
    resource: {
      requests: [1, 1, 1, 1],
      levels: [100, 100, 100],
      target: 50,
      expectedUtilization: 10,
      expectedValue: 2 * 100,
    },
  },
  TestReplicaCalcDuringRollingUpdateWithMaxSurge: {
    currentReplicas: 2,
    expectedReplicas: 2,
    phases: ['Running', 'Running', 'Running'],
    resource: { requests: [1, 1, 1], levels: [100, 100], target: 50, expectedUtilization: 10, expectedValue: 2 * 100 },
  },
};

describe('HPA replica calculation (Kubernetes replica_calculator_test.go cases)', () => {
  for (const [name, tc] of Object.entries(cases)) {
    it(name, () => {
      const calculate = run(tc);
      if (tc.expectedError) {
        expect(calculate).toThrow(MetricsUnavailableError);
        expect(calculate).toThrow(tc.expectedError);
        return;
      }
      const result = calculate();
      expect(result.replicas).toBe(tc.expectedReplicas);
      if (tc.resource && 'utilization' in result) {
        expect(result.utilization).toBe(tc.resource.expectedUtilization);
        expect(result.rawValueMilli).toBe(tc.resource.expectedValue);
      }
      if (tc.metric && 'utilizationMilli' in result)
        expect(result.utilizationMilli).toBe(tc.metric.expectedUtilization);
    });
  }

  it('TestReplicaCalcComputedToleranceAlgImplementation (target 56% scales 10 -> 9, 55% stays within tolerance)', () => {
    // 10 pods using 150m per container against requests spread around 300m: utilization 50%.
    const spread = [100, -100, 10, -10, 2, -2, 1, -1, 0, 0];
    const pods: PodSample[] = spread.map((d, i) => ({
      name: `test-pod-${i}`,
      phase: 'Running',
      ready: true,
      startedAt: ZERO,
      readyTransitionAt: ZERO,
      requestMilli: (300 + d) * CONTAINERS_PER_POD,
    }));
    const metrics: PodMetrics = new Map(
      pods.map((p) => [p.name, { valueMilli: 150 * CONTAINERS_PER_POD, timestamp: ZERO, windowMs: 60_000 }]),
    );
    // Go derives the targets as int32((1/(2*(1-0.1)) + .01) * 100) = 56 and ... + .004 -> 55.
    const scaled = calculateResourceReplicas({
      currentReplicas: 10,
      resource: 'cpu',
      targetUtilization: 56,
      pods,
      metrics,
      now: NOW,
    });
    expect(scaled).toEqual({ replicas: 9, utilization: 50, rawValueMilli: 300 });
    const kept = calculateResourceReplicas({
      currentReplicas: 10,
      resource: 'cpu',
      targetUtilization: 55,
      pods,
      metrics,
      now: NOW,
    });
    expect(kept.replicas).toBe(10);
  });
});

describe('whole-workload metrics (object and external metric cases)', () => {
  it.each([
    ['TestReplicaCalcScaleUpCMObject', 3, 20000, 15000, 3, 4],
    ['TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods', 3, 50000, 10000, 1, 5],
    ['TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods', 3, 8600, 4400, 1, 2],
    ['TestReplicaCalcScaleDownCMObject', 5, 12000, 20000, 5, 3],
    ['TestReplicaCalcScaleDownCMExternal', 5, 8600, 14334, 5, 3],
    ['TestReplicaCalcToleranceCMObject', 3, 20666, 20000, 3, 3],
    ['TestReplicaCalcToleranceCMExternal', 3, 8600, 8888, 3, 3],
  ])('%s', (_name, current, value, target, ready, expected) => {
    expect(
      calculateTotalValueReplicas({
        currentReplicas: current,
        valueMilli: value,
        targetMilli: target,
        readyReplicas: ready,
      }).replicas,
    ).toBe(expected);
  });

  it.each([
    ['TestReplicaCalcScaleUpCMPerPodObject', 3, 20000, 5000, 4, 6667],
    ['TestReplicaCalcScaleUpPerPodCMExternal', 3, 8600, 2150, 4, 2867],
    ['TestReplicaCalcScaleDownPerPodCMObject', 5, 6000, 2000, 3, 1200],
    ['TestReplicaCalcScaleDownPerPodCMExternal', 5, 8600, 2867, 3, 1720],
    ['TestReplicaCalcTolerancePerPodCMObject', 4, 20166, 5000, 4, 5042],
    ['TestReplicaCalcTolerancePerPodCMExternal', 3, 8600, 2900, 3, 2867],
  ])('%s', (_name, current, value, target, expected, perPod) => {
    expect(calculateTotalAverageReplicas({ currentReplicas: current, valueMilli: value, targetMilli: target })).toEqual(
      {
        replicas: expected,
        utilizationMilli: perPod,
      },
    );
  });
});
