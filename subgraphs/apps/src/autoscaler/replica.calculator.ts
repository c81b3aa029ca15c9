import { DEFAULT_READINESS_TIMING, groupPods } from './pod.grouper';
import type { ReadinessTiming } from './pod.grouper';
import type { PodMetric, PodMetrics, PodSample } from './pod-sample.model';

/** The HPA acts only when the usage ratio is off by more than this. Kubernetes default. */
export const DEFAULT_TOLERANCE = 0.1;

/** The metrics needed for a calculation are not there; the autoscaler keeps the current size. */
export class MetricsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsUnavailableError';
  }
}

interface PodCalculationBase {
  currentReplicas: number;
  pods: PodSample[];
  metrics: PodMetrics;
  tolerance?: number;
  timing?: ReadinessTiming;
  /** Epoch milliseconds the calculation runs at. */
  now: number;
}

/** Input of a utilization target (percent of the replicas' requests), such as CPU at 70%. */
export interface ResourceUtilizationInput extends PodCalculationBase {
  resource: string;
  targetUtilization: number;
}

/** Result of a utilization calculation: utilization in whole percent, raw value as the per-replica average in milli-units. */
export interface ResourceUtilizationResult {
  replicas: number;
  utilization: number;
  rawValueMilli: number;
}

/** Input of an average-value target on a per-replica metric (Kubernetes `Pods` metrics), such as 4 requests in flight per replica. */
export interface PodMetricInput extends PodCalculationBase {
  targetMilli: number;
}

/** Result of a plain metric calculation: utilization is the per-replica average in milli-units. */
export interface MetricResult {
  replicas: number;
  utilizationMilli: number;
}

/**
 * Desired replicas for a utilization target, as Kubernetes `GetResourceReplicas` computes them:
 * `ceil(ready × utilization / target)` outside the tolerance; missing samples count as 100% of their
 * request on a scale-down and 0% on a scale-up; untrusted samples count as 0% on a scale-up; a change
 * of direction caused by those assumptions keeps the current size.
 * @returns the replica count, the utilization in percent and the raw per-replica average.
 */
export function calculateResourceReplicas(input: ResourceUtilizationInput): ResourceUtilizationResult {
  const { currentReplicas, targetUtilization, now } = input;
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE;
  if (input.metrics.size === 0)
    throw new MetricsUnavailableError(`unable to get metrics for resource ${input.resource}: no metrics returned`);
  if (input.pods.length === 0)
    throw new MetricsUnavailableError('no pods returned by selector while calculating replica count');
  const metrics = new Map(input.metrics);
  const groups = groupPods(
    input.pods,
    metrics,
    input.resource === 'cpu',
    input.timing ?? DEFAULT_READINESS_TIMING,
    now,
  );
  for (const name of groups.ignored) metrics.delete(name);
  const requests = podRequests(input.pods, input.resource);
  if (metrics.size === 0) throw new MetricsUnavailableError('did not receive metrics for any ready pods');

  const first = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const result = (replicas: number): ResourceUtilizationResult => ({
    replicas,
    utilization: first.utilization,
    rawValueMilli: first.rawValueMilli,
  });
  const rebalanceIgnored = groups.ignored.size > 0 && first.ratio > 1;
  if (!rebalanceIgnored && groups.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= tolerance) return result(currentReplicas);
    return result(Math.ceil(first.ratio * groups.readyPodCount));
  }
  if (groups.missing.size > 0) {
    for (const name of groups.missing) {
      if (first.ratio < 1) metrics.set(name, zeroSample(requests.get(name) ?? 0));
      else if (first.ratio > 1) metrics.set(name, zeroSample(0));
    }
  }
  if (rebalanceIgnored) for (const name of groups.ignored) metrics.set(name, zeroSample(0));

  const second = resourceUtilizationRatio(metrics, requests, targetUtilization);
  if (directionFlipsOrWithinTolerance(first.ratio, second.ratio, tolerance)) return result(currentReplicas);
  const replicas = Math.ceil(second.ratio * metrics.size);
  if ((second.ratio < 1 && replicas > currentReplicas) || (second.ratio > 1 && replicas < currentReplicas)) {
    return result(currentReplicas);
  }
  return result(replicas);
}

/**
 * Desired replicas for an average-value target on a per-replica metric, as Kubernetes
 * `calcPlainMetricReplicas` computes them. Readiness is not consulted for non-CPU metrics.
 * @returns the replica count and the per-replica average in milli-units.
 */
