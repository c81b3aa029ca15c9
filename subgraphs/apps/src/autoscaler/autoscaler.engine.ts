import { InvalidInputError } from '../common/invalid-input.error';
import type { FieldProblem } from '../common/invalid-input.error';
import type { PodMetrics, PodSample } from './pod-sample.model';
import { stabilizeRecommendationWithBehaviors } from './recommendation.stabilizer';
import {
  MetricsUnavailableError,
  calculatePodMetricReplicas,
  calculateResourceReplicas,
  calculateTotalAverageReplicas,
} from './replica.calculator';
import { limitByBehaviorRate, recordScaleEvent } from './scale-rate.limiter';
import type { LimitReason } from './scale-rate.limiter';
import { defaultScaleDownRules, defaultScaleUpRules } from './scaling-behavior.model';
import type { ScalingBehavior, ScalingHistory, ScalingRules } from './scaling-behavior.model';

const CONCURRENCY_SCALE = 1_000_000;
const MAX_METRIC_REPLICAS = 2_147_483_647;

/** What the autoscaler holds steady: CPU utilization (percent of requests) or requests in flight per replica. */
export type ScalingTarget = { kind: 'CPU'; averageUtilization: number } | { kind: 'CONCURRENCY'; averageValue: number };

/** A deployment's scaling policy; unset behavior fields take Kubernetes' defaults. */
export interface ScalingPolicySpec {
  minReplicas: number;
  maxReplicas: number;
  target: ScalingTarget;
  tolerance?: number;
  behavior?: { scaleUp?: Partial<ScalingRules>; scaleDown?: Partial<ScalingRules> };
}

/** Live metrics: per-replica samples, or one total for the whole workload (such as an endpoint's requests in flight). */
export type MetricObservation =
  { kind: 'PODS'; pods: PodSample[]; metrics: PodMetrics } | { kind: 'TOTAL'; value: number };

/** Why the autoscaler chose the size, as a stable code. */
export type DecisionReason = LimitReason | 'ScalingDisabled' | 'BelowMinimum' | 'AboveMaximum' | 'FailedGetMetrics';

/** One recorded decision, with every input needed to recompute it. */
export interface ScalingDecision {
  at: number;
  currentReplicas: number;
  /** What the metric alone asks for, before stabilization and limits. */
  metricReplicas: number;
  stabilizedReplicas: number;
  desiredReplicas: number;
  reason: DecisionReason;
  message: string;
  /** CPU: whole percent of requests; CONCURRENCY: requests in flight per replica. `null` without metrics. */
  observedValue: number | null;
  inputs: {
    policy: ScalingPolicySpec;
    behavior: ScalingBehavior;
    observation:
      | { kind: 'PODS'; samples: { name: string; ready: boolean | null; phase: string; value: number | null }[] }
      | { kind: 'TOTAL'; value: number };
  };
}

/**
 * Checks a scaling policy and fills the behavior defaults.
 * @returns the complete behavior.
 * @throws InvalidInputError with one entry per bad field.
 */
export function resolveScalingPolicy(policy: ScalingPolicySpec): ScalingBehavior {
  const problems: FieldProblem[] = [];
  const int = (v: number) => Number.isInteger(v);
  if (!int(policy.minReplicas) || policy.minReplicas < 0)
    problems.push({ field: 'scaling.minReplicas', message: 'must be a whole number >= 0' });
  if (!int(policy.maxReplicas) || policy.maxReplicas < 1)
    problems.push({ field: 'scaling.maxReplicas', message: 'must be a whole number >= 1' });
  else if (policy.maxReplicas < policy.minReplicas)
    problems.push({ field: 'scaling.maxReplicas', message: 'must be >= minReplicas' });
  const targetValue = policy.target.kind === 'CPU' ? policy.target.averageUtilization : policy.target.averageValue;
  const smallest = policy.target.kind === 'CPU' ? 1 : 1 / CONCURRENCY_SCALE;
  if (!(targetValue >= smallest) || !Number.isFinite(targetValue))
    problems.push({ field: 'scaling.target', message: `must be a number >= ${smallest}` });
  if (policy.tolerance !== undefined && !(policy.tolerance >= 0 && policy.tolerance < 1)) {
    problems.push({ field: 'scaling.tolerance', message: 'must be in [0, 1)' });
  }
  const behavior = {
    scaleUp: defaultScaleUpRules(policy.behavior?.scaleUp),
    scaleDown: defaultScaleDownRules(policy.behavior?.scaleDown),
  };
  for (const [direction, rules] of Object.entries(behavior)) {
    if (!(rules.stabilizationWindowSeconds >= 0 && rules.stabilizationWindowSeconds <= 3600)) {
      problems.push({
        field: `scaling.behavior.${direction}.stabilizationWindowSeconds`,
        message: 'must be between 0 and 3600',
      });
    }
    rules.policies.forEach((p, i) => {
      if (!int(p.value) || p.value <= 0)
        problems.push({
          field: `scaling.behavior.${direction}.policies.${i}.value`,
          message: 'must be a whole number > 0',
        });
      if (!int(p.periodSeconds) || p.periodSeconds <= 0 || p.periodSeconds > 1800) {
        problems.push({
          field: `scaling.behavior.${direction}.policies.${i}.periodSeconds`,
          message: 'must be a whole number in 1..1800',
        });
      }
    });
  }
  if (problems.length > 0) throw new InvalidInputError('invalid scaling policy', problems);
  return behavior;
}

/**
 * One autoscaler step, as the Kubernetes HPA controller runs it: clamp to min/max first, otherwise
 * compute the metric's replica count, stabilize it over the windows, then apply the rate policies.
 * @returns the decision (with its inputs) and the history to keep for the next step.
 */
