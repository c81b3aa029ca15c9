import type { StoredEndpoint } from '../deployment/deployment.model';
import type { InferenceClient, InferenceEndpointState } from '../drivers/inference.client';
import type { EndpointObservation } from '../health/health.evaluator';

/** Live state of a deployment's endpoints: health observations plus the raw inference answers. */
export interface DeploymentObservation {
  endpoints: EndpointObservation[];
  states: (InferenceEndpointState | null)[];
}

/**
 * Reads every endpoint of a deployment from inference and turns the answers into health
 * observations; an endpoint that cannot be read is reported unreachable with the reason.
 * @returns one observation per endpoint, in release order
 */
export async function observeEndpoints(
  client: InferenceClient,
  authorization: string,
  endpoints: StoredEndpoint[],
): Promise<DeploymentObservation> {
  const states: (InferenceEndpointState | null)[] = [];
  const observations: EndpointObservation[] = [];
  for (const endpoint of endpoints) {
    const base = { endpointId: endpoint.endpointId ?? '', endpointName: endpoint.name, weight: endpoint.weight };
    if (!endpoint.endpointId) {
      states.push(null);
      observations.push({
        ...base,
        reachable: false,
        error: 'the endpoint was never created',
        ready: false,
        versions: [],
      });
      continue;
    }
    let state: InferenceEndpointState | null;
    try {
      state = await client.endpoint(authorization, endpoint.endpointId);
    } catch (error) {
      // A caller who may not read endpoints learns that, instead of the deployment being marked unhealthy.
      const code = (error as { extensions?: { code?: string } }).extensions?.code;
      if (code === 'FORBIDDEN' || code === 'UNAUTHENTICATED') throw error;
      states.push(null);
      observations.push({ ...base, reachable: false, error: (error as Error).message, ready: false, versions: [] });
      continue;
    }
    states.push(state);
    if (!state) {
      observations.push({ ...base, reachable: false, error: 'NOT_FOUND', ready: false, versions: [] });
      continue;
    }
    const totalWeight = state.routes.reduce((sum, r) => sum + r.weight, 0) || 1;
    observations.push({
      ...base,
      reachable: true,
      ready: state.status === 'READY' || state.status === 'DEGRADED',
      versions: state.routes.map((route) => {
        const id = route.modelVersion.id;
        const readiness = state.versions.find((r) => r.modelVersion.id === id && r.role !== 'shadow');
        const metrics = state.metrics.find((m) => m.modelVersion.id === id);
        return {
          modelVersionId: id,
          version: null,
          weight: (route.weight / totalWeight) * 100,
          ready: readiness?.state === 'READY',
          requests: metrics?.windowRequests ?? 0,
          errors: metrics?.windowErrors ?? 0,
          latencyP95Ms: metrics?.latencyP95Ms ?? null,
        };
      }),
    });
  }
  return { endpoints: observations, states };
}

/**
 * Requests in flight across the endpoints, by Little's law (throughput × mean latency), since
 * inference reports rates and latencies rather than a concurrency gauge.
 * @returns the estimated total concurrency
 */
export function estimateConcurrency(states: (InferenceEndpointState | null)[]): number {
  let total = 0;
  for (const state of states) {
    for (const m of state?.metrics ?? []) total += m.throughput * ((m.latencyMeanMs ?? 0) / 1000);
  }
  return total;
}
