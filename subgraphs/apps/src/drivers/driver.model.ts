import type { ReleaseContent, StoredEndpoint } from '../deployment/deployment.model';
import type { SecretReference } from '../kubernetes/release-spec.model';

/** A release as a driver acts on it. */
export interface DriverTarget {
  deploymentId: string;
  application: { id: string; name: string };
  environment: string;
  revision: number;
  content: ReleaseContent;
  config: { version: number; values: Record<string, string>; secrets: SecretReference[] };
}

/**
 * Runs releases somewhere. Every call gets the Authorization to use towards the inference service:
 * the caller's header during a request, a service token in background work.
 */
export interface DeploymentDriver {
  /** What `apply` would do, as JSON objects (dry run); changes nothing. */
  plan(target: DriverTarget): unknown[];
  /** Creates or updates everything the release needs. @returns the endpoints with their inference ids */
  apply(target: DriverTarget, authorization: string): Promise<StoredEndpoint[]>;
  /** Sets the replica count of the running release. */
  scale(target: DriverTarget, authorization: string): Promise<void>;
  /** Stops serving while keeping the release. @returns the endpoints as they are left */
  pause(target: DriverTarget, authorization: string): Promise<StoredEndpoint[]>;
  /** Removes everything the deployment created. */
  remove(target: DriverTarget, authorization: string): Promise<void>;
}