export function calculatePodMetricReplicas(input: PodMetricInput): MetricResult {
  const { currentReplicas, targetMilli, now } = input;
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE;
  if (input.metrics.size === 0) throw new MetricsUnavailableError('unable to get metric: no metrics returned');
  if (input.pods.length === 0)
    throw new MetricsUnavailableError('no pods returned by selector while calculating replica count');
  const metrics = new Map(input.metrics);
  const groups = groupPods(input.pods, metrics, false, input.timing ?? DEFAULT_READINESS_TIMING, now);
  for (const name of groups.ignored) metrics.delete(name);
  if (metrics.size === 0) throw new MetricsUnavailableError('did not receive metrics for any ready pods');

  const first = plainUtilizationRatio(metrics, targetMilli);
  const result = (replicas: number): MetricResult => ({ replicas, utilizationMilli: first.utilizationMilli });
  const rebalanceIgnored = groups.ignored.size > 0 && first.ratio > 1;
  if (!rebalanceIgnored && groups.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= tolerance) return result(currentReplicas);
    return result(Math.ceil(first.ratio * groups.readyPodCount));
  }
  for (const name of groups.missing) metrics.set(name, zeroSample(first.ratio < 1 ? targetMilli : 0));
  if (rebalanceIgnored) for (const name of groups.ignored) metrics.set(name, zeroSample(0));

  const second = plainUtilizationRatio(metrics, targetMilli);
  if (directionFlipsOrWithinTolerance(first.ratio, second.ratio, tolerance)) return result(currentReplicas);
  return result(Math.ceil(second.ratio * metrics.size));
}

/** Input of a target on one value that describes the whole workload (Kubernetes `Object` and `External` metrics). */
export interface TotalMetricInput {
  currentReplicas: number;
  /** The observed value (for external metrics, the sum of all series), milli-units. */
  valueMilli: number;
  targetMilli: number;
  /** Replicas that are running and ready (used only with a `Value` target). */
  readyReplicas: number;
  tolerance?: number;
}

/**
 * `Value` target on a whole-workload metric (`GetObjectMetricReplicas`): the ratio value/target
 * scales the ready replicas; from zero replicas it scales to `ceil(ratio)`.
 * @returns the replica count and the observed value.
 */
export function calculateTotalValueReplicas(input: TotalMetricInput): MetricResult {
  const ratio = input.valueMilli / input.targetMilli;
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE;
  let replicas: number;
  if (input.currentReplicas !== 0) {
    replicas = Math.abs(1 - ratio) <= tolerance ? input.currentReplicas : Math.ceil(ratio * input.readyReplicas);
  } else {
    replicas = Math.ceil(ratio);
  }
  return { replicas, utilizationMilli: input.valueMilli };
}

/**
 * `AverageValue` target on a whole-workload metric (`GetObjectPerPodMetricReplicas`): the value is
 * shared by the current replicas; outside the tolerance the new size is `ceil(value / target)`.
 * This is the rule for "N requests in flight per replica" when only the endpoint total is known.
 * @returns the replica count and the per-replica average (rounded up).
 */
export function calculateTotalAverageReplicas(input: Omit<TotalMetricInput, 'readyReplicas'>): MetricResult {
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE;
  let replicas = input.currentReplicas;
  const ratio = input.valueMilli / (input.targetMilli * input.currentReplicas);
  if (Math.abs(1 - ratio) > tolerance) replicas = Math.ceil(input.valueMilli / input.targetMilli);
  return { replicas, utilizationMilli: Math.ceil(input.valueMilli / input.currentReplicas) };
}

function directionFlipsOrWithinTolerance(before: number, after: number, tolerance: number): boolean {
  return Math.abs(1 - after) <= tolerance || (before < 1 && after > 1) || (before > 1 && after < 1);
}

function zeroSample(valueMilli: number): PodMetric {
  return { valueMilli, timestamp: 0, windowMs: 0 };
}

function podRequests(pods: PodSample[], resource: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    if (pod.requestMilli === undefined)
      throw new MetricsUnavailableError(`missing request for ${resource} in pod ${pod.name}`);
    requests.set(pod.name, pod.requestMilli);
  }
  return requests;
}

function resourceUtilizationRatio(metrics: PodMetrics, requests: Map<string, number>, targetUtilization: number) {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, metric] of metrics) {
    const request = requests.get(name);
    // Samples of unknown replicas are extraneous: Kubernetes skips them the same way.
    if (request === undefined) continue;
    metricsTotal += metric.valueMilli;
    requestsTotal += request;
    entries += 1;
  }
  if (requestsTotal === 0) throw new MetricsUnavailableError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawValueMilli: Math.trunc(metricsTotal / entries) };
}

function plainUtilizationRatio(metrics: PodMetrics, targetMilli: number) {
  let total = 0;
  for (const metric of metrics.values()) total += metric.valueMilli;
  const utilizationMilli = Math.trunc(total / metrics.size);
  return { ratio: utilizationMilli / targetMilli, utilizationMilli };
}