export function decideScale(input: {
  policy: ScalingPolicySpec;
  currentReplicas: number;
  observation: MetricObservation;
  history: ScalingHistory;
  now: number;
}): { decision: ScalingDecision; history: ScalingHistory } {
  const { policy, currentReplicas: current, history, now } = input;
  const behavior = resolveScalingPolicy(policy);
  const base = {
    at: now,
    currentReplicas: current,
    inputs: { policy, behavior, observation: describeObservation(input.observation) },
  };
  const unchanged = (
    reason: DecisionReason,
    message: string,
    replicas = current,
    observedValue: number | null = null,
  ) => ({
    decision: {
      ...base,
      metricReplicas: replicas,
      stabilizedReplicas: replicas,
      desiredReplicas: replicas,
      reason,
      message,
      observedValue,
    },
    history,
  });

  if (current === 0 && policy.minReplicas !== 0)
    return unchanged('ScalingDisabled', 'scaling is disabled since the replica count is zero');
  if (current > policy.maxReplicas)
    return unchanged('AboveMaximum', 'the replica count is above the maximum', policy.maxReplicas);
  if (current < policy.minReplicas)
    return unchanged('BelowMinimum', 'the replica count is below the minimum', policy.minReplicas);

  let proposal: { replicas: number; observedValue: number };
  try {
    proposal = proposeReplicas(policy, current, input.observation, now);
  } catch (error) {
    if (error instanceof MetricsUnavailableError) return unchanged('FailedGetMetrics', error.message);
    throw error;
  }

  const stabilized = stabilizeRecommendationWithBehaviors(history.recommendations, {
    desired: proposal.replicas,
    current,
    upWindowSeconds: behavior.scaleUp.stabilizationWindowSeconds,
    downWindowSeconds: behavior.scaleDown.stabilizationWindowSeconds,
    now,
  });
  const limited = limitByBehaviorRate({
    currentReplicas: current,
    desiredReplicas: stabilized.replicas,
    minReplicas: policy.minReplicas,
    maxReplicas: policy.maxReplicas,
    behavior,
    scaleUpEvents: history.scaleUpEvents,
    scaleDownEvents: history.scaleDownEvents,
    now,
  });
  const events =
    limited.replicas !== current
      ? recordScaleEvent(behavior, history, current, limited.replicas, now)
      : { scaleUpEvents: history.scaleUpEvents, scaleDownEvents: history.scaleDownEvents };
  const message =
    limited.reason !== 'DesiredWithinRange'
      ? `limited by ${limited.reason}`
      : stabilized.reason !== 'ReadyForNewScale'
        ? `stabilized (${stabilized.reason}) over the recent recommendations`
        : 'the desired count is within the acceptable range';
  return {
    decision: {
      ...base,
      metricReplicas: proposal.replicas,
      stabilizedReplicas: stabilized.replicas,
      desiredReplicas: limited.replicas,
      reason: limited.reason,
      message,
      observedValue: proposal.observedValue,
    },
    history: { recommendations: stabilized.recommendations, ...events },
  };
}

function proposeReplicas(policy: ScalingPolicySpec, current: number, observation: MetricObservation, now: number) {
  const tolerance = policy.tolerance;
  if (policy.target.kind === 'CPU') {
    if (observation.kind !== 'PODS') throw new MetricsUnavailableError('a CPU target needs per-replica samples');
    const r = calculateResourceReplicas({
      currentReplicas: current,
      resource: 'cpu',
      targetUtilization: policy.target.averageUtilization,
      pods: observation.pods,
      metrics: observation.metrics,
      tolerance,
      now,
    });
    return { replicas: capReplicas(r.replicas), observedValue: r.utilization };
  }
  // Concurrency is carried in micro-units: the calculators truncate like Kubernetes' milli-quantities,
  // and fast models run at a small fraction of a request in flight.
  const targetUnits = Math.round(policy.target.averageValue * CONCURRENCY_SCALE);
  if (observation.kind === 'PODS') {
    const pods = new Map(
      [...observation.metrics].map(([name, m]) => [
        name,
        { ...m, valueMilli: Math.round((m.valueMilli / 1000) * CONCURRENCY_SCALE) },
      ]),
    );
    const r = calculatePodMetricReplicas({
      currentReplicas: current,
      targetMilli: targetUnits,
      pods: observation.pods,
      metrics: pods,
      tolerance,
      now,
    });
    return { replicas: capReplicas(r.replicas), observedValue: r.utilizationMilli / CONCURRENCY_SCALE };
  }
  const r = calculateTotalAverageReplicas({
    currentReplicas: current,
    valueMilli: Math.round(observation.value * CONCURRENCY_SCALE),
    targetMilli: targetUnits,
    tolerance,
  });
  return { replicas: capReplicas(r.replicas), observedValue: r.utilizationMilli / CONCURRENCY_SCALE };
}

/** A metric can ask for absurd sizes (a tiny target, a burst); the HPA works in int32, so cap there. */
function capReplicas(replicas: number): number {
  return Math.min(replicas, MAX_METRIC_REPLICAS);
}

function describeObservation(observation: MetricObservation): ScalingDecision['inputs']['observation'] {
  if (observation.kind === 'TOTAL') return { kind: 'TOTAL', value: observation.value };
  return {
    kind: 'PODS',
    samples: observation.pods.map((p) => ({
      name: p.name,
      ready: p.ready,
      phase: p.phase,
      value: observation.metrics.has(p.name) ? (observation.metrics.get(p.name)?.valueMilli ?? 0) / 1000 : null,
    })),
  };
}
