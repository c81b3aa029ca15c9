import type { EntityManager } from '@mikro-orm/core';
import { BatchInferenceJob, BatchJobStatus } from './batch-job.entity';

/** The batch job aggregate's queries. Stateless: the caller's `em` is the unit of work. */
export class BatchJobRepository {
  /** A job by id, in any organization: callers check the organization. */
  findById(em: EntityManager, id: string): Promise<BatchInferenceJob | null> {
    return em.findOne(BatchInferenceJob, { id });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<BatchInferenceJob | null> {
    return em.findOne(BatchInferenceJob, { id, organizationId });
  }

  /** An organization's latest jobs, newest first. */
  recentInOrganization(em: EntityManager, organizationId: string, limit: number): Promise<BatchInferenceJob[]> {
    return em.find(BatchInferenceJob, { organizationId }, { orderBy: { createdAt: 'desc' }, limit });
  }

  /** Jobs left QUEUED or RUNNING (by a process that stopped). */
  unfinished(em: EntityManager): Promise<BatchInferenceJob[]> {
    return em.find(BatchInferenceJob, { status: { $in: [BatchJobStatus.QUEUED, BatchJobStatus.RUNNING] } });
  }
}
