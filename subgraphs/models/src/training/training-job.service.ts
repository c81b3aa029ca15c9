import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { PubSub, Viewer, WorkerPool } from '../../../../lib/src/index';
import { ConflictError, NotFoundError } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { JobState } from '../common/enums';
import type { Algorithm } from '../engine/training/training-spec';
import type { ModelVersion } from '../model-version/model-version.entity';
import { TrainingJob } from './training-job.entity';
import type { TrainingEpoch } from './training-job.entity';
import type { TrainingJobEvent } from './training-job.event';
import { isTerminal, TRAINING_JOB_TOPIC } from './training-job.event';
import type { StartTrainingJobInput } from './training-job.input';
import type { TrainingJobRepository } from './training-job.repository';
import type { TrainingJobRunner } from './training-job.runner';
import { compactHyperparameters, resolveOrReject, toTrainingSpec, validateTrainingInput } from './training-spec.mapper';

/** What the training job service is built from (once, by the composition root). */
export interface TrainingJobServiceDeps {
  orm: MikroORM;
  jobs: TrainingJobRepository;
  runner: TrainingJobRunner;
  pool: WorkerPool;
  pubSub: PubSub;
  clock: Clock;
}

/** Training jobs: persistence, the worker pool, cancellation and resume on boot. */
export class TrainingJobService {
  private readonly completions = new Map<string, Promise<void>>();

  constructor(private readonly deps: TrainingJobServiceDeps) {}

  /** The viewer queues a training job. */
  start(scope: RequestScope, input: StartTrainingJobInput): Promise<TrainingJob> {
    return this.startFor(scope.em, scope.viewer, input);
  }

  /** Persists a QUEUED job for `owner` (a viewer, or a pipeline's creator) and hands it to the pool. */
  async startFor(
    em: EntityManager,
    owner: Pick<Viewer, 'id' | 'organizationId'>,
    input: StartTrainingJobInput,
    pipelineRunId: string | null = null,
  ): Promise<TrainingJob> {
    validateTrainingInput(input);
    const hyperparameters = compactHyperparameters(input.hyperparameters);
    const spec = resolveOrReject(toTrainingSpec(input.algorithm as Algorithm, hyperparameters));
    const job = em.create(TrainingJob, {
      organizationId: owner.organizationId,
      createdById: owner.id,
      modelName: input.modelName,
      datasetId: input.datasetId,
      featureColumns: input.featureColumns,
      targetColumn: input.targetColumn,
      algorithm: input.algorithm,
      hyperparameters,
      validationFraction: input.validationFraction,
      epochs: spec.algorithm === 'LINEAR_REGRESSION' ? 1 : spec.epochs,
      requestedCpu: input.resources?.cpu ?? 1,
      requestedGpu: input.resources?.gpu ?? 0,
      requestedMemoryMb: input.resources?.memoryMb ?? null,
      description: input.description ?? null,
      versionTags: input.tags ?? null,
      pipelineRunId,
    });
    await em.flush();
    void this.enqueue(job.id);
    return job;
  }

  /** Submits a job to the pool. @returns a promise settled when its run ends (in this process) */
  enqueue(jobId: string): Promise<void> {
    const existing = this.completions.get(jobId);
    if (existing) return existing;
    const done = new Promise<void>((resolve) => {
      const accepted = this.deps.pool.submit(`training:${jobId}`, async (signal) => {
        try {
          await this.deps.runner.run(jobId, signal);
        } finally {
          this.completions.delete(jobId);
          resolve();
        }
      });
      if (!accepted) resolve();
    });
    this.completions.set(jobId, done);
    return done;
  }

  /** Requests cancellation: a queued job ends CANCELLED now, a running one after its current batch. */
  async cancel(scope: RequestScope, id: string): Promise<TrainingJob> {
    const job = await this.get(scope, id);
    if (isTerminal(job.state)) throw new ConflictError(`The job is already ${job.state}`);
    job.cancelRequested = true;
    if (job.state === JobState.QUEUED && this.deps.pool.cancel(`training:${job.id}`)) {
      job.state = JobState.CANCELLED;
      job.finishedAt = this.deps.clock();
      this.completions.delete(job.id);
    }
    await scope.em.flush();
    if (job.state === JobState.CANCELLED)
      this.deps.pubSub.publish(TRAINING_JOB_TOPIC, job.id, {
        jobId: job.id,
        state: job.state,
        epochs: job.epochs,
        epoch: null,
        metrics: job.metrics,
      });
    else this.deps.pool.cancel(`training:${job.id}`);
    return job;
  }

