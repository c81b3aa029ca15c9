import type { StoredEndpoint } from '../deployment/deployment.model';
import type { DeploymentDriver, DriverTarget } from './driver.model';
import { endpointInputs, registerEndpoints, scaleEndpoints, unregisterEndpoints } from './endpoint.registrar';
import type { InferenceClient } from './inference.client';

/**
 * Runs releases on the inference service of this platform: endpoints are created and updated
 * through its GraphQL API; pausing deletes them (freeing their sessions) and resuming recreates them.
 * Replicas are the endpoints' `replicas` in inference (how many session runs each executes at once):
 * set on deploy, rollback and resume, and changed in place when the deployment is scaled by hand or
 * by the autoscaler.
 */
export class LocalDriver implements DeploymentDriver {
  constructor(private readonly inference: InferenceClient) {}

  plan(target: DriverTarget): unknown[] {
    return endpointInputs(target, true).map((input) => ({
      kind: 'InferenceEndpoint',
      action: input.endpointId ? 'update' : 'create',
      ...input,
    }));
  }

  apply(target: DriverTarget, authorization: string): Promise<StoredEndpoint[]> {
    return registerEndpoints(this.inference, authorization, target, true);
  }

  scale(target: DriverTarget, authorization: string): Promise<void> {
    return scaleEndpoints(this.inference, authorization, target);
  }

  pause(target: DriverTarget, authorization: string): Promise<StoredEndpoint[]> {
    return unregisterEndpoints(this.inference, authorization, target);
  }

  async remove(target: DriverTarget, authorization: string): Promise<void> {
    await unregisterEndpoints(this.inference, authorization, target);
  }
}
