import type { EntityManager } from '@mikro-orm/core';
import type { JobState } from '../common/enums';
import { JobState as States } from '../common/enums';
import { TrainingEpoch, TrainingJob } from './training-job.entity';

/** The training job aggregate's queries: jobs and their epochs. Stateless: the caller's `em` is the unit of work. */
export class TrainingJobRepository {
  findById(em: EntityManager, id: string): Promise<TrainingJob | null> {
    return em.findOne(TrainingJob, { id });
  }

  /** The job with this id; fails when there is none. */
  getById(em: EntityManager, id: string): Promise<TrainingJob> {
    return em.findOneOrFail(TrainingJob, { id });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<TrainingJob | null> {
    return em.findOne(TrainingJob, { id, organizationId });
  }

  /** The organization's jobs, newest first, optionally of one state and one model name. */
  list(
    em: EntityManager,
    organizationId: string,
    filter: { state?: JobState | null; modelName?: string | null },
    limit: number,
  ): Promise<TrainingJob[]> {
    return em.find(
      TrainingJob,
      {
        organizationId,
        ...(filter.state ? { state: filter.state } : {}),
        ...(filter.modelName ? { modelName: filter.modelName } : {}),
      },
      { orderBy: { createdAt: 'desc' }, limit },
    );
  }

  /** Jobs left QUEUED or RUNNING, oldest first (pipeline jobs are enqueued by their pipeline). */
  unfinished(em: EntityManager): Promise<TrainingJob[]> {
    return em.find(
      TrainingJob,
      { state: { $in: [States.QUEUED, States.RUNNING] }, pipelineRunId: null },
      { orderBy: { createdAt: 'asc' } },
    );
  }

  /** Deletes a job's epochs after `epoch` (written by an attempt that stopped before its checkpoint). */
  async deleteEpochsAfter(em: EntityManager, jobId: string, epoch: number): Promise<void> {
    await em.nativeDelete(TrainingEpoch, { jobId, epoch: { $gt: epoch } });
  }

  /** Ends a job CANCELLED at `finishedAt` unless it is already final. @returns the number of rows changed */
  markCancelled(em: EntityManager, id: string, finishedAt: Date): Promise<number> {
    return em.nativeUpdate(
      TrainingJob,
      { id, state: { $in: [States.QUEUED, States.RUNNING] } },
      { state: States.CANCELLED, finishedAt },
    );
  }

  /** A job's epochs, in order. */
  epochsOf(em: EntityManager, jobId: string): Promise<TrainingEpoch[]> {
    return em.find(TrainingEpoch, { jobId }, { orderBy: { epoch: 'asc' } });
  }
}
