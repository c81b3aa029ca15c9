import type { EntityManager } from '@mikro-orm/core';
import type { PubSub } from '../../../../lib/src/index';
import { DeploymentEvent } from './deployment-event.entity';
import type { Deployment } from './deployment.entity';
import { DEPLOYMENT_EVENTS } from './deployment.model';
import type { DeploymentEventKind, DeploymentStatus } from './deployment.model';
import type { DeploymentRepository } from './deployment.repository';

/**
 * Appends events to deployments' timelines and publishes each one for the status subscription.
 * Sequence numbers come from the stored count, so the timeline order is the order of the writes.
 */
export class DeploymentTimeline {
  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly pubSub: PubSub,
  ) {}

  /** Adds one event (flushed with the deployment) and publishes it after the flush. */
  async record(
    em: EntityManager,
    deployment: Deployment,
    kind: DeploymentEventKind,
    previousStatus: DeploymentStatus | null,
    message: string,
    actorId: string | null,
    data?: unknown,
  ): Promise<DeploymentEvent> {
    const sequence = (await this.deployments.countEvents(em, deployment.id)) + 1;
    const event = em.create(DeploymentEvent, {
      organizationId: deployment.organizationId,
      deploymentId: deployment.id,
      applicationId: deployment.applicationId,
      sequence,
      kind,
      status: deployment.status,
      previousStatus,
      health: deployment.health,
      revision: deployment.revision,
      replicas: deployment.replicas,
      message,
      actorId,
      data: data ?? null,
    });
    await em.flush();
    // The payload keeps the GraphQL name of the event's time, `at` (an ISO string, so it crosses Redis unchanged).
    const { createdAt, ...fields } = event;
    this.pubSub.publish(DEPLOYMENT_EVENTS, { ...fields, at: createdAt.toISOString() });
    return event;
  }
}
