import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { PubSub, Viewer } from '../../../../lib/src/index';
import type { JobQueue } from '../../../../lib/src/jobs';
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
import type { JobContext } from '../../../../lib/src/jobs';
import type { TrainingJobPayload, TrainingJobRunner } from './training-job.runner';
import { TRAINING_JOB_KIND } from './training-job.runner';
import type { KubernetesTrainingExecutor } from './kubernetes-training.executor';
import type { CatalogClient } from '../dataset/catalog.client';
import { checkJobDatasetAccess } from '../dataset/job-dataset-access';
import { compactHyperparameters, resolveOrReject, toTrainingSpec, validateTrainingInput } from './training-spec.mapper';

/** What the training job service is built from (once, by the composition root). */
export interface TrainingJobServiceDeps {
  orm: MikroORM;
  jobs: TrainingJobRepository;
  runner: TrainingJobRunner;
  /** Where the dataset's metadata is read with the viewer's token at submission. */
  catalog: CatalogClient;
  /** Set with `AIC_TRAINING_EXECUTOR=kubernetes`: the `training` handler submits and watches a Kubernetes Job. */
  executor?: KubernetesTrainingExecutor;
  /** The service's job queue: the training handler is registered on it by the composition root. */
  queue: JobQueue;
  pubSub: PubSub;
  clock: Clock;
}

/** How often a caller waiting for a job (a pipeline step) reads its row. */
const WAIT_POLL_MS = 200;

/** Training jobs: persistence, the job queue (enqueue on create, cancel from any replica) and waiting for a result. */
export class TrainingJobService {
  constructor(private readonly deps: TrainingJobServiceDeps) {}

  /**
   * The viewer queues a training job. The job reads its dataset as the viewer (a delegated token), so
   * what that read needs is checked first with the viewer's own token (`authorization`): nothing is
   * created for a job bound to fail.
   */
  async start(scope: RequestScope, input: StartTrainingJobInput, authorization?: string): Promise<TrainingJob> {
    validateTrainingInput(input);
    resolveOrReject(toTrainingSpec(input.algorithm as Algorithm, compactHyperparameters(input.hyperparameters)));
    await checkJobDatasetAccess(this.deps.catalog, scope.viewer, authorization, {
      datasetId: input.datasetId,
      columns: [...input.featureColumns, input.targetColumn],
      columnFields: [...input.featureColumns.map((_, i) => `featureColumns[${i}]`), 'targetColumn'],
    });
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
    await this.enqueue(job.id);
    return job;
  }

  /** The job-queue handler of training jobs (see TrainingJobRunner, or KubernetesTrainingExecutor). */
  handle(ctx: JobContext<TrainingJobPayload>): Promise<void> {
    return this.deps.executor ? this.deps.executor.run(ctx) : this.deps.runner.run(ctx);
  }

  /** Runs one attempt in this process whatever the executor (the training pod's handler). */
  train(ctx: JobContext<TrainingJobPayload>): Promise<void> {
    return this.deps.runner.run(ctx);
  }

  /** Puts a job on the queue (after its row is flushed). @returns false when it already was (idempotent) */
  enqueue(jobId: string): Promise<boolean> {
    return this.deps.queue.enqueue(TRAINING_JOB_KIND, jobId, { jobId });
  }

  /**
   * Waits until the job's row is final, from any replica (a pipeline step); the job is enqueued
   * first when it never was (a row from before the job queue). @throws the signal's reason on abort
   */
  async waitFor(jobId: string, signal: AbortSignal): Promise<TrainingJob> {
    await this.enqueue(jobId);
    for (;;) {
      signal.throwIfAborted();
      const job = await this.deps.jobs.getById(this.deps.orm.em.fork(), jobId);
      if (isTerminal(job.state)) return job;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, WAIT_POLL_MS);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * Requests cancellation from any replica: a queued job ends CANCELLED now; a running one is stopped
   * by the replica that runs it (its signal aborts within the queue's cancel poll, at once over Redis).
   */
  async cancel(scope: RequestScope, id: string): Promise<TrainingJob> {
    const job = await this.get(scope, id);
    if (isTerminal(job.state)) throw new ConflictError(`The job is already ${job.state}`);
    job.cancelRequested = true;
    await scope.em.flush();
    const outcome = await this.deps.queue.cancel(job.id);
    // A job on Kubernetes: its pod is stopped through its own claim, whoever watches the Job.
    await this.deps.executor?.cancel(job.id);
    if (outcome === 'requested') {
      // Claimed but cancelled before its handler started: the queue ends the claim without running it.
      void this.settleCancelled(job.id);
      return job;
    }
    // Never claimed (or a row from before the queue, with no claim): nothing runs it, so end it here.
    if (await this.markCancelled(job.id)) await scope.em.refresh(job);
    return job;
  }

  /** Ends a job CANCELLED unless it is already final. @returns whether this call ended it */
  private async markCancelled(jobId: string): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    const changed = await this.deps.jobs.markCancelled(em, jobId, this.deps.clock());
    if (changed === 0) return false;
    const job = await this.deps.jobs.getById(em, jobId);
    this.deps.pubSub.publish(TRAINING_JOB_TOPIC, job.id, {
      jobId: job.id,
      state: job.state,
      epochs: job.epochs,
      epoch: null,
      metrics: job.metrics,
    });
    return true;
  }

  /** After a cancel request: once the claim is cancelled for good, the row must say so too. */
  private async settleCancelled(jobId: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const claim = await this.deps.queue.status(jobId).catch(() => undefined);
      if (claim && claim.state !== 'claimed' && claim.state !== 'queued') {
        if (claim.state === 'cancelled') await this.markCancelled(jobId).catch(() => undefined);
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
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

  /** The state a job is in now (the training worker's exit code). */
  async stateOf(em: EntityManager, id: string): Promise<JobState | null> {
    return (await this.deps.jobs.findById(em, id))?.state ?? null;
  }

  /**
   * Enqueues jobs left QUEUED or RUNNING from before the job queue (rows without a claim); jobs that
   * have a claim are taken over by the queue's sweep, never re-run here. @returns how many were enqueued
   */
  async enqueueUnclaimed(): Promise<number> {
    let added = 0;
    for (const job of await this.deps.jobs.unfinished(this.deps.orm.em.fork()))
      if (await this.enqueue(job.id)) added += 1;
    return added;
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
