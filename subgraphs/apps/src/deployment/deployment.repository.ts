import type { EntityManager } from '@mikro-orm/core';
import { DeploymentEvent } from './deployment-event.entity';
import { Deployment } from './deployment.entity';
import { DeploymentStatus } from './deployment.model';
import { Release } from './release.entity';

/** Deployments the health checks and the autoscaler look after. */
export const ACTIVE_STATUSES = [DeploymentStatus.RUNNING, DeploymentStatus.DEGRADED, DeploymentStatus.UNHEALTHY];

/** Most timeline events one read returns. */
const MAX_TIMELINE = 500;

/**
 * The deployment aggregate's queries: deployments, their releases and their timeline events.
 * Stateless: the caller's `em` is the unit of work.
 */
export class DeploymentRepository {
  findById(em: EntityManager, id: string): Promise<Deployment | null> {
    return em.findOne(Deployment, { id });
  }

  /** The deployment as stored now (another process may have changed it), refreshing `em`'s copy. */
  reload(em: EntityManager, id: string): Promise<Deployment | null> {
    return em.findOne(Deployment, { id }, { refresh: true });
  }

  /** The application's deployment in an environment, unless deleted. */
  findLive(em: EntityManager, applicationId: string, environment: string): Promise<Deployment | null> {
    return em.findOne(Deployment, { applicationId, environment, status: { $ne: DeploymentStatus.DELETED } });
  }

  /** The organization's deployments that are not deleted, optionally of one application or environment, oldest first. */
  listLive(
    em: EntityManager,
    organizationId: string,
    filter: { applicationId?: string | null; environment?: string | null },
  ): Promise<Deployment[]> {
    return em.find(
      Deployment,
      {
        organizationId,
        status: { $ne: DeploymentStatus.DELETED },
        ...(filter.applicationId ? { applicationId: filter.applicationId } : {}),
        ...(filter.environment ? { environment: filter.environment } : {}),
      },
      { orderBy: { createdAt: 'asc' } },
    );
  }

  /** The application's deployments that are not deleted, by environment. */
  listLiveOfApplication(em: EntityManager, applicationId: string): Promise<Deployment[]> {
    return em.find(
      Deployment,
      { applicationId, status: { $ne: DeploymentStatus.DELETED } },
      { orderBy: { environment: 'asc' } },
    );
  }

  /** Every running, degraded or unhealthy deployment, in any organization (the monitor's round). */
  listActive(em: EntityManager): Promise<Deployment[]> {
    return em.find(Deployment, { status: { $in: ACTIVE_STATUSES } });
  }

  findRelease(em: EntityManager, deploymentId: string, revision: number): Promise<Release | null> {
    return em.findOne(Release, { deploymentId, revision });
  }

  /** Every release of the deployment, newest first. */
  releases(em: EntityManager, deploymentId: string): Promise<Release[]> {
    return em.find(Release, { deploymentId }, { orderBy: { revision: 'desc' } });
  }

  /** How many events the deployment's timeline holds (stored ones). */
  countEvents(em: EntityManager, deploymentId: string): Promise<number> {
    return em.count(DeploymentEvent, { deploymentId });
  }

  /** The last `last` events of the timeline (at most 500), oldest first. */
  async lastEvents(em: EntityManager, deploymentId: string, last: number | null): Promise<DeploymentEvent[]> {
    const events = await em.find(
      DeploymentEvent,
      { deploymentId },
      { orderBy: { sequence: 'desc' }, limit: last ? Math.min(last, MAX_TIMELINE) : MAX_TIMELINE },
    );
    return events.reverse();
  }
}
