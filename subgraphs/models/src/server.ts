import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import type {
  ArtifactStore,
  Logger,
  PubSub,
  ServiceServer,
  TokenVerifier,
  UploadManager,
  WorkerPool,
} from '../../../lib/src/index';
import {
  createContextFactory,
  createArtifactStore,
  createLogger,
  createOrm,
  createPubSub,
  createServiceServer,
  createServiceAuth,
  createServiceTokenSource,
  createUploadManager,
  createWorkerPool,
  pingDatabase,
} from '../../../lib/src/index';
import type { Clock } from '../../../lib/src/kit/clock';
import { systemClock } from '../../../lib/src/kit/clock';
import type { Config } from './config';
import type { ModelsContext } from './context';
import { CatalogClient } from './dataset/catalog.client';
import { MODELS_ENTITIES } from './models.entities';
import { mountInternalRoutes } from './internal/internal.routes';
import { LineageEmitter } from './lineage/lineage.emitter';
import { createModelsServices } from './models.services';
import { buildModelsSchema } from './schema';
import { trainAndExport } from './training/train-and-export';
import { trainInWorker } from './training/worker-training';
import { MIGRATIONS } from './migrations/index';

/** Everything the models service is built from; tests may pass their own. */
export interface Deps {
  orm: MikroORM;
  pubSub: PubSub;
  store: ArtifactStore;
  pool: WorkerPool;
  verify: TokenVerifier;
  /** @default the system clock */
  clock: Clock;
}

/**
 * The clients a models process talks to catalog with (dataset content, quality checks, lineage events),
 * for the service and the training worker pod (`training-job.main.ts`).
 */
export function createCatalogClients(
  config: Config,
  logger: Logger,
): { catalog: CatalogClient; lineage: LineageEmitter } {
  const tokens = config.serviceSecret
    ? createServiceTokenSource({ identityUrl: config.identityUrl, service: 'models', secret: config.serviceSecret })
    : undefined;
  const catalog = new CatalogClient(config.catalogUrl, tokens);
  const lineage = new LineageEmitter(
    config.catalogUrl,
    (organizationId) => catalog.lineageAuthorization(organizationId),
    logger,
  );
  return { catalog, lineage };
}

/** Where a models process keeps upload records (the service and the training worker share the data folder). */
export function createModelUploads(config: Config, store: ArtifactStore): UploadManager {
  return createUploadManager({
    service: 'models',
    publicUrl: config.publicUrl,
    store,
    recordDir: path.join(config.dataDir, 'models-uploads'),
    secret: config.uploadSecret,
    maxBytes: config.maxUploadBytes,
  });
}

/**
 * Builds the models service (never listens). Jobs, studies and pipelines left unfinished by a
 * previous process are resumed at once.
 */
export async function createServer(config: Config, overrides: Partial<Deps> = {}) {
  const logger = createLogger('models', config.logLevel);
  const orm =
    overrides.orm ??
    (await createOrm({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      serviceName: 'models',
      entities: MODELS_ENTITIES,
      migrations: MIGRATIONS,
      logger,
    }));
  const pubSub = overrides.pubSub ?? createPubSub({ redisUrl: config.redisUrl, prefix: 'models' });
  const store =
    overrides.store ?? createArtifactStore(config, config.serviceName, path.join(config.dataDir, 'models-artifacts'));
  const pool = overrides.pool ?? createWorkerPool({ concurrency: config.trainingConcurrency, logger });
  const auth = overrides.verify ? undefined : await createServiceAuth(config.auth, logger);
  const verify = overrides.verify ?? auth!.verify;
  const uploads = createModelUploads(config, store);
  const services = createModelsServices({
    orm,
    store,
    uploads,
    pubSub,
    pool,
    logger,
    ...createCatalogClients(config, logger),
    train: config.trainingWorkerThreads ? trainInWorker : trainAndExport,
    clock: overrides.clock ?? systemClock,
    settings: config,
  });
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
      mountInternalRoutes(app, { orm, store, verify, registry: services.registry });
    },
    onStop: async () => {
      await services.pipelines.close();
      await services.studies.close();
      await pool.close();
      await pubSub.close();
      await orm.close();
    },
  });
  const resumed = {
    trainingJobs: await services.training.resumeOnBoot(),
    studies: await services.studies.resumeOnBoot(),
    pipelineRuns: await services.pipelines.resumeOnBoot(),
  };
  if (resumed.trainingJobs + resumed.studies + resumed.pipelineRuns > 0)
    logger.info(resumed, 'resumed unfinished work');
  return { server, orm, schema, services, store, pool, resumed };
}
