import type { EntityManager } from '@mikro-orm/core';
import { JobState } from '../common/enums';
import { PipelineRun } from './pipeline-run.entity';

/** The pipeline run aggregate's queries. Stateless: the caller's `em` is the unit of work. */
export class PipelineRunRepository {
  getById(em: EntityManager, id: string): Promise<PipelineRun> {
    return em.findOneOrFail(PipelineRun, { id });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<PipelineRun | null> {
    return em.findOne(PipelineRun, { id, organizationId });
  }

  /** The organization's runs, newest first. */
  list(em: EntityManager, organizationId: string, limit: number): Promise<PipelineRun[]> {
    return em.find(PipelineRun, { organizationId }, { orderBy: { createdAt: 'desc' }, limit });
  }

  /** Runs a previous process left QUEUED or RUNNING. */
  unfinished(em: EntityManager): Promise<PipelineRun[]> {
    return em.find(PipelineRun, { state: { $in: [JobState.QUEUED, JobState.RUNNING] } });
  }
}
