import type { MikroORM } from '@mikro-orm/core';
import type { ArtifactStore, Logger, PubSub, UploadManager, WorkerPool } from '../../../lib/src/index';
import type { JobQueue } from '../../../lib/src/jobs';
import type { Clock } from '../../../lib/src/kit/clock';
import { ModelAliasRepository } from './alias/model-alias.repository';
import { ModelAliasService } from './alias/model-alias.service';
import type { Config } from './config';
import type { CatalogClient } from './dataset/catalog.client';
import type { LineageEmitter } from './lineage/lineage.emitter';
import { ModelRepository } from './model/model.repository';
import { ModelRegistry } from './model/model-registry.service';
import { ModelUploadService } from './model-version/model-upload.service';
import { PipelineRunRepository } from './pipeline/pipeline-run.repository';
import { PipelineService } from './pipeline/pipeline.service';
import { StudyRepository } from './study/study.repository';
import { StudyRunner } from './study/study.runner';
import { StudyService } from './study/study.service';
import { TrainingJobRepository } from './training/training-job.repository';
import { TrainingJobRunner } from './training/training-job.runner';
import { TrainingJobService } from './training/training-job.service';
import type { TrainFunction } from './training/worker-training';
import type { TrainingClusterApi } from './training/kubernetes-training.executor';
import { KubernetesTrainingExecutor } from './training/kubernetes-training.executor';

/** The models subgraph's services, built once per process and shared by every request (`ctx.services`). */
export interface ModelsServices {
  registry: ModelRegistry;
  modelUploads: ModelUploadService;
  aliases: ModelAliasService;
  training: TrainingJobService;
  studies: StudyService;
  pipelines: PipelineService;
}

/** The process-wide dependencies the services are built from (server.ts, or the training worker, makes them). */
export interface ModelsServiceDeps {
  orm: MikroORM;
  store: ArtifactStore;
  uploads: UploadManager;
  pubSub: PubSub;
  /** Study trials run here (worker threads), on the replica that claimed the study. */
  pool: WorkerPool;
  /** The service's job queue (lib/src/jobs): training jobs, studies and pipeline runs are its jobs. */
  queue: JobQueue;
  logger: Logger;
  catalog: CatalogClient;
  lineage: LineageEmitter;
  /** trainInWorker (worker threads) or trainAndExport (in process). */
  train: TrainFunction;
  /** Where services read the time (tests may fix it). */
  clock: Clock;
  settings: Pick<Config, 'trainingConcurrency'>;
  /** `AIC_TRAINING_EXECUTOR=kubernetes` in the service (never in the training pod): where training Jobs go. */
  kubernetesTraining?: { connect: () => Promise<TrainingClusterApi>; settings: Config['trainingKubernetes'] };
}

/** The composition root: every repository and service of the models subgraph, each built once, wired by constructor. */
export function createModelsServices(deps: ModelsServiceDeps): ModelsServices {
  const { orm, store, pubSub, pool, logger, catalog, lineage, train, clock } = deps;
  const modelRepository = new ModelRepository();
  const aliasRepository = new ModelAliasRepository();
  const jobRepository = new TrainingJobRepository();
  const studyRepository = new StudyRepository();
  const registry = new ModelRegistry(modelRepository, aliasRepository, store);
  const aliases = new ModelAliasService(aliasRepository, modelRepository, clock);
  const training = new TrainingJobService({
    orm,
    jobs: jobRepository,
    executor: deps.kubernetesTraining
      ? new KubernetesTrainingExecutor({
          orm,
          jobs: jobRepository,
          queue: deps.queue,
          pubSub,
          logger,
          clock,
          ...deps.kubernetesTraining,
        })
      : undefined,
    runner: new TrainingJobRunner({
      orm,
      jobs: jobRepository,
      registry,
      catalog,
      lineage,
      pubSub,
      logger,
      train,
      clock,
    }),
    catalog,
    queue: deps.queue,
    pubSub,
    clock,
  });
  const studies = new StudyService({
    orm,
    studies: studyRepository,
    models: modelRepository,
    runner: new StudyRunner({
      orm,
      studies: studyRepository,
      pool,
      poolConcurrency: deps.settings.trainingConcurrency,
      registry,
      catalog,
      lineage,
      pubSub,
      logger,
      train,
      clock,
    }),
    catalog,
    queue: deps.queue,
    pubSub,
    logger,
    clock,
  });
  return {
    registry,
    modelUploads: new ModelUploadService(registry, deps.uploads),
    aliases,
    training,
    studies,
    pipelines: new PipelineService({
      orm,
      runs: new PipelineRunRepository(),
      models: modelRepository,
      studyRepository,
      catalog,
      training,
      studies,
      aliases,
      queue: deps.queue,
      store,
      logger,
      clock,
    }),
  };
}
