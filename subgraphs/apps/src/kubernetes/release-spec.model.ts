import type { ScalingPolicySpec } from '../autoscaler/autoscaler.engine';

/** CPU and memory as Kubernetes quantities; GPUs as a whole device count. */
export interface ResourceSpec {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
  gpu?: number;
}

/** One inference endpoint of the release and its share of the application's traffic (percent). */
export interface ReleaseEndpoint {
  id: string;
  name: string;
  weight: number;
  modelVersionIds: string[];
}

/** A secret the workload reads at run time, referenced by name only: its value never passes through the platform. */
export interface SecretReference {
  key: string;
  secretName: string;
  secretKey: string;
}

/** Everything needed to render one release of an application to one environment. */
export interface ReleaseSpec {
  application: { id: string; name: string };
  environment: string;
  /** Release number within the application and environment. */
  revision: number;
  namespace: string;
  /** Image of the inference server that serves the endpoints. */
  image: string;
  endpoints: ReleaseEndpoint[];
  config: { version: number; values: Record<string, string>; secrets: SecretReference[] };
  resources: ResourceSpec;
  /** Autoscaling policy; `null` when the replica count is set by hand. */
  scaling: ScalingPolicySpec | null;
  replicas: number;
}

/** Cluster conventions the renderer follows. */
export interface RenderOptions {
  /** Labels that select GPU nodes. @default { 'nvidia.com/gpu.present': 'true' } */
  gpuNodeSelector: Record<string, string>;
  containerPort: number;
  servicePort: number;
  clusterDomain: string;
  /** Per-pod metric (served by a metrics adapter) behind a CONCURRENCY target. */
  concurrencyMetric: string;
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  gpuNodeSelector: { 'nvidia.com/gpu.present': 'true' },
  containerPort: 8080,
  servicePort: 80,
  clusterDomain: 'cluster.local',
  concurrencyMetric: 'aic_inference_requests_in_flight',
};
