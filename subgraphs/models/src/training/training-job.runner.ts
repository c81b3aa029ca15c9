import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { lineageNames } from '../../../../lib/contracts/index';
import type { Logger, PubSub } from '../../../../lib/src/index';
import type { JobContext } from '../../../../lib/src/jobs';
import { JobAbort } from '../../../../lib/src/jobs';
import type { Clock } from '../../../../lib/src/kit/clock';
import { ModelVersionSource, JobState } from '../common/enums';
import type { CatalogClient } from '../dataset/catalog.client';
import { TrainingCancelledError } from '../engine/training/training-hooks';
import type { Algorithm } from '../engine/training/training-spec';
import type { LineageEmitter } from '../lineage/lineage.emitter';
import type { ModelRegistry } from '../model/model-registry.service';
import { prepareTrainingData } from './training-data';
import { TrainingEpoch } from './training-job.entity';
import type { TrainingJob } from './training-job.entity';
import type { TrainingJobRepository } from './training-job.repository';
import type { TrainingJobEvent } from './training-job.event';
import { TRAINING_JOB_TOPIC } from './training-job.event';
import { versionParameters } from './train-and-export';
import type { TrainFunction } from './worker-training';
import { resolveTrainingSpec } from '../engine/training/training-spec';
import { toTrainingSpec } from './training-spec.mapper';
import type { StoredTrainingCheckpoint } from './training-checkpoint';
import { loadCheckpoint, storeCheckpoint } from './training-checkpoint';

/** The job kind of training jobs on the service's job queue (lib/src/jobs). */
export const TRAINING_JOB_KIND = 'training';

/** The payload of a training job on the queue. */
export interface TrainingJobPayload {
  jobId: string;
}

/** What the runner needs; built once by the composition root. */
export interface TrainingRunnerDeps {
  orm: MikroORM;
  jobs: TrainingJobRepository;
  registry: ModelRegistry;
  catalog: CatalogClient;
  lineage: LineageEmitter;
  pubSub: PubSub;
  logger: Logger;
  /** trainInWorker (default) or trainAndExport (in process). */
  train: TrainFunction;
  clock: Clock;
}

function eventOf(job: TrainingJob, extra: Partial<TrainingJobEvent> = {}): TrainingJobEvent {
  return {
    jobId: job.id,
    state: job.state,
    epoch: null,
    epochs: job.epochs,
    trainLoss: job.trainLoss ?? null,
    validationLoss: job.validationLoss ?? null,
    metrics: job.metrics,
    modelVersionId: job.modelVersionId ?? null,
    error: job.error ?? null,
    ...extra,
  };
}

/**
 * Runs one attempt of a persisted training job on the job queue (one claim). It resumes from the
 * claim's checkpoint — the last finished epoch with the network's parameters and the optimizer's
 * state — so a job taken over after its worker died, or handed back on shutdown, continues where it
 * stopped and ends with the same model as an uninterrupted run. Every write of the job row goes
 * through `ctx.fenced`, so an attempt that lost its claim can never change a job another one runs
 * or finished; the model version is registered in the same fenced transaction that marks the job
 * SUCCEEDED, so a job finishes once with one version. On cancel the job ends CANCELLED; on shutdown
 * it stays RUNNING and the handler throws, so the queue hands it back.
 */
export class TrainingJobRunner {
  constructor(private readonly deps: TrainingRunnerDeps) {}

