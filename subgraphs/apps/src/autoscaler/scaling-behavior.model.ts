/** How far one policy lets the size move within its period (Kubernetes `HPAScalingPolicy`). */
export interface ScalingPolicyRule {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

/** Which policy wins when several apply: the biggest change, the smallest, or none at all. */
export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

/** Rules for one direction (Kubernetes `HPAScalingRules`). */
export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: SelectPolicy;
  policies: ScalingPolicyRule[];
}

/** Rules for both directions (Kubernetes `HorizontalPodAutoscalerBehavior`). */
export interface ScalingBehavior {
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
}

/** A recommendation the autoscaler made, kept for the stabilization window. */
export interface TimestampedRecommendation {
  replicas: number;
  /** Epoch milliseconds. */
  at: number;
}

/** A scale change that happened, kept for the rate limits. */
export interface TimestampedScaleEvent {
  replicaChange: number;
  at: number;
  /** Older than every policy period: the slot may be reused. */
  outdated: boolean;
}

/** Everything the autoscaler remembers between decisions for one workload (persisted as JSON). */
export interface ScalingHistory {
  recommendations: TimestampedRecommendation[];
  scaleUpEvents: TimestampedScaleEvent[];
  scaleDownEvents: TimestampedScaleEvent[];
}

/** Kubernetes' default scale-down stabilization window (`--horizontal-pod-autoscaler-downscale-stabilization`). */
export const DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS = 300;

/** An empty history for a workload that has not been scaled yet. */
export function emptyScalingHistory(): ScalingHistory {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

/**
 * Fills unset scale-up fields with Kubernetes' defaults (`GenerateHPAScaleUpRules`): no
 * stabilization, at most +4 replicas or +100% per 15 s, whichever is more.
 * @returns complete scale-up rules.
 */
export function defaultScaleUpRules(partial?: Partial<ScalingRules>): ScalingRules {
  return {
    stabilizationWindowSeconds: partial?.stabilizationWindowSeconds ?? 0,
    selectPolicy: partial?.selectPolicy ?? 'Max',
    policies: partial?.policies ?? [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/**
 * Fills unset scale-down fields with Kubernetes' defaults (`GenerateHPAScaleDownRules`): a 300 s
 * stabilization window and at most -100% per 15 s.
 * @returns complete scale-down rules.
 */
export function defaultScaleDownRules(partial?: Partial<ScalingRules>): ScalingRules {
  return {
    stabilizationWindowSeconds: partial?.stabilizationWindowSeconds ?? DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS,
    selectPolicy: partial?.selectPolicy ?? 'Max',
    policies: partial?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}
