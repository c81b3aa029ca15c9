import type { BaseServiceConfig, Env } from '../../../lib/src/index';
import { getEnvBool, getEnvNum, getEnvStr, loadBaseConfig } from '../../../lib/src/index';
import { SERVICES, localUrl, urlEnvOf } from '../../../lib/contracts/services';

/** Settings of the models service. */
export interface Config extends BaseServiceConfig {
  /** Catalog base URL: dataset content and lineage events. */
  catalogUrl: string;
  /** Training jobs and study trials running at once in this process. */
  trainingConcurrency: number;
  /** Largest ONNX upload accepted, in bytes. */
  maxUploadBytes: number;
  /** Train in worker threads (off the event loop) rather than in process. */
  trainingWorkerThreads: boolean;
  /** HMAC key for upload/download tickets; shared by replicas (unset: random per process). */
  uploadSecret?: string;
  /** Set only in a training worker pod (k8s/base/training): the one TrainingJob it runs. */
  trainingJobId?: string;
}

/**
 * Reads the models service's settings (`AIC_CATALOG_URL`, `AIC_TRAINING_CONCURRENCY`,
 * `AIC_MODELS_MAX_UPLOAD_BYTES`, `AIC_TRAINING_WORKER_THREADS`, `AIC_UPLOAD_SECRET` plus the shared ones).
 * @returns the typed config; throws ConfigError for malformed values
 */
export function loadConfig(env: Env = process.env): Config {
  return {
    ...loadBaseConfig(env, 'models', SERVICES.models.port),
    catalogUrl: getEnvStr(env, urlEnvOf('catalog'), localUrl('catalog')),
    trainingConcurrency: Math.max(1, Math.floor(getEnvNum(env, 'AIC_TRAINING_CONCURRENCY', 2))),
    maxUploadBytes: getEnvNum(env, 'AIC_MODELS_MAX_UPLOAD_BYTES', 1024 * 1024 * 1024),
    trainingWorkerThreads: getEnvBool(env, 'AIC_TRAINING_WORKER_THREADS', true),
    uploadSecret: getEnvStr(env, 'AIC_UPLOAD_SECRET'),
    trainingJobId: getEnvStr(env, 'AIC_TRAINING_JOB_ID'),
  };
}
