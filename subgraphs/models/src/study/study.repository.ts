import type { EntityManager } from '@mikro-orm/core';
import { JobState, TrialState } from '../common/enums';
import { Study, StudyTrial } from './study.entity';

/** The study aggregate's queries: studies and their trials. Stateless: the caller's `em` is the unit of work. */
export class StudyRepository {
  findById(em: EntityManager, id: string): Promise<Study | null> {
    return em.findOne(Study, { id });
  }

  getById(em: EntityManager, id: string): Promise<Study> {
    return em.findOneOrFail(Study, { id });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<Study | null> {
    return em.findOne(Study, { id, organizationId });
  }

  /** The organization's studies, newest first. */
  list(em: EntityManager, organizationId: string, limit: number): Promise<Study[]> {
    return em.find(Study, { organizationId }, { orderBy: { createdAt: 'desc' }, limit });
  }

  /** Whether a cancel was requested, read from the database (another request may have set it). */
  async cancelRequested(em: EntityManager, id: string): Promise<boolean> {
    return (await em.findOne(Study, { id }))?.cancelRequested ?? false;
  }

  /** Studies a previous process left QUEUED or RUNNING (pipeline studies resume with their pipeline). */
  unfinished(em: EntityManager): Promise<Study[]> {
    return em.find(Study, { state: { $in: [JobState.QUEUED, JobState.RUNNING] }, pipelineRunId: null });
  }

  /** A study's trials, by number. */
  trialsOf(em: EntityManager, studyId: string): Promise<StudyTrial[]> {
    return em.find(StudyTrial, { studyId }, { orderBy: { number: 'asc' } });
  }

  trialNumbered(em: EntityManager, studyId: string, number: number): Promise<StudyTrial | null> {
    return em.findOne(StudyTrial, { studyId, number });
  }

  /** Forgets trials an interrupted run left RUNNING (bypasses the unit of work). */
  async deleteRunningTrials(em: EntityManager, studyId: string): Promise<void> {
    await em.nativeDelete(StudyTrial, { studyId, state: TrialState.RUNNING });
  }
}
