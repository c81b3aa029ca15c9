import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Logger, PubSub, Viewer } from '../../../../lib/src/index';
import type { JobContext, JobQueue } from '../../../../lib/src/jobs';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { JobState } from '../common/enums';
import type { Algorithm } from '../engine/training/training-spec';
import type { CatalogClient } from '../dataset/catalog.client';
import { checkJobDatasetAccess } from '../dataset/job-dataset-access';
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
import { STUDY_JOB_KIND } from './study.runner';
import { checkObjectiveMetric, defaultDirection, toSearchSpace, trialHyperparameters } from './study-space.mapper';

const TERMINAL = [JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED];

/** What the study service is built from (once, by the composition root). */
export interface StudyServiceDeps {
  orm: MikroORM;
  studies: StudyRepository;
  models: ModelRepository;
  runner: StudyRunner;
  /** Where the dataset's metadata is read with the viewer's token at submission. */
  catalog: CatalogClient;
  /** The service's job queue: the study handler is registered on it by the composition root. */
  queue: JobQueue;
  pubSub: PubSub;
  logger: Logger;
  clock: Clock;
}

/** How often a caller waiting for a study (a pipeline step, a cancel) reads its row. */
const WAIT_POLL_MS = 200;

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Studies: persistence, their coordinators as jobs on the service's job queue (trials go to the
 * worker pool of the replica that claimed the study), cancel from any replica.
 */
export class StudyService {
  constructor(private readonly deps: StudyServiceDeps) {}

  /**
   * The viewer starts a study. Its trials read the dataset as the viewer (a delegated token), so what
   * that read needs is checked first with the viewer's own token: nothing is created for a study bound to fail.
   */
  async start(scope: RequestScope, input: StartStudyInput, authorization?: string): Promise<Study> {
    this.validate(input);
    await checkJobDatasetAccess(this.deps.catalog, scope.viewer, authorization, {
      datasetId: input.datasetId,
      columns: [...input.featureColumns, input.targetColumn],
      columnFields: [...input.featureColumns.map((_, i) => `featureColumns[${i}]`), 'targetColumn'],
    });
    return this.startFor(scope.em, scope.viewer, input);
  }

  /** @throws BadUserInputError naming the fields of an invalid study */
  private validate(input: StartStudyInput): {
    searchSpace: ReturnType<typeof toSearchSpace>;
    baseHyperparameters: ReturnType<typeof compactHyperparameters>;
  } {
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
      Object.entries(searchSpace).map(([k, d]) => [k, d.type === 'categorical' ? d.choices[0]! : d.high]),
    );
    resolveOrReject(
      toTrainingSpec(input.algorithm as Algorithm, trialHyperparameters(baseHyperparameters, corner)),
      'searchSpace',
    );
    return { searchSpace, baseHyperparameters };
  }

  /** Persists a study for `viewer` (a viewer, or a pipeline's creator) and starts its coordinator. */
  async startFor(
    em: EntityManager,
    viewer: Pick<Viewer, 'id' | 'organizationId'>,
    input: StartStudyInput,
    pipelineRunId: string | null = null,
  ): Promise<Study> {
    const { searchSpace, baseHyperparameters } = this.validate(input);
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
    await this.enqueue(study.id);
    return study;
  }

  /** Puts a study on the queue (after its row is flushed). @returns false when it already was (idempotent) */
  enqueue(studyId: string): Promise<boolean> {
    return this.deps.queue.enqueue(STUDY_JOB_KIND, studyId, { studyId });
  }

  /**
   * The job-queue handler: runs the study's coordinator for this claim. When the signal aborted
   * (shutdown, lost claim, or cancel after the study was ended CANCELLED) the handler throws so the
   * queue hands the job back or records the cancel.
   */
  async handle(ctx: JobContext<{ studyId: string }>): Promise<void> {
    await this.deps.runner.run(ctx.payload?.studyId ?? ctx.jobId, ctx.signal, (work) => ctx.fenced(work));
    ctx.signal.throwIfAborted();
  }

  /** Waits until the study's row is final, from any replica (enqueued first when it never was). */
  async waitFor(studyId: string, signal: AbortSignal): Promise<Study> {
    await this.enqueue(studyId);
    for (;;) {
      signal.throwIfAborted();
      const study = await this.deps.studies.getById(this.deps.orm.em.fork(), studyId);
      if (TERMINAL.includes(study.state)) return study;
      await pause(WAIT_POLL_MS, signal);
    }
  }

  /**
   * Cancels from any replica: a queued study ends CANCELLED at once; a running one is stopped by the
   * replica that runs it, and this call waits (a few seconds at most) for it to say CANCELLED.
   */
  async cancel(scope: RequestScope, id: string): Promise<Study> {
    const { em } = scope;
    const study = await this.get(scope, id);
    if (TERMINAL.includes(study.state)) throw new ConflictError(`The study is already ${study.state}`);
    study.cancelRequested = true;
    await em.flush();
    const outcome = await this.deps.queue.cancel(id);
    if (outcome === 'requested') {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const row = await this.deps.studies.getById(this.deps.orm.em.fork(), id);
        if (TERMINAL.includes(row.state)) break;
        const claim = await this.deps.queue.status(id);
        // The claim ended cancelled before its handler ran: nothing else will end the row.
        if (claim?.state === 'cancelled') await this.markCancelled(id);
        await pause(WAIT_POLL_MS);
      }
    } else await this.markCancelled(id);
    await em.refresh(study);
    return study;
  }

  private async markCancelled(id: string): Promise<void> {
    await this.deps.orm.em
      .fork()
      .nativeUpdate(
        Study,
        { id, state: { $in: [JobState.QUEUED, JobState.RUNNING] } },
        { state: JobState.CANCELLED, finishedAt: this.deps.clock() },
      );
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

  /**
   * Enqueues studies left QUEUED or RUNNING from before the job queue (rows without a claim);
   * claimed ones are taken over by the queue's sweep. @returns how many were enqueued
   */
  async enqueueUnclaimed(): Promise<number> {
    let added = 0;
    for (const s of await this.deps.studies.unfinished(this.deps.orm.em.fork()))
      if (await this.enqueue(s.id)) added += 1;
    return added;
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
}
