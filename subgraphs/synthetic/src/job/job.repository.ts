import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { SyntheticJobStatus, TERMINAL_STATUSES } from './job.enums';
import { SyntheticDataJob } from './synthetic-job.entity';

/** The job aggregate's queries. Stateless: the caller's `em` is the unit of work. */
export class SyntheticJobRepository {
  findById(em: EntityManager, id: string): Promise<SyntheticDataJob | null> {
    return em.findOne(SyntheticDataJob, { id });
  }

  /** @throws MikroORM's NotFoundError when there is no such job */
  getById(em: EntityManager, id: string): Promise<SyntheticDataJob> {
    return em.findOneOrFail(SyntheticDataJob, { id });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<SyntheticDataJob | null> {
    return em.findOne(SyntheticDataJob, { id, organizationId });
  }

  /** An organization's jobs (of one status when given), newest first, at most `limit`. */
  listInOrganization(
    em: EntityManager,
    organizationId: string,
    status: SyntheticJobStatus | undefined,
    limit: number,
  ): Promise<SyntheticDataJob[]> {
    return em.find(
      SyntheticDataJob,
      { organizationId, ...(status ? { status } : {}) },
      { orderBy: { createdAt: 'desc' }, limit },
    );
  }

  /** Jobs left QUEUED or RUNNING, oldest first. */
  findUnfinished(em: EntityManager): Promise<SyntheticDataJob[]> {
    return em.find(
      SyntheticDataJob,
      { status: { $in: [SyntheticJobStatus.QUEUED, SyntheticJobStatus.RUNNING] } },
      { orderBy: { createdAt: 'asc' } },
    );
  }

  /** Whether cancellation of the job was requested, read from the database (give a fresh `em` to see other requests' writes). */
  async cancelRequested(em: EntityManager, id: string): Promise<boolean> {
    const fresh = await em.findOne(SyntheticDataJob, { id }, { fields: ['cancelRequested'] });
    return fresh?.cancelRequested ?? false;
  }

  /** Writes `changes` to the job when it is not terminal (and matches `where` when given). @returns the rows written (0 or 1) */
  updateUnfinished(
    em: EntityManager,
    id: string,
    changes: Partial<SyntheticDataJob>,
    where?: FilterQuery<SyntheticDataJob>,
  ): Promise<number> {
    const unfinished: FilterQuery<SyntheticDataJob> = { id, status: { $nin: TERMINAL_STATUSES } };
    return em.nativeUpdate(SyntheticDataJob, where ? { $and: [unfinished, where] } : unfinished, changes);
  }

  /** Marks cancellation requested unless the job is terminal or registering its output. @returns the rows written (0 or 1) */
  requestCancel(em: EntityManager, id: string): Promise<number> {
    return em.nativeUpdate(
      SyntheticDataJob,
      { id, status: { $nin: TERMINAL_STATUSES }, stage: { $ne: 'REGISTERING' } },
      { cancelRequested: true },
    );
  }

  /** Ends the job CANCELLED at `finishedAt` when it is still QUEUED. @returns the rows written (0 or 1) */
  cancelQueued(em: EntityManager, id: string, finishedAt: Date): Promise<number> {
    return em.nativeUpdate(
      SyntheticDataJob,
      { id, status: SyntheticJobStatus.QUEUED },
      { status: SyntheticJobStatus.CANCELLED, stage: 'CANCELLED', finishedAt },
    );
  }
}
