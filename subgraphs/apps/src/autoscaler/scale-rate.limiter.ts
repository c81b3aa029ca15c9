import type { ScalingBehavior, ScalingRules, TimestampedScaleEvent } from './scaling-behavior.model';

/** Why the final size differs from (or equals) the stabilized recommendation, as the HPA `ScalingLimited` condition says it. */
export type LimitReason =
  'DesiredWithinRange' | 'TooFewReplicas' | 'TooManyReplicas' | 'ScaleUpLimit' | 'ScaleDownLimit';

/** Arguments of one rate-limited normalization. */
export interface RateLimitArgs {
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  behavior: ScalingBehavior;
  scaleUpEvents: TimestampedScaleEvent[];
  scaleDownEvents: TimestampedScaleEvent[];
  now: number;
}

/**
 * Sum of the replica changes that happened within the last `periodSeconds`
 * (Kubernetes `getReplicasChangePerPeriod`).
 * @returns the number of replicas added (or removed) in the period.
 */
export function replicasChangedInPeriod(periodSeconds: number, events: TimestampedScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let change = 0;
  for (const event of events) if (event.at > cutoff) change += event.replicaChange;
  return change;
}

/**
 * Highest size the scale-up policies allow now (`calculateScaleUpLimitWithScalingRules`): each policy
 * starts from the size at the beginning of its period and adds pods or a percentage (rounded up).
 * @returns the limit; `currentReplicas` when scaling up is disabled.
 */
export function scaleUpLimit(
  current: number,
  up: TimestampedScaleEvent[],
  down: TimestampedScaleEvent[],
  rules: ScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const policy of rules.policies) {
    const periodStart =
      current -
      replicasChangedInPeriod(policy.periodSeconds, up, now) +
      replicasChangedInPeriod(policy.periodSeconds, down, now);
    const proposed =
      policy.type === 'Pods' ? periodStart + policy.value : Math.ceil(periodStart * (1 + policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/**
 * Lowest size the scale-down policies allow now (`calculateScaleDownLimitWithBehaviors`); a percentage
 * removal rounds the remaining size down, as Kubernetes does.
 * @returns the limit; `currentReplicas` when scaling down is disabled.
 */
export function scaleDownLimit(
  current: number,
  up: TimestampedScaleEvent[],
  down: TimestampedScaleEvent[],
  rules: ScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const policy of rules.policies) {
    const periodStart =
      current -
      replicasChangedInPeriod(policy.periodSeconds, up, now) +
      replicasChangedInPeriod(policy.periodSeconds, down, now);
    const proposed =
      policy.type === 'Pods' ? periodStart - policy.value : Math.trunc(periodStart * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/**
 * Applies min/max and the rate policies to a stabilized recommendation
 * (`convertDesiredReplicasWithBehaviorRate`).
 * @returns the size to scale to and the reason it was (not) limited.
 */
export function limitByBehaviorRate(args: RateLimitArgs): { replicas: number; reason: LimitReason } {
  const { currentReplicas: current, desiredReplicas: desired } = args;
  if (desired > current) {
    const limit = Math.max(
      current,
      scaleUpLimit(current, args.scaleUpEvents, args.scaleDownEvents, args.behavior.scaleUp, args.now),
    );
    const maxAllowed = Math.min(args.maxReplicas, limit);
    const reason: LimitReason = args.maxReplicas > limit ? 'ScaleUpLimit' : 'TooManyReplicas';
    if (desired > maxAllowed) return { replicas: maxAllowed, reason };
  } else if (desired < current) {
    const limit = Math.min(
      current,
      scaleDownLimit(current, args.scaleUpEvents, args.scaleDownEvents, args.behavior.scaleDown, args.now),
    );
    const minAllowed = Math.max(args.minReplicas, limit);
    const reason: LimitReason = args.minReplicas < limit ? 'ScaleDownLimit' : 'TooFewReplicas';
    if (desired < minAllowed) return { replicas: minAllowed, reason };
  }
  return { replicas: desired, reason: 'DesiredWithinRange' };
}

/**
 * Records a scale change for the rate limits (`storeScaleEvent`): events older than the longest
 * policy period are marked outdated and one outdated slot is reused.
 * @returns the new event lists (inputs are not modified).
 */
export function recordScaleEvent(
  behavior: ScalingBehavior,
  events: { scaleUpEvents: TimestampedScaleEvent[]; scaleDownEvents: TimestampedScaleEvent[] },
  previousReplicas: number,
  newReplicas: number,
  now: number,
): { scaleUpEvents: TimestampedScaleEvent[]; scaleDownEvents: TimestampedScaleEvent[] } {
  const up = newReplicas > previousReplicas;
  const rules = up ? behavior.scaleUp : behavior.scaleDown;
  const list = (up ? events.scaleUpEvents : events.scaleDownEvents).map((e) => ({ ...e }));
  const longest = rules.policies.reduce((m, p) => Math.max(m, p.periodSeconds), 0);
  const cutoff = now - longest * 1000;
  let reuse = -1;
  for (let i = 0; i < list.length; i += 1) {
    if (list[i]!.at < cutoff) list[i]!.outdated = true;
    if (list[i]!.outdated) reuse = i;
  }
  const event = { replicaChange: Math.abs(newReplicas - previousReplicas), at: now, outdated: false };
  if (reuse >= 0) list[reuse] = event;
  else list.push(event);
  return up
    ? { scaleUpEvents: list, scaleDownEvents: events.scaleDownEvents.map((e) => ({ ...e })) }
    : { scaleUpEvents: events.scaleUpEvents.map((e) => ({ ...e })), scaleDownEvents: list };
}
