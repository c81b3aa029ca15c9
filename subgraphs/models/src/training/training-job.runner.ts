import type { MikroORM } from '@mikro-orm/core';
import { lineageNames } from '../../../../lib/contracts/index';
import type { Logger, PubSub } from '../../../../lib/src/index';
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
 * Runs persisted training jobs to a final state, one call per job. Each attempt starts from scratch (training is
 * seeded, so a restarted job reproduces the same model). When the signal aborts because the
 * process is stopping (no cancel requested), the job stays RUNNING for the next boot to resume.
 */
export class TrainingJobRunner {
  constructor(private readonly deps: TrainingRunnerDeps) {}

  /** Runs the job to a final state, or until `signal` aborts (see the class). */
  async run(jobId: string, signal: AbortSignal): Promise<void> {
    const deps = this.deps;
    const em = deps.orm.em.fork();
    const job = await deps.jobs.findById(em, jobId);
    if (!job || job.state === JobState.SUCCEEDED || job.state === JobState.FAILED || job.state === JobState.CANCELLED)
      return;
    const publish = (event: TrainingJobEvent) => deps.pubSub.publish(TRAINING_JOB_TOPIC, job.id, event);
    const lineageRun = {
      organizationId: job.organizationId,
      runId: job.id,
      jobName: lineageNames.trainingJob(job.modelName),
      datasetId: job.datasetId,
    };
    if (job.cancelRequested) {
      await finish(JobState.CANCELLED, null);
      return;
    }
    await deps.jobs.deleteEpochs(em, job.id);
    job.state = JobState.RUNNING;
    job.attempts += 1;
    job.startedAt = deps.clock();
    job.epoch = 0;
    job.error = null;
    await em.flush();
    publish(eventOf(job));
    const lineage = await deps.lineage.start(lineageRun);

    async function finish(state: JobState, error: string | null): Promise<void> {
      job!.state = state;
      job!.error = error;
      job!.finishedAt = deps.clock();
      await em.flush();
      publish(eventOf(job!));
    }

    try {
      const spec = resolveTrainingSpec(toTrainingSpec(job.algorithm as Algorithm, job.hyperparameters));
      const content = await deps.catalog.readDataset(job.organizationId, job.datasetId, signal);
      job.datasetSha256 = content.sha256;
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
          onEpoch: async (p) => {
            const cancelRequested = await deps.jobs.cancelRequested(em.fork(), job.id);
            em.create(TrainingEpoch, {
              jobId: job.id,
              epoch: p.epoch,
              trainLoss: p.trainLoss,
              validationLoss: p.validationLoss,
              metrics: p.metrics,
            });
            job.epoch = p.epoch;
            job.trainLoss = p.trainLoss;
            job.validationLoss = p.validationLoss;
            job.metrics = p.metrics;
            await em.flush();
            publish(eventOf(job, { epoch: p.epoch }));
            if (cancelRequested) throw new TrainingCancelledError(p.epoch);
          },
        },
        `${spec.algorithm} trained by training job ${job.id} on dataset ${job.datasetId}`,
      );
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
      job.modelVersionId = version.id;
      await lineage.complete({ id: version.id, modelName: version.modelName, version: version.version });
      await finish(JobState.SUCCEEDED, null);
    } catch (error) {
      const cancelled = await deps.jobs.cancelRequested(em.fork(), job.id);
      if (cancelled) {
        await lineage.abort();
        await finish(JobState.CANCELLED, null);
        return;
      }
      if (signal.aborted || error instanceof TrainingCancelledError) {
        deps.logger.info(
          { jobId: job.id, epoch: job.epoch },
          'training interrupted by shutdown; it resumes on the next boot',
        );
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      deps.logger.warn({ err: error, jobId: job.id }, 'training job failed');
      await lineage.fail(message);
      await finish(JobState.FAILED, message);
    }
  }
}
