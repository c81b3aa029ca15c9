import 'reflect-metadata';
import path from 'node:path';
import {
  ConfigError,
  createArtifactStore,
  createLogger,
  createOrm,
  createPubSub,
  createWorkerPool,
  describeError,
} from '../../../lib/src/index';
import { systemClock } from '../../../lib/src/kit/clock';
import { loadConfig } from './config';
import { MODELS_ENTITIES } from './models.entities';
import { createModelsServices } from './models.services';
import { createCatalogClients, createModelUploads } from './server';
import { trainAndExport } from './training/train-and-export';
import { trainInWorker } from './training/worker-training';
import { MIGRATIONS } from './migrations/index';

/**
 * The training worker of a Kubernetes Job (k8s/base/training/job-template.yaml): runs the one
 * TrainingJob named by AIC_TRAINING_JOB_ID on this pod's hardware, against the models database and
 * artifact store, publishing progress like the service does, and exits 0 when it succeeded.
 * SIGTERM (node drain) leaves the job RUNNING so the service or a new pod picks it up again.
 * This process builds the services once, like the service's createServer, and serves no requests.
 */
async function main(): Promise<number> {
  const config = loadConfig(process.env);
  if (!config.trainingJobId) throw new ConfigError('AIC_TRAINING_JOB_ID is required but not set');
  const logger = createLogger('models-training', config.logLevel);
  const orm = await createOrm({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    serviceName: 'models',
    entities: MODELS_ENTITIES,
    migrations: MIGRATIONS,
    logger,
  });
  const pubSub = createPubSub({ redisUrl: config.redisUrl, prefix: 'models' });
  const store = createArtifactStore(config, config.serviceName, path.join(config.dataDir, 'models-artifacts'));
  const pool = createWorkerPool({ concurrency: config.trainingConcurrency, logger });
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  try {
    const services = createModelsServices({
      orm,
      store,
      uploads: createModelUploads(config, store),
      pubSub,
      pool,
      logger,
      ...createCatalogClients(config, logger),
      train: config.trainingWorkerThreads ? trainInWorker : trainAndExport,
      clock: systemClock,
      settings: config,
    });
    await services.training.runHere(config.trainingJobId, controller.signal);
    const state = await services.training.stateOf(orm.em.fork(), config.trainingJobId);
    logger.info({ job: config.trainingJobId, state }, 'training worker done');
    return state === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await pool.close();
    await pubSub.close();
    await orm.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`training worker failed: ${describeError(err)}\n`);
    process.exit(1);
  },
);
