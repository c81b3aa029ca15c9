import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../../lib/src/index';
import { JobState } from '../common/enums';
import type { Algorithm } from '../engine/training/training-spec';
import { validateTrainingInput } from '../training/training-job.service';
import { compactHyperparameters, resolveOrReject, toTrainingSpec } from '../training/training-spec.mapper';
import { Study } from './study.entity';
import type { StudyEvent } from './study.event';
import { STUDY_TOPIC } from './study.event';
import type { StartStudyInput } from './study.input';
import type { StudyRunnerDeps } from './study.runner';
import { runStudy } from './study.runner';
import { checkObjectiveMetric, defaultDirection, toSearchSpace, trialHyperparameters } from './study-space.mapper';

const TERMINAL = [JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED];

/** Studies: persistence, their coordinators (trials go to the worker pool), cancel and resume. */
export class StudyService {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: StudyRunnerDeps) {}

  async start(em: EntityManager, viewer: Pick<Viewer, 'id' | 'organizationId'>, input: StartStudyInput, pipelineRunId: string | null = null): Promise<Study> {
    validateTrainingInput({ ...input, hyperparameters: input.baseHyperparameters ?? null });
    const searchSpace = toSearchSpace(input.searchSpace);
    checkObjectiveMetric(input.objectiveMetric);
    const fields: { field: string; message: string }[] = [];
    if (!(input.nTrials >= 1 && input.nTrials <= 1000)) fields.push({ field: 'nTrials', message: 'must be in [1, 1000]' });
    if (!(input.parallelism >= 1)) fields.push({ field: 'parallelism', message: 'must be ≥ 1' });
    if (!(input.gridPoints >= 2)) fields.push({ field: 'gridPoints', message: 'must be ≥ 2' });
    if (input.prunerStartupTrials < 0 || input.prunerWarmupSteps < 0) fields.push({ field: 'prunerStartupTrials', message: 'must be ≥ 0' });
    if (fields.length > 0) throw new BadUserInputError('Invalid study', fields);
    const baseHyperparameters = compactHyperparameters(input.baseHyperparameters);
    // Every corner of the space must give a valid spec, or trials would fail one by one.
    const corner = Object.fromEntries(Object.entries(searchSpace).map(([k, d]) => [k, d.type === 'categorical' ? d.choices[0] : d.high]));
    resolveOrReject(toTrainingSpec(input.algorithm as Algorithm, trialHyperparameters(baseHyperparameters, corner)), 'searchSpace');
    const study = em.create(Study, {
      organizationId: viewer.organizationId,
      createdById: viewer.id,
      modelName: input.modelName,
      datasetId: input.datasetId,
      featureColumns: input.featureColumns,
      targetColumn: input.targetColumn,
      algorithm: input.algorithm,
      baseHyperparameters,
      validationFraction: input.validationFraction,
      searchSpace,
      sampler: input.sampler,
      samplerSeed: input.samplerSeed,
      gridPoints: input.gridPoints,
      pruner: input.pruner,
      prunerStartupTrials: input.prunerStartupTrials,
      prunerWarmupSteps: input.prunerWarmupSteps,
      objectiveMetric: input.objectiveMetric,
      direction: input.direction ?? defaultDirection(input.objectiveMetric),
      nTrials: input.nTrials,
      parallelism: input.parallelism,
      pipelineRunId,
    });
    await em.flush();
    void this.launch(study.id);
    return study;
  }

  /** Starts (or joins) the coordinator of a study. @returns a promise settled when it stops */
  launch(studyId: string): Promise<void> {
    const existing = this.running.get(studyId);
    if (existing) return existing.done;
    const controller = new AbortController();
    const done = runStudy(this.deps, studyId, controller.signal)
      .catch((err) => this.deps.logger.error({ err, studyId }, 'study coordinator failed'))
      .finally(() => this.running.delete(studyId));
    this.running.set(studyId, { controller, done });
    return done;
  }

  async cancel(em: EntityManager, viewer: Viewer, id: string): Promise<Study> {
    const study = await this.get(em, viewer.organizationId, id);
    if (TERMINAL.includes(study.state)) throw new ConflictError(`The study is already ${study.state}`);
    study.cancelRequested = true;
    await em.flush();
    const run = this.running.get(id);
    if (run) {
      run.controller.abort();
      await run.done;
      await em.refresh(study);
    } else {
      study.state = JobState.CANCELLED;
      study.finishedAt = new Date();
      await em.flush();
    }
    return study;
  }

  async get(em: EntityManager, organizationId: string, id: string): Promise<Study> {
    const study = await em.findOne(Study, { id, organizationId });
    if (!study) throw new NotFoundError('Study', id);
    return study;
  }

  /** Resumes studies left QUEUED or RUNNING (pipeline studies resume with their pipeline). */
  async resumeOnBoot(): Promise<number> {
    const studies = await this.deps.orm.em.fork().find(Study, { state: { $in: [JobState.QUEUED, JobState.RUNNING] }, pipelineRunId: null });
    for (const s of studies) void this.launch(s.id);
    return studies.length;
  }

  /** Live study events until the study ends (a final event at once when it already has). */
  async *events(organizationId: string, studyId: string): AsyncGenerator<StudyEvent> {
    const live = this.deps.pubSub.subscribe(STUDY_TOPIC, studyId)[Symbol.asyncIterator]();
    try {
      const study = await this.get(this.deps.orm.em.fork(), organizationId, studyId);
      if (TERMINAL.includes(study.state)) {
        yield { studyId, state: study.state, bestTrialNumber: study.bestTrialNumber ?? null, bestValue: study.bestValue ?? null, modelVersionId: study.modelVersionId ?? null, error: study.error ?? null };
        return;
      }
      for (;;) {
        const next = await live.next();
        if (next.done) return;
        const event = next.value as StudyEvent;
        yield event;
        if (TERMINAL.includes(event.state)) return;
      }
    } finally {
      await live.return?.();
    }
  }

  /** Stops coordinators (shutdown); their studies stay RUNNING and resume on the next boot. */
  async close(): Promise<void> {
    for (const r of this.running.values()) r.controller.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }
}