  async get(scope: RequestScope, id: string): Promise<TrainingJob> {
    return this.getIn(scope.em, scope.viewer.organizationId, id);
  }

  /** The viewer's job (reference resolution): null when it is another organization's or missing. */
  visible(scope: RequestScope, id: string): Promise<TrainingJob | null> {
    return this.deps.jobs.findInOrganization(scope.em, scope.viewer.organizationId, id);
  }

  /** The organization's jobs, newest first (at most `limit`, clamped to [1, 500]). */
  list(
    scope: RequestScope,
    filter: { state: JobState | null; modelName: string | null },
    limit: number,
  ): Promise<TrainingJob[]> {
    return this.deps.jobs.list(scope.em, scope.viewer.organizationId, filter, Math.min(Math.max(1, limit), 500));
  }

  /** `ModelVersion.trainingJob`: the job that trained the version. */
  jobOf(scope: RequestScope, version: ModelVersion): Promise<TrainingJob | null> | null {
    return version.trainingJobId ? this.deps.jobs.findById(scope.em, version.trainingJobId) : null;
  }

  /** `TrainingJobEvent.job`: read fresh for each event (the request's unit of work would answer the first state again). */
  jobOfEvent(scope: RequestScope, event: TrainingJobEvent): Promise<TrainingJob | null> {
    return this.deps.jobs.findInOrganization(scope.em.fork(), scope.viewer.organizationId, event.jobId);
  }

  /** `TrainingJob.history`: the epochs of the current attempt. */
  history(scope: RequestScope, job: TrainingJob): Promise<TrainingEpoch[]> {
    return this.deps.jobs.epochsOf(scope.em, job.id);
  }

  /** Runs one job here, outside the pool (the training worker pod, `training-job.main.ts`). */
  runHere(jobId: string, signal: AbortSignal): Promise<void> {
    return this.deps.runner.run(jobId, signal);
  }

  /** The state a job is in now (the training worker's exit code). */
  async stateOf(em: EntityManager, id: string): Promise<JobState | null> {
    return (await this.deps.jobs.findById(em, id))?.state ?? null;
  }

  /** Re-submits jobs left QUEUED or RUNNING by a previous process (pipeline jobs resume with their pipeline). */
  async resumeOnBoot(): Promise<number> {
    const jobs = await this.deps.jobs.unfinished(this.deps.orm.em.fork());
    for (const job of jobs) void this.enqueue(job.id);
    return jobs.length;
  }

  /**
   * Events of one job: first the persisted epochs (so a late subscriber misses nothing), then live
   * events, ending after the final state.
   */
  async *events(scope: RequestScope, jobId: string): AsyncGenerator<TrainingJobEvent> {
    const live = this.deps.pubSub.subscribe(TRAINING_JOB_TOPIC, jobId)[Symbol.asyncIterator]();
    try {
      const em = this.deps.orm.em.fork();
      const job = await this.getIn(em, scope.viewer.organizationId, jobId);
      let lastEpoch = 0;
      for (const e of await this.deps.jobs.epochsOf(em, jobId)) {
        lastEpoch = e.epoch;
        yield {
          jobId,
          state: JobState.RUNNING,
          epoch: e.epoch,
          epochs: job.epochs,
          trainLoss: e.trainLoss,
          validationLoss: e.validationLoss,
          metrics: e.metrics,
          modelVersionId: null,
          error: null,
        };
      }
      if (isTerminal(job.state)) {
        yield {
          jobId,
          state: job.state,
          epoch: null,
          epochs: job.epochs,
          trainLoss: job.trainLoss ?? null,
          validationLoss: job.validationLoss ?? null,
          metrics: job.metrics,
          modelVersionId: job.modelVersionId ?? null,
          error: job.error ?? null,
        };
        return;
      }
      for (;;) {
        const next = await live.next();
        if (next.done) return;
        const event = next.value as TrainingJobEvent;
        if (event.epoch != null && event.epoch <= lastEpoch) continue;
        if (event.epoch != null) lastEpoch = event.epoch;
        if (event.epoch == null && event.state === JobState.RUNNING) lastEpoch = 0;
        yield event;
        if (isTerminal(event.state)) return;
      }
    } finally {
      await live.return?.();
    }
  }

  private async getIn(em: EntityManager, organizationId: string, id: string): Promise<TrainingJob> {
    const job = await this.deps.jobs.findInOrganization(em, organizationId, id);
    if (!job) throw new NotFoundError('TrainingJob', id);
    return job;
  }
}