  /** The job-queue handler (see the class). */
  async run(ctx: JobContext<TrainingJobPayload>): Promise<void> {
    const deps = this.deps;
    const jobId = ctx.payload?.jobId ?? ctx.jobId;
    const signal = ctx.signal;
    const job = await deps.jobs.findById(deps.orm.em.fork(), jobId);
    if (!job || job.state === JobState.SUCCEEDED || job.state === JobState.FAILED || job.state === JobState.CANCELLED)
      return;
    const publish = (event: TrainingJobEvent) => deps.pubSub.publish(TRAINING_JOB_TOPIC, job.id, event);
    /** Applies `patch` to the job row in a fenced transaction (and to the copy here, for events). */
    const write = (patch: Partial<TrainingJob>, more?: (em: EntityManager) => Promise<void>) =>
      ctx.fenced(async (em) => {
        await more?.(em);
        const row = await deps.jobs.getById(em, job.id);
        Object.assign(row, patch);
        Object.assign(job, patch);
      });
    const finish = async (state: JobState, error: string | null, more?: (em: EntityManager) => Promise<void>) => {
      await write({ state, error, finishedAt: deps.clock() }, more);
      publish(eventOf(job));
    };
    if (job.cancelRequested) return finish(JobState.CANCELLED, null);
    const lineage = await deps.lineage.start({
      organizationId: job.organizationId,
      runId: job.id,
      jobName: lineageNames.trainingJob(job.modelName),
      datasetId: job.datasetId,
    });
    try {
      const spec = resolveTrainingSpec(toTrainingSpec(job.algorithm as Algorithm, job.hyperparameters));
      // Only the columns the model uses, read with the permissions of the user who started the job.
      const content = await deps.catalog.readDataset(job.organizationId, job.datasetId, signal, {
        columns: [...job.featureColumns, job.targetColumn],
        onBehalfOf: job.createdById,
      });
      // A checkpoint continues the same data only: when the dataset changed, the job starts over.
      const stored = ctx.checkpoint.load<StoredTrainingCheckpoint & { datasetSha256?: string }>();
      const resumeFrom =
        spec.algorithm !== 'LINEAR_REGRESSION' && stored?.datasetSha256 === content.sha256
          ? loadCheckpoint(stored)
          : undefined;
      const from = resumeFrom?.epoch ?? 0;
      // Epochs after the checkpoint were written by an attempt that stopped before saving it: done again.
      await write(
        { state: JobState.RUNNING, attempts: job.attempts + 1, startedAt: deps.clock(), epoch: from, error: null },
        (em) => deps.jobs.deleteEpochsAfter(em, job.id, from),
      );
      if (resumeFrom)
        deps.logger.info({ jobId: job.id, epoch: from, attempt: ctx.attempt }, 'training resumes from its checkpoint');
      publish(eventOf(job));
      const prepared = prepareTrainingData(
        content.records,
        job.featureColumns,
        job.targetColumn,
        spec.algorithm,
        job.validationFraction,
        spec.seed,
      );
      const exported = await deps.train(
        prepared,
        spec,
        {
          signal,
          checkpoints: spec.algorithm !== 'LINEAR_REGRESSION',
          resumeFrom,
          onEpoch: async ({ checkpoint, ...p }) => {
            await write(
              {
                epoch: p.epoch,
                trainLoss: p.trainLoss,
                validationLoss: p.validationLoss,
                metrics: p.metrics,
                datasetSha256: content.sha256,
              },
              async (em) => {
                em.create(TrainingEpoch, {
                  jobId: job.id,
                  epoch: p.epoch,
                  trainLoss: p.trainLoss,
                  validationLoss: p.validationLoss,
                  metrics: p.metrics,
                });
              },
            );
            if (checkpoint)
              await ctx.checkpoint.save({ ...storeCheckpoint(checkpoint), datasetSha256: content.sha256 });
            publish(eventOf(job, { epoch: p.epoch }));
          },
        },
        `${spec.algorithm} trained by training job ${job.id} on dataset ${job.datasetId}`,
      );
      signal.throwIfAborted();
      let registered: { id: string; modelName: string; version: number } | undefined;
      await finish(JobState.SUCCEEDED, null, async (em) => {
        const model = await deps.registry.ensureModel(em, job.organizationId, job.createdById, job.modelName);
        const version = await deps.registry.registerBytes(em, model, job.createdById, exported.onnx, {
          source: ModelVersionSource.TRAINING_JOB,
          trainingJobId: job.id,
          datasetId: job.datasetId,
          datasetVersion: content.sha256,
          metrics: exported.result.metrics,
          parameters: versionParameters(
            spec,
            prepared,
            job.featureColumns,
            job.targetColumn,
            job.validationFraction,
            spec.seed,
          ),
          description: job.description ?? null,
          tags: job.versionTags ?? [],
        });
        registered = { id: version.id, modelName: version.modelName, version: version.version };
        const row = await deps.jobs.getById(em, job.id);
        row.modelVersionId = version.id;
        job.modelVersionId = version.id;
      });
      await lineage.complete(registered!);
    } catch (error) {
      const why = signal.aborted ? (signal.reason as JobAbort | undefined)?.why : undefined;
      if (why === 'cancel' || (why === undefined && error instanceof TrainingCancelledError)) {
        await lineage.abort();
        await finish(JobState.CANCELLED, null);
        throw error instanceof JobAbort ? error : new JobAbort('cancel');
      }
      if (why === 'shutdown') {
        deps.logger.info(
          { jobId: job.id, epoch: job.epoch },
          'training handed back on shutdown; it resumes from its checkpoint',
        );
        throw error;
      }
      if (why === 'lost' || (error instanceof Error && error.name === 'LostClaimError')) throw error;
      const message = error instanceof Error ? error.message : String(error);
      deps.logger.warn({ err: error, jobId: job.id }, 'training job failed');
      await lineage.fail(message);
      await finish(JobState.FAILED, message);
      throw error;
    }
  }
}
