import { objectName } from '../kubernetes/object-name.builder';
import type { StoredEndpoint } from '../deployment/deployment.model';
import type { DriverTarget } from './driver.model';
import type { InferenceClient } from './inference.client';

/** Name of the inference endpoint behind one endpoint of an application environment (unique per organization). */
export function inferenceEndpointName(
  target: Pick<DriverTarget, 'application' | 'environment'>,
  endpoint: Pick<StoredEndpoint, 'name'>,
): string {
  return objectName(target.application.name, target.environment, endpoint.name);
}

/** Most concurrent session workers inference allows per endpoint. */
export const MAX_INFERENCE_REPLICAS = 64;

/**
 * The inference replica count for a deployment's replica count: inference keeps 1..64 workers per
 * endpoint, so 0 (stop serving is `pauseDeployment`) keeps one and more than 64 run 64.
 */
export function inferenceReplicas(replicas: number): number {
  return Math.min(Math.max(Math.round(replicas), 1), MAX_INFERENCE_REPLICAS);
}

/**
 * The create/update inputs the release sends to inference, for dry runs and for `registerEndpoints`.
 * With `withReplicas` (the local driver) each endpoint also gets the deployment's replica count.
 */
export function endpointInputs(target: DriverTarget, withReplicas = false) {
  return target.content.endpoints.map((e) => ({
    endpointId: e.endpointId,
    name: inferenceEndpointName(target, e),
    description: `${target.application.name} / ${target.environment} / ${e.name} (release ${target.revision})`,
    routes: e.routes.map((r) => ({ modelVersion: r.modelVersionId, weight: r.weight })),
    ...(withReplicas ? { replicas: inferenceReplicas(target.content.replicas) } : {}),
  }));
}

/**
 * Creates the release's endpoints in inference, or updates their routes (and replicas, with
 * `withReplicas`) when they exist, so a rollback restores the old routes, weights and replica count
 * on the same endpoints.
 * @returns the endpoints with their inference ids
 */
export async function registerEndpoints(
  client: InferenceClient,
  authorization: string,
  target: DriverTarget,
  withReplicas = false,
): Promise<StoredEndpoint[]> {
  const inputs = endpointInputs(target, withReplicas);
  const result: StoredEndpoint[] = [];
  for (const [i, endpoint] of target.content.endpoints.entries()) {
    const { endpointId, name, description, ...settings } = inputs[i]!;
    const state = endpointId
      ? await client.updateEndpoint(authorization, endpointId, settings)
      : await createOrAdopt(client, authorization, { name, description, ...settings });
    result.push({ ...endpoint, endpointId: state.id });
  }
  return result;
}

/**
 * Creates an endpoint, or — when one of that name exists that an earlier attempt of this rollout
 * created (a rollout job taken over after its worker died between creating the endpoint and
 * recording it) — updates that one. An endpoint of the same name made by anyone else stays refused.
 */
async function createOrAdopt(
  client: InferenceClient,
  authorization: string,
  input: { name: string; description: string; routes: { modelVersion: string; weight: number }[]; replicas?: number },
) {
  try {
    return await client.createEndpoint(authorization, input);
  } catch (error) {
    if ((error as { extensions?: { code?: unknown } }).extensions?.code !== 'CONFLICT') throw error;
    const existing = await client.endpoint(authorization, input.name);
    // "<application> / <environment> / <endpoint> (release n)": the same endpoint of the same release line.
    const ours = input.description.slice(0, input.description.lastIndexOf(' (release ') + ' (release '.length);
    if (!existing?.description?.startsWith(ours) || existing.name !== input.name) throw error;
    const { name: _name, description: _description, ...settings } = input;
    return client.updateEndpoint(authorization, existing.id, settings);
  }
}

/** Sets the replica count of the release's existing endpoints in inference (the local driver's scaling). */
export async function scaleEndpoints(
  client: InferenceClient,
  authorization: string,
  target: DriverTarget,
): Promise<void> {
  const replicas = inferenceReplicas(target.content.replicas);
  for (const endpoint of target.content.endpoints) {
    if (endpoint.endpointId) await client.updateEndpoint(authorization, endpoint.endpointId, { replicas });
  }
}

/**
 * Deletes the release's endpoints from inference (their sessions are released there).
 * @returns the endpoints without ids
 */
export async function unregisterEndpoints(
  client: InferenceClient,
  authorization: string,
  target: DriverTarget,
): Promise<StoredEndpoint[]> {
  for (const endpoint of target.content.endpoints) {
    if (endpoint.endpointId) await client.deleteEndpoint(authorization, endpoint.endpointId);
  }
  return target.content.endpoints.map((e) => ({ ...e, endpointId: null }));
}
