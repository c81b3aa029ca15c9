import path from 'node:path';
import type { SubgraphDatabase } from '../../../lib/src/kit/database';
import { subgraphOrm } from '../../../lib/src/kit/database';
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
  createPubSub,
  createServiceServer,
  createServiceAuth,
  createServiceTokenSource,
  createUploadManager,
  createWorkerPool,
  pingDatabase,
} from '../../../lib/src/index';
import type { BootKit } from '../../../lib/src/kit/boot';
import type { Clock } from '../../../lib/src/kit/clock';
import { createServiceJobQueue } from '../../../lib/src/kit/jobs';
import { systemClock } from '../../../lib/src/kit/clock';
import type { Config } from './config';
import type { ModelsContext } from './context';
import { CatalogClient } from './dataset/catalog.client';
import { MODELS_ENTITIES } from './models.entities';
import { mountInternalRoutes } from './internal/internal.routes';
import { LineageEmitter } from './lineage/lineage.emitter';
import { registerModelsJobs } from './models.jobs';
import { createModelsServices } from './models.services';
import { buildModelsSchema } from './schema';
import { trainAndExport } from './training/train-and-export';
import { trainInWorker } from './training/worker-training';
import { connectTrainingCluster } from './training/kubernetes-training.executor';
import { MIGRATIONS } from './migrations/index';

/** Everything the models service is built from; tests may pass their own. */
/** The models database: its entities and migrations (opened by the boot sequence, see lib/src/kit/boot). */
export const MODELS_DATABASE: SubgraphDatabase = { entities: MODELS_ENTITIES, migrations: MIGRATIONS };

export interface Deps {
  orm: MikroORM;
  pubSub: PubSub;
  store: ArtifactStore;
  pool: WorkerPool;
  verify: TokenVerifier;
  /** @default the system clock */
  clock: Clock;
  /** What the boot sequence hands over (logger; `consume: false` registers no job handlers). */
  kit: Partial<BootKit>;
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
 * Builds the models service (never listens). Training jobs, studies and pipeline runs are jobs on the
 * service's job queue (lib/src/jobs): enqueued on create, run by whichever replica claims them (only
 * when `kit.consume`), taken over from a dead replica by the queue's sweep and handed back — never
 * cancelled — when this process stops. `resume` enqueues rows from before the queue (no claim yet).
 */
export async function createServer(config: Config, overrides: Partial<Deps> = {}) {
  const kit = overrides.kit;
  const logger = kit?.logger ?? createLogger('models', config.logLevel);
  const consume = kit?.consume ?? config.jobsConsume ?? true;
  const orm = await subgraphOrm(config, MODELS_DATABASE, overrides, logger);
  const pubSub = overrides.pubSub ?? createPubSub({ redisUrl: config.redisUrl, prefix: 'models' });
  const store =
    overrides.store ?? createArtifactStore(config, config.serviceName, path.join(config.dataDir, 'models-artifacts'));
  const pool = overrides.pool ?? createWorkerPool({ concurrency: config.trainingConcurrency, logger });
  const auth = overrides.verify ? undefined : await createServiceAuth(config.auth, logger);
  const verify = overrides.verify ?? auth!.verify;
  const uploads = createModelUploads(config, store);
  const jobs = createServiceJobQueue(config, { orm, pubSub, logger });
  const services = createModelsServices({
    orm,
    store,
    uploads,
    pubSub,
    pool,
    queue: jobs,
    logger,
    ...createCatalogClients(config, logger),
    train: config.trainingWorkerThreads ? trainInWorker : trainAndExport,
    clock: overrides.clock ?? systemClock,
    settings: config,
    kubernetesTraining:
      config.trainingExecutor === 'kubernetes'
        ? { connect: () => connectTrainingCluster(config.trainingKubernetes), settings: config.trainingKubernetes }
        : undefined,
  });
  if (consume) registerModelsJobs(jobs, services, config);
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
      // Boot closes the queue first on SIGTERM; a server stopped directly hands its jobs back here.
      await jobs.close();
      await pool.close();
      await pubSub.close();
      await orm.close();
    },
  });
  /** Enqueues unfinished rows that have no claim (from before the job queue); claimed ones are the sweep's. */
  const resume = async () => {
    const enqueued = {
      trainingJobs: await services.training.enqueueUnclaimed(),
      studies: await services.studies.enqueueUnclaimed(),
      pipelineRuns: await services.pipelines.enqueueUnclaimed(),
    };
    return enqueued.trainingJobs + enqueued.studies + enqueued.pipelineRuns > 0 ? enqueued : undefined;
  };
  return { server, orm, schema, services, store, pool, jobs, resume };
}
