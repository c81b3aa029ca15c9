import 'reflect-metadata';
import path from 'node:path';
import { ConfigError, createFileArtifactStore, createLogger, createOrm, createPubSub, describeError } from '../../../lib/src/index';
import { loadConfig } from './config';
import { MODELS_ENTITIES, createRunnerDeps } from './server';
import { TrainingJob } from './training/training-job.entity';
import { runTrainingJob } from './training/training-job.runner';

/**
 * The training worker of a Kubernetes Job (k8s/base/training/job-template.yaml): runs the one
 * TrainingJob named by AIC_TRAINING_JOB_ID on this pod's hardware, against the models database and
 * artifact store, publishing progress like the service does, and exits 0 when it succeeded.
 * SIGTERM (node drain) leaves the job RUNNING so the service or a new pod picks it up again.
 */
async function main(): Promise<number> {
  const config = loadConfig(process.env);
  if (!config.trainingJobId) throw new ConfigError('AIC_TRAINING_JOB_ID is required but not set');
  const logger = createLogger('models-training', config.logLevel);
  const orm = await createOrm({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, serviceName: 'models', entities: MODELS_ENTITIES, logger });
  const pubSub = createPubSub({ redisUrl: config.redisUrl, prefix: 'models' });
  const store = createFileArtifactStore(path.join(config.dataDir, 'models-artifacts'));
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  try {
    await runTrainingJob(createRunnerDeps(config, { orm, pubSub, store, logger }), config.trainingJobId, controller.signal);
    const job = await orm.em.fork().findOne(TrainingJob, { id: config.trainingJobId });
    logger.info({ job: config.trainingJobId, state: job?.state }, 'training worker done');
    return job?.state === 'SUCCEEDED' ? 0 : 1;
  } finally {
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
