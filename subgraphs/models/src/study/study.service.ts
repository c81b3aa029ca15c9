import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Logger, PubSub, Viewer } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { JobState } from '../common/enums';
import type { Algorithm } from '../engine/training/training-spec';
import type { ModelRepository } from '../model/model.repository';
import type { ModelVersion } from '../model-version/model-version.entity';
import {
  compactHyperparameters,
  resolveOrReject,
  toTrainingSpec,
  validateTrainingInput,
} from '../training/training-spec.mapper';
import { Study } from './study.entity';
import type { StudyTrial } from './study.entity';
import type { StudyEvent } from './study.event';
import { STUDY_TOPIC } from './study.event';
import type { StartStudyInput } from './study.input';
import type { StudyRepository } from './study.repository';
import type { StudyRunner } from './study.runner';
import { checkObjectiveMetric, defaultDirection, toSearchSpace, trialHyperparameters } from './study-space.mapper';

const TERMINAL = [JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED];

/** What the study service is built from (once, by the composition root). */
export interface StudyServiceDeps {
  orm: MikroORM;
  studies: StudyRepository;
  models: ModelRepository;
  runner: StudyRunner;
  pubSub: PubSub;
  logger: Logger;
  clock: Clock;
}

/** Studies: persistence, their coordinators (trials go to the worker pool), cancel and resume. */
export class StudyService {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: StudyServiceDeps) {}

  /** The viewer starts a study. */
  start(scope: RequestScope, input: StartStudyInput): Promise<Study> {
    return this.startFor(scope.em, scope.viewer, input);
  }

  /** Persists a study for `viewer` (a viewer, or a pipeline's creator) and starts its coordinator. */
  async startFor(
    em: EntityManager,
    viewer: Pick<Viewer, 'id' | 'organizationId'>,
    input: StartStudyInput,
    pipelineRunId: string | null = null,
  ): Promise<Study> {
    validateTrainingInput({ ...input, hyperparameters: input.baseHyperparameters ?? null });
    const searchSpace = toSearchSpace(input.searchSpace);
    checkObjectiveMetric(input.objectiveMetric);
    const fields: { field: string; message: string }[] = [];
    if (!(input.nTrials >= 1 && input.nTrials <= 1000))
      fields.push({ field: 'nTrials', message: 'must be in [1, 1000]' });
    if (!(input.parallelism >= 1)) fields.push({ field: 'parallelism', message: 'must be ≥ 1' });
    if (!(input.gridPoints >= 2)) fields.push({ field: 'gridPoints', message: 'must be ≥ 2' });
    if (input.prunerStartupTrials < 0 || input.prunerWarmupSteps < 0)
      fields.push({ field: 'prunerStartupTrials', message: 'must be ≥ 0' });
    if (fields.length > 0) throw new BadUserInputError('Invalid study', fields);
    const baseHyperparameters = compactHyperparameters(input.baseHyperparameters);
    // Every corner of the space must give a valid spec, or trials would fail one by one.
    const corner = Object.fromEntries(
      Object.entries(searchSpace).map(([k, d]) => [k, d.type === 'categorical' ? d.choices[0] : d.high]),
    );
    resolveOrReject(
      toTrainingSpec(input.algorithm as Algorithm, trialHyperparameters(baseHyperparameters, corner)),
      'searchSpace',
    );
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
    const done = this.deps.runner
      .run(studyId, controller.signal)
      .catch((err) => this.deps.logger.error({ err, studyId }, 'study coordinator failed'))
      .finally(() => this.running.delete(studyId));
    this.running.set(studyId, { controller, done });
    return done;
  }

  async cancel(scope: RequestScope, id: string): Promise<Study> {
    const { em } = scope;
    const study = await this.get(scope, id);
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
      study.finishedAt = this.deps.clock();
      await em.flush();
    }
    return study;
  }

  get(scope: RequestScope, id: string): Promise<Study> {
    return this.getIn(scope.em, scope.viewer.organizationId, id);
  }

  /** The viewer's study (reference resolution): null when it is another organization's or missing. */
  visible(scope: RequestScope, id: string): Promise<Study | null> {
    return this.deps.studies.findInOrganization(scope.em, scope.viewer.organizationId, id);
  }

  /** The organization's studies, newest first (at most `limit`, clamped to [1, 500]). */
  list(scope: RequestScope, limit: number): Promise<Study[]> {
    return this.deps.studies.list(scope.em, scope.viewer.organizationId, Math.min(Math.max(1, limit), 500));
  }

  /** `Study.trials`, by number. */
  trialsOf(scope: RequestScope, study: Study): Promise<StudyTrial[]> {
    return this.deps.studies.trialsOf(scope.em, study.id);
  }

  /** `Study.bestTrial`. */
  bestTrialOf(scope: RequestScope, study: Study): Promise<StudyTrial | null> | null {
    return study.bestTrialNumber == null
      ? null
      : this.deps.studies.trialNumbered(scope.em, study.id, study.bestTrialNumber);
  }

  /** `Study.modelVersion`: the registered best trial. */
  resultOf(scope: RequestScope, study: Study): Promise<ModelVersion | null> | null {
    return study.modelVersionId ? this.deps.models.findVersion(scope.em, study.modelVersionId) : null;
  }

  private async getIn(em: EntityManager, organizationId: string, id: string): Promise<Study> {
    const study = await this.deps.studies.findInOrganization(em, organizationId, id);
    if (!study) throw new NotFoundError('Study', id);
    return study;
  }

  /** Resumes studies left QUEUED or RUNNING (pipeline studies resume with their pipeline). */
  async resumeOnBoot(): Promise<number> {
    const studies = await this.deps.studies.unfinished(this.deps.orm.em.fork());
    for (const s of studies) void this.launch(s.id);
    return studies.length;
  }

  /** Live study events until the study ends (a final event at once when it already has). */
  async *events(scope: RequestScope, studyId: string): AsyncGenerator<StudyEvent> {
    const live = this.deps.pubSub.subscribe(STUDY_TOPIC, studyId)[Symbol.asyncIterator]();
    try {
      const study = await this.getIn(this.deps.orm.em.fork(), scope.viewer.organizationId, studyId);
      if (TERMINAL.includes(study.state)) {
        yield {
          studyId,
          state: study.state,
          bestTrialNumber: study.bestTrialNumber ?? null,
          bestValue: study.bestValue ?? null,
          modelVersionId: study.modelVersionId ?? null,
          error: study.error ?? null,
        };
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
