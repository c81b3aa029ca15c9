import type { StoredEndpoint } from '../deployment/deployment.model';
import type { DeploymentDriver, DriverTarget } from './driver.model';
import { endpointInputs, registerEndpoints, unregisterEndpoints } from './endpoint.registrar';
import type { InferenceClient } from './inference.client';

/**
 * Runs releases on the inference service of this platform: endpoints are created and updated
 * through its GraphQL API; pausing deletes them (freeing their sessions) and resuming recreates them.
 * The inference service runs every endpoint in its own process pool, so the replica count is kept
 * as the deployment's desired size for the autoscaler and the timeline; inference has no per-endpoint
 * worker setting to pass it to.
 */
export class LocalDriver implements DeploymentDriver {
  constructor(private readonly inference: InferenceClient) {}

  plan(target: DriverTarget): unknown[] {
    return endpointInputs(target).map((input) => ({ kind: 'InferenceEndpoint', action: input.endpointId ? 'update' : 'create', ...input }));
  }

  apply(target: DriverTarget, authorization: string): Promise<StoredEndpoint[]> {
    return registerEndpoints(this.inference, authorization, target);
  }

  async scale(): Promise<void> {
    // Nothing to send: see the class comment.
  }

  pause(target: DriverTarget, authorization: string): Promise<StoredEndpoint[]> {
    return unregisterEndpoints(this.inference, authorization, target);
  }

  async remove(target: DriverTarget, authorization: string): Promise<void> {
    await unregisterEndpoints(this.inference, authorization, target);
  }
}
