import type { EntityManager } from '@mikro-orm/core';
import type { Viewer, WorkerPool } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../../lib/src/index';
import { JobState } from '../common/enums';
import type { Algorithm } from '../engine/training/training-spec';
import { ModelRegistry } from '../model/model-registry.service';
import { TrainingEpoch, TrainingJob } from './training-job.entity';
import type { TrainingJobEvent } from './training-job.event';
import { isTerminal, TRAINING_JOB_TOPIC } from './training-job.event';
import type { StartTrainingJobInput } from './training-job.input';
import type { TrainingRunnerDeps } from './training-job.runner';
import { runTrainingJob } from './training-job.runner';
import { compactHyperparameters, resolveOrReject, toTrainingSpec } from './training-spec.mapper';

/** Checks the parts of a training request that do not need the dataset. */
export function validateTrainingInput(input: StartTrainingJobInput, prefix = ''): void {
  ModelRegistry.checkName(input.modelName, `${prefix}modelName`);
  const fields: { field: string; message: string }[] = [];
  if (input.featureColumns.length === 0) fields.push({ field: `${prefix}featureColumns`, message: 'at least one feature column' });
  if (new Set(input.featureColumns).size !== input.featureColumns.length) fields.push({ field: `${prefix}featureColumns`, message: 'columns must be distinct' });
  if (input.featureColumns.includes(input.targetColumn)) fields.push({ field: `${prefix}targetColumn`, message: 'the target cannot also be a feature' });
  if (!(input.validationFraction > 0 && input.validationFraction < 1)) fields.push({ field: `${prefix}validationFraction`, message: 'must be in (0, 1)' });
  if (input.resources && (!(input.resources.cpu > 0) || input.resources.gpu < 0)) fields.push({ field: `${prefix}resources`, message: 'cpu must be positive and gpu ≥ 0' });
  if (fields.length > 0) throw new BadUserInputError('Invalid training job', fields);
  resolveOrReject(toTrainingSpec(input.algorithm as Algorithm, compactHyperparameters(input.hyperparameters)), `${prefix}hyperparameters`);
}

/** Training jobs: persistence, the worker pool, cancellation and resume on boot. */
export class TrainingJobService {
  private readonly completions = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: TrainingRunnerDeps,
    private readonly pool: WorkerPool,
  ) {}

  /** Persists a QUEUED job and hands it to the pool. */
  async start(em: EntityManager, viewer: Pick<Viewer, 'id' | 'organizationId'>, input: StartTrainingJobInput, pipelineRunId: string | null = null): Promise<TrainingJob> {
    validateTrainingInput(input);
    const hyperparameters = compactHyperparameters(input.hyperparameters);
    const spec = resolveOrReject(toTrainingSpec(input.algorithm as Algorithm, hyperparameters));
    const job = em.create(TrainingJob, {
      organizationId: viewer.organizationId,
      createdById: viewer.id,
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
    this.enqueue(job.id);
    return job;
  }

  /** Submits a job to the pool. @returns a promise settled when its run ends (in this process) */
  enqueue(jobId: string): Promise<void> {
    const existing = this.completions.get(jobId);
    if (existing) return existing;
    const done = new Promise<void>((resolve) => {
      const accepted = this.pool.submit(`training:${jobId}`, async (signal) => {
        try {
          await runTrainingJob(this.deps, jobId, signal);
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
  async cancel(em: EntityManager, viewer: Viewer, id: string): Promise<TrainingJob> {
    const job = await this.get(em, viewer.organizationId, id);
    if (isTerminal(job.state)) throw new ConflictError(`The job is already ${job.state}`);
    job.cancelRequested = true;
    if (job.state === JobState.QUEUED && this.pool.cancel(`training:${job.id}`)) {
      job.state = JobState.CANCELLED;
      job.finishedAt = new Date();
      this.completions.delete(job.id);
    }
    await em.flush();
    if (job.state === JobState.CANCELLED) this.deps.pubSub.publish(TRAINING_JOB_TOPIC, job.id, { jobId: job.id, state: job.state, epochs: job.epochs, epoch: null, metrics: job.metrics });
    else this.pool.cancel(`training:${job.id}`);
    return job;
  }

  async get(em: EntityManager, organizationId: string, id: string): Promise<TrainingJob> {
    const job = await em.findOne(TrainingJob, { id, organizationId });
    if (!job) throw new NotFoundError('TrainingJob', id);
    return job;
  }

  /** Re-submits jobs left QUEUED or RUNNING by a previous process (pipeline jobs resume with their pipeline). */
  async resumeOnBoot(): Promise<number> {
    const em = this.deps.orm.em.fork();
    const jobs = await em.find(TrainingJob, { state: { $in: [JobState.QUEUED, JobState.RUNNING] }, pipelineRunId: null }, { orderBy: { createdAt: 'asc' } });
    for (const job of jobs) void this.enqueue(job.id);
    return jobs.length;
  }

  /**
   * Events of one job: first the persisted epochs (so a late subscriber misses nothing), then live
   * events, ending after the final state.
   */
  async *events(organizationId: string, jobId: string): AsyncGenerator<TrainingJobEvent> {
    const live = this.deps.pubSub.subscribe(TRAINING_JOB_TOPIC, jobId)[Symbol.asyncIterator]();
    try {
      const em = this.deps.orm.em.fork();
      const job = await this.get(em, organizationId, jobId);
      let lastEpoch = 0;
      for (const e of await em.find(TrainingEpoch, { jobId }, { orderBy: { epoch: 'asc' } })) {
        lastEpoch = e.epoch;
        yield { jobId, state: JobState.RUNNING, epoch: e.epoch, epochs: job.epochs, trainLoss: e.trainLoss, validationLoss: e.validationLoss, metrics: e.metrics, modelVersionId: null, error: null };
      }
      if (isTerminal(job.state)) {
        yield { jobId, state: job.state, epoch: null, epochs: job.epochs, trainLoss: job.trainLoss ?? null, validationLoss: job.validationLoss ?? null, metrics: job.metrics, modelVersionId: job.modelVersionId ?? null, error: job.error ?? null };
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
}
