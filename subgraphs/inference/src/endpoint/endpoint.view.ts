import type { ModelVersionRef } from '../common/refs.type';
import type { VersionMetricsSnapshot } from '../runtime/version.metrics';
import type { VersionReadinessInfo } from '../serving/serving.registry';
import type { Endpoint } from './endpoint.entity';
import {
  EndpointStatus,
  type EffectiveBatching,
  type ExecutionProviderName,
  type SessionStateName,
  type VersionMetrics,
  type VersionReadiness,
} from './endpoint.types';

const ref = (id: string): ModelVersionRef => ({ id });

/** GraphQL view of a version's session status. */
export function toVersionReadiness(
  s: VersionReadinessInfo & { effectiveBatching: EffectiveBatching },
): VersionReadiness {
  return {
    effectiveBatching: s.effectiveBatching,
    modelVersion: ref(s.key),
    role: s.role,
    state: s.state as SessionStateName,
    reason: s.state === 'READY' ? null : (s.reason ?? null),
    provider: (s.provider as ExecutionProviderName | undefined) ?? null,
    providerNote: s.providerNote ?? null,
    warmupMs: s.warmupMs ?? null,
    loadedAt: s.loadedAt ?? null,
    ownThread: s.state === 'READY' ? s.ownThread === true : null,
    intraOpThreads: s.intraOpThreads ?? null,
  };
}

/** GraphQL view of a version's metrics snapshot. */
export function toVersionMetrics(m: VersionMetricsSnapshot): VersionMetrics {
  return {
    modelVersion: ref(m.version),
    requests: m.requests,
    errors: m.errors,
    windowRequests: m.windowRequests,
    windowErrors: m.windowErrors,
    latencyP50Ms: m.p50,
    latencyP95Ms: m.p95,
    latencyP99Ms: m.p99,
    latencyMeanMs: m.meanMs,
    throughput: m.throughput,
    windowMs: m.windowMs,
  };
}

/**
 * An endpoint's status from its routed versions with traffic (shadows do not gate readiness), and
 * the reasons of those that are not ready.
 */
export function endpointStatus(
  endpoint: Endpoint,
  statuses: readonly VersionReadinessInfo[],
): { status: EndpointStatus; reason: string | null } {
  const routed = new Set(endpoint.routes.filter((r) => r.weight > 0).map((r) => r.modelVersionId));
  const relevant = statuses.filter((s) => s.role === 'route' && routed.has(s.key));
  const notReady = relevant.filter((s) => s.state !== 'READY');
  const reason = notReady.length
    ? notReady.map((s) => `${s.key}: ${s.state.toLowerCase()}${s.reason ? ` (${s.reason})` : ''}`).join('; ')
    : null;
  if (notReady.length === 0) return { status: EndpointStatus.READY, reason: null };
  if (notReady.some((s) => s.state === 'LOADING')) return { status: EndpointStatus.LOADING, reason };
  if (notReady.length < relevant.length) return { status: EndpointStatus.DEGRADED, reason };
  return {
    status: notReady.some((s) => s.state === 'FAILED') ? EndpointStatus.FAILED : EndpointStatus.LOADING,
    reason,
  };
}
