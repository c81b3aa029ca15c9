import type { ScalingPolicySpec } from '../autoscaler/autoscaler.engine';
import { DEFAULT_TOLERANCE } from '../autoscaler/replica.calculator';
import { DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS } from '../autoscaler/scaling-behavior.model';
import type { HealthDiagnostic as Diagnostic } from '../health/health.evaluator';
import type { ResourceSpec } from '../kubernetes/release-spec.model';
import type { StoredEndpoint } from './deployment.model';
import { ScalingTargetKind } from './deployment.types';
import type {
  DeploymentResources,
  HealthDiagnostic,
  ReleaseEndpoint,
  ReleaseRecord,
  ScalingPolicy,
} from './deployment.types';
import type { Release } from './release.entity';
import type { ResourcesInput, ScalingPolicyInput } from './deployment.input';

/** Stored endpoints as GraphQL objects. */
export function toReleaseEndpoints(endpoints: StoredEndpoint[]): ReleaseEndpoint[] {
  return endpoints.map((e) => ({
    name: e.name,
    weight: e.weight,
    routes: e.routes.map((r) => ({ modelVersion: { id: r.modelVersionId }, weight: r.weight })),
    endpoint: e.endpointId ? { id: e.endpointId } : null,
  }));
}

/** A resource spec as its GraphQL object. */
export function toResources(spec: ResourceSpec): DeploymentResources {
  return {
    cpuRequest: spec.requests?.cpu ?? null,
    cpuLimit: spec.limits?.cpu ?? null,
    memoryRequest: spec.requests?.memory ?? null,
    memoryLimit: spec.limits?.memory ?? null,
    gpu: spec.gpu ?? 0,
  };
}

/** A resource input as the renderer's spec (unset fields left out). */
export function fromResourcesInput(input: ResourcesInput | undefined): ResourceSpec {
  const requests = {
    ...(input?.cpuRequest ? { cpu: input.cpuRequest } : {}),
    ...(input?.memoryRequest ? { memory: input.memoryRequest } : {}),
  };
  const limits = {
    ...(input?.cpuLimit ? { cpu: input.cpuLimit } : {}),
    ...(input?.memoryLimit ? { memory: input.memoryLimit } : {}),
  };
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    ...(input?.gpu !== undefined && input.gpu !== null ? { gpu: input.gpu } : {}),
  };
}

/** A scaling input as the autoscaler's policy. */
export function fromScalingInput(input: ScalingPolicyInput): ScalingPolicySpec {
  return {
    minReplicas: input.minReplicas,
    maxReplicas: input.maxReplicas,
    target:
      input.target === ScalingTargetKind.CPU
        ? { kind: 'CPU', averageUtilization: input.targetValue }
        : { kind: 'CONCURRENCY', averageValue: input.targetValue },
    ...(input.tolerance !== undefined && input.tolerance !== null ? { tolerance: input.tolerance } : {}),
    behavior: {
      ...(input.scaleUpStabilizationSeconds !== undefined && input.scaleUpStabilizationSeconds !== null
        ? { scaleUp: { stabilizationWindowSeconds: input.scaleUpStabilizationSeconds } }
        : {}),
      ...(input.scaleDownStabilizationSeconds !== undefined && input.scaleDownStabilizationSeconds !== null
        ? { scaleDown: { stabilizationWindowSeconds: input.scaleDownStabilizationSeconds } }
        : {}),
    },
  };
}

/** The autoscaler's policy as its GraphQL object. */
export function toScalingPolicy(spec: ScalingPolicySpec | null): ScalingPolicy | null {
  if (!spec) return null;
  return {
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    target: spec.target.kind === 'CPU' ? ScalingTargetKind.CPU : ScalingTargetKind.CONCURRENCY,
    targetValue: spec.target.kind === 'CPU' ? spec.target.averageUtilization : spec.target.averageValue,
    tolerance: spec.tolerance ?? DEFAULT_TOLERANCE,
    scaleUpStabilizationSeconds: spec.behavior?.scaleUp?.stabilizationWindowSeconds ?? 0,
    scaleDownStabilizationSeconds:
      spec.behavior?.scaleDown?.stabilizationWindowSeconds ?? DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS,
  };
}

/** Health findings as GraphQL objects. */
export function toDiagnostics(diagnostics: Diagnostic[]): HealthDiagnostic[] {
  return diagnostics.map((d) => ({
    endpoint: d.endpointId ? { id: d.endpointId } : null,
    endpointName: d.endpointName,
    modelVersion: d.modelVersionId ? { id: d.modelVersionId } : null,
    version: d.version,
    check: d.check,
    severity: d.severity,
    observed: d.observed,
    threshold: d.threshold,
    message: d.message,
  }));
}

/** A stored release as its GraphQL record. */
export function toReleaseRecord(r: Release): ReleaseRecord {
  return {
    id: r.id,
    revision: r.revision,
    endpoints: toReleaseEndpoints(r.endpoints),
    configVersionId: r.configVersionId ?? null,
    resources: toResources(r.resources),
    scaling: toScalingPolicy(r.scaling),
    replicas: r.replicas,
    rolledBackFrom: r.rolledBackFrom ?? null,
    createdAt: r.createdAt,
  };
}
