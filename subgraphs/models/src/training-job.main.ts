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
import { createServiceJobQueue } from '../../../lib/src/kit/jobs';
import { JobState } from './common/enums';
import { loadConfig } from './config';
import { MODELS_ENTITIES } from './models.entities';
import { createModelsServices } from './models.services';
import { createCatalogClients, createModelUploads } from './server';
import { trainAndExport } from './training/train-and-export';
import type { TrainingJobPayload } from './training/training-job.runner';
import { TRAINING_JOB_KIND } from './training/training-job.runner';
import { trainInWorker } from './training/worker-training';
import { trainingPodClaim } from './training/kubernetes-training.executor';
import { MIGRATIONS } from './migrations/index';

/**
 * The training worker of a Kubernetes Job (k8s/base/training/job-template.yaml): runs the one
 * TrainingJob named by AIC_TRAINING_JOB_ID on this pod's hardware, against the models database and
 * artifact store, publishing progress like the service does, and exits 0 when it succeeded.
 * It takes the job through the service's job queue like any replica (one claim, so never twice at
 * once, resuming from the last epoch checkpoint); it consumes training jobs only, one at a time, until
 * its job is final. SIGTERM (node drain) hands the job back (RUNNING, never cancelled) so the service
 * or a new pod resumes it. This process builds the services once, like createServer, and serves no requests.
 * Submitted by the Kubernetes executor, the pod takes its job's own claim (`trainingPodClaim`: never
 * another job's) and polls the claim table (no BullMQ queue per job; pub/sub still carries progress and
 * cancels). Exit code: 0 SUCCEEDED, 2 FAILED or CANCELLED (final: the template's podFailurePolicy fails
 * the Job without retrying), 1 anything else (the Job retries the pod, which resumes).
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
  const podClaim = trainingPodClaim(config.trainingJobId);
  const queue = createServiceJobQueue({ ...config, redisUrl: undefined }, { orm, pubSub, logger });
  const submitted = (await queue.store.get(podClaim.id)) !== undefined;
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  try {
    const services = createModelsServices({
      orm,
      store,
      uploads: createModelUploads(config, store),
      pubSub,
      pool,
      queue,
      logger,
      ...createCatalogClients(config, logger),
      train: config.trainingWorkerThreads ? trainInWorker : trainAndExport,
      clock: systemClock,
      settings: config,
    });
    queue.register<TrainingJobPayload>(
      submitted ? podClaim.kind : TRAINING_JOB_KIND,
      (ctx) => services.training.train(ctx),
      { concurrency: 1 },
    );
    await services.training.waitFor(config.trainingJobId, controller.signal).catch((err: unknown) => {
      if (!controller.signal.aborted) throw err;
    });
    await queue.close();
    const state = await services.training.stateOf(orm.em.fork(), config.trainingJobId);
    logger.info({ job: config.trainingJobId, state }, 'training worker done');
    return state === JobState.SUCCEEDED ? 0 : state === JobState.FAILED || state === JobState.CANCELLED ? 2 : 1;
  } finally {
    await queue.close();
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
