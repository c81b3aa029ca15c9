import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import type { ArtifactStore, Logger, PubSub, ServiceServer, TokenVerifier, WorkerPool } from '../../../lib/src/index';
import {
  createContextFactory, createFileArtifactStore, createLogger, createOrm, createPubSub, createServiceServer, createServiceAuth, createServiceTokenSource, createUploadManager, createWorkerPool, pingDatabase,
} from '../../../lib/src/index';
import { ModelAlias, ModelAliasEvent } from './alias/model-alias.entity';
import { ModelAliasService } from './alias/model-alias.service';
import type { Config } from './config';
import type { ModelsContext, ModelsServices } from './context';
import { CatalogClient } from './dataset/catalog.client';
import { mountInternalRoutes } from './internal/internal.routes';
import { LineageEmitter } from './lineage/lineage.emitter';
import { Model } from './model/model.entity';
import { ModelRegistry } from './model/model-registry.service';
import { ModelVersion } from './model-version/model-version.entity';
import { PipelineRun } from './pipeline/pipeline-run.entity';
import { PipelineService } from './pipeline/pipeline.service';
import { buildModelsSchema } from './schema';
import { Study, StudyTrial } from './study/study.entity';
import { StudyService } from './study/study.service';
import { TrainingEpoch, TrainingJob } from './training/training-job.entity';
import { TrainingJobService } from './training/training-job.service';
import { trainAndExport } from './training/train-and-export';
import { trainInWorker } from './training/worker-training';

/** Everything the models service is built from; tests may pass their own. */
export interface Deps {
  orm: MikroORM;
  pubSub: PubSub;
  store: ArtifactStore;
  pool: WorkerPool;
  verify: TokenVerifier;
}

export const MODELS_ENTITIES = [Model, ModelVersion, ModelAlias, ModelAliasEvent, TrainingJob, TrainingEpoch, Study, StudyTrial, PipelineRun];

/**
 * What runs a training job, in the service's pool or alone in a training worker pod
 * (`training-job.main.ts`): registry, catalog client, lineage, progress events, the trainer.
 */
export function createRunnerDeps(config: Config, deps: { orm: MikroORM; pubSub: PubSub; store: ArtifactStore; logger: Logger }) {
  const tokens = config.serviceSecret ? createServiceTokenSource({ identityUrl: config.identityUrl, service: 'models', secret: config.serviceSecret }) : undefined;
  const catalog = new CatalogClient(config.catalogUrl, tokens);
  const lineage = new LineageEmitter(config.catalogUrl, (organizationId) => catalog.lineageAuthorization(organizationId), deps.logger);
  const registry = new ModelRegistry(deps.store);
  return { ...deps, registry, catalog, lineage, train: config.trainingWorkerThreads ? trainInWorker : trainAndExport };
}

/**
 * Builds the models service (never listens). Jobs, studies and pipelines left unfinished by a
 * previous process are resumed at once.
 */
export async function createServer(config: Config, overrides: Partial<Deps> = {}) {
  const logger = createLogger('models', config.logLevel);
  const orm = overrides.orm ?? (await createOrm({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, serviceName: 'models', entities: MODELS_ENTITIES, logger }));
  const pubSub = overrides.pubSub ?? createPubSub({ redisUrl: config.redisUrl, prefix: 'models' });
  const store = overrides.store ?? createFileArtifactStore(path.join(config.dataDir, 'models-artifacts'));
  const pool = overrides.pool ?? createWorkerPool({ concurrency: config.trainingConcurrency, logger });
  const auth = overrides.verify ? undefined : await createServiceAuth(config.auth, logger);
  const verify = overrides.verify ?? auth!.verify;
  const runnerDeps = createRunnerDeps(config, { orm, pubSub, store, logger });
  const { registry, catalog } = runnerDeps;
  const aliases = new ModelAliasService();
  const training = new TrainingJobService(runnerDeps, pool);
  const studies = new StudyService({ ...runnerDeps, pool, poolConcurrency: config.trainingConcurrency });
  const pipelines = new PipelineService({ orm, catalog, training, studies, aliases, store, logger });
  const uploads = createUploadManager({ service: 'models', publicUrl: config.publicUrl, store, recordDir: path.join(config.dataDir, 'models-uploads'), secret: config.uploadSecret, maxBytes: config.maxUploadBytes });
  const services: ModelsServices = { registry, aliases, training, studies, pipelines, uploads, store, pubSub };
  const schema = await buildModelsSchema(pubSub);
  const baseContext = createContextFactory({ orm, verify, logger });
  const server: ServiceServer = await createServiceServer<ModelsContext>({
    name: 'models',
    schema,
    logger,
    production: config.production,
    serviceSecret: config.serviceSecret,
    bodyLimitBytes: config.bodyLimitBytes,
    webSocket: config.webSocket,
    metricsMaxLabelValues: config.metricsMaxLabelValues,
    context: async (input) => Object.assign(await baseContext(input), { services }),
    readinessChecks: [() => pingDatabase(orm)],
    revocations: auth?.revocations,
    routes: (app) => {
      uploads.mount(app);
      mountInternalRoutes(app, { orm, store, verify });
    },
    onStop: async () => {
      await pipelines.close();
      await studies.close();
      await pool.close();
      await pubSub.close();
      await orm.close();
    },
  });
  const resumed = { trainingJobs: await training.resumeOnBoot(), studies: await studies.resumeOnBoot(), pipelineRuns: await pipelines.resumeOnBoot() };
  if (resumed.trainingJobs + resumed.studies + resumed.pipelineRuns > 0) logger.info(resumed, 'resumed unfinished work');
  return { server, orm, schema, services, pool, resumed };
}
