import type { DeploymentStatus } from './deployment.model';

/** The job kind of a rollout (lib/src/jobs): one job per release of a deployment. */
export const ROLLOUT_JOB = 'rollout';

/** What a rollout acts with at inference (it creates and updates the release's endpoints), for its user. */
export const ROLLOUT_PERMISSIONS = ['inference:manage', 'inference:read'];

/** A rollout job: the release to apply and who asked for it (the job acts for that user). */
export interface RolloutPayload {
  deploymentId: string;
  organizationId: string;
  revision: number;
  /** The release restored (a rollback), or null (a deploy). */
  rolledBackFrom: number | null;
  previousStatus: DeploymentStatus | null;
  actorId: string;
}

/** `rollout:<deployment>:<revision>`: a release is rolled out once. */
export function rolloutJobId(deploymentId: string, revision: number): string {
  return `${ROLLOUT_JOB}:${deploymentId}:${revision}`;
}

/** Where rollouts go (the service's job queue). */
export interface RolloutQueue {
  enqueue(kind: string, jobId: string, payload: unknown): Promise<boolean>;
  /** The job's claim: `queued` or `claimed` while it may still run. */
  status(jobId: string): Promise<{ state: string } | undefined>;
}
