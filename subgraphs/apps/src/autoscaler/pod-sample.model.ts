/** Lifecycle phase of one replica, named as Kubernetes names pod phases. */
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/**
 * One replica as the replica calculator sees it. On Kubernetes a replica is a pod; in the local
 * driver it is a session worker of the inference service.
 */
export interface PodSample {
  name: string;
  phase: PodPhase;
  /** Being deleted: such replicas take no part in the calculation. */
  deleting?: boolean;
  /** Status of the Ready condition; `null` when the replica has no Ready condition yet. */
  ready: boolean | null;
  /** Start time in epoch milliseconds; `null` when not started. */
  startedAt: number | null;
  /** Last transition time of the Ready condition in epoch milliseconds. */
  readyTransitionAt?: number;
  /** Sum of the containers' requests for the measured resource, in milli-units (needed for utilization targets). */
  requestMilli?: number;
}

/** One metric sample of one replica, in milli-units (1 CPU = 1000, 1 request in flight = 1000). */
export interface PodMetric {
  valueMilli: number;
  /** Sample time in epoch milliseconds. */
  timestamp: number;
  /** Length of the window the sample was averaged over, in milliseconds. */
  windowMs: number;
}

/** Replica names mapped to their latest sample. Samples for unknown replicas are kept and ignored where Kubernetes ignores them. */
export type PodMetrics = Map<string, PodMetric>;
