import type { ScalingPolicySpec } from '../autoscaler/autoscaler.engine';
import type { ResourceSpec } from '../kubernetes/release-spec.model';

/** One endpoint of a release as stored: its traffic share, its routes, and the inference endpoint once created. */
export interface StoredEndpoint {
  name: string;
  weight: number;
  routes: { modelVersionId: string; weight: number }[];
  endpointId: string | null;
}

/** What a release pins down; a rollback restores all of it together. */
export interface ReleaseContent {
  endpoints: StoredEndpoint[];
  configVersionId: string | null;
  resources: ResourceSpec;
  scaling: ScalingPolicySpec | null;
  replicas: number;
}

export enum DeploymentStatus {
  DEPLOYING = 'DEPLOYING',
  RUNNING = 'RUNNING',
  DEGRADED = 'DEGRADED',
  UNHEALTHY = 'UNHEALTHY',
  PAUSED = 'PAUSED',
  FAILED = 'FAILED',
  DELETED = 'DELETED',
}

export enum DriverKind {
  LOCAL = 'LOCAL',
  KUBERNETES = 'KUBERNETES',
}

export enum DeploymentEventKind {
  DEPLOYED = 'DEPLOYED',
  PAUSED = 'PAUSED',
  RESUMED = 'RESUMED',
  SCALED = 'SCALED',
  AUTOSCALED = 'AUTOSCALED',
  SCALING_POLICY_CHANGED = 'SCALING_POLICY_CHANGED',
  ROLLED_BACK = 'ROLLED_BACK',
  HEALTH_CHANGED = 'HEALTH_CHANGED',
  FAILED = 'FAILED',
  DELETED = 'DELETED',
}

export enum HealthState {
  UNKNOWN = 'UNKNOWN',
  HEALTHY = 'HEALTHY',
  DEGRADED = 'DEGRADED',
  UNHEALTHY = 'UNHEALTHY',
}

/** Topic of deployment status changes (payload: a DeploymentEvent as JSON plus organizationId). */
export const DEPLOYMENT_EVENTS = 'APPS_DEPLOYMENT_EVENTS';
