import { randomUUID } from 'node:crypto';
import type { EntityManager, RequiredEntityData } from '@mikro-orm/core';
import { BatchJobChunk } from './batch-job-chunk.entity';
import { BatchInferenceJob, BatchJobStatus } from './batch-job.entity';

/** The statuses a job never leaves. */
export const FINAL_JOB_STATUSES = [
  BatchJobStatus.SUCCEEDED,
  BatchJobStatus.PARTIAL,
  BatchJobStatus.FAILED,
  BatchJobStatus.CANCELLED,
];

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

  /** Writes `changes` to the job row only while it is not final; returns the number of rows written (0 or 1). */
  updateUnlessFinal(em: EntityManager, id: string, changes: Partial<BatchInferenceJob>): Promise<number> {
    return em.nativeUpdate(BatchInferenceJob, { id, status: { $nin: FINAL_JOB_STATUSES } }, changes);
  }

  /** The ends of a job's committed chunks (only the `end` field is loaded). */
  committedChunkEnds(em: EntityManager, jobId: string): Promise<Pick<BatchJobChunk, 'end'>[]> {
    return em.find(BatchJobChunk, { jobId }, { fields: ['end'] });
  }

  /** A job's committed chunks in dataset order. */
  chunksInOrder(em: EntityManager, jobId: string): Promise<BatchJobChunk[]> {
    return em.find(BatchJobChunk, { jobId }, { orderBy: { start: 'asc' } });
  }

  /** Inserts a committed chunk row directly (no unit of work). */
  insertChunk(em: EntityManager, chunk: Omit<RequiredEntityData<BatchJobChunk>, 'id' | 'createdAt'>): Promise<unknown> {
    return em.insert(BatchJobChunk, { ...chunk, id: randomUUID(), createdAt: new Date() });
  }
}
