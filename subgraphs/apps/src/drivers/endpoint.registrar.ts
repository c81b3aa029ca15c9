import { objectName } from '../kubernetes/object-name.builder';
import type { StoredEndpoint } from '../deployment/deployment.model';
import type { DriverTarget } from './driver.model';
import type { InferenceClient } from './inference.client';

/** Name of the inference endpoint behind one endpoint of an application environment (unique per organization). */
export function inferenceEndpointName(target: Pick<DriverTarget, 'application' | 'environment'>, endpoint: Pick<StoredEndpoint, 'name'>): string {
  return objectName(target.application.name, target.environment, endpoint.name);
}

/** The create/update inputs the release sends to inference, for dry runs and for `registerEndpoints`. */
export function endpointInputs(target: DriverTarget) {
  return target.content.endpoints.map((e) => ({
    endpointId: e.endpointId,
    name: inferenceEndpointName(target, e),
    description: `${target.application.name} / ${target.environment} / ${e.name} (release ${target.revision})`,
    routes: e.routes.map((r) => ({ modelVersion: r.modelVersionId, weight: r.weight })),
  }));
}

/**
 * Creates the release's endpoints in inference, or updates their routes when they exist, so a
 * rollback restores the old routes and weights on the same endpoints.
 * @returns the endpoints with their inference ids
 */
export async function registerEndpoints(client: InferenceClient, authorization: string, target: DriverTarget): Promise<StoredEndpoint[]> {
  const inputs = endpointInputs(target);
  const result: StoredEndpoint[] = [];
  for (const [i, endpoint] of target.content.endpoints.entries()) {
    const input = inputs[i];
    const state = endpoint.endpointId
      ? await client.updateEndpoint(authorization, endpoint.endpointId, { routes: input.routes })
      : await client.createEndpoint(authorization, { name: input.name, description: input.description, routes: input.routes });
    result.push({ ...endpoint, endpointId: state.id });
  }
  return result;
}

/**
 * Deletes the release's endpoints from inference (their sessions are released there).
 * @returns the endpoints without ids
 */
export async function unregisterEndpoints(client: InferenceClient, authorization: string, target: DriverTarget): Promise<StoredEndpoint[]> {
  for (const endpoint of target.content.endpoints) {
    if (endpoint.endpointId) await client.deleteEndpoint(authorization, endpoint.endpointId);
  }
  return target.content.endpoints.map((e) => ({ ...e, endpointId: null }));
}
