import type { BaseServiceConfig, Env } from '../../../lib/src/index';
import { ConfigError, getEnvBool, getEnvNum, getEnvStr, loadBaseConfig } from '../../../lib/src/index';
import type { KubernetesAccess } from '../../../lib/src/kubernetes-config';
import { loadKubernetesAccess } from '../../../lib/src/kubernetes-config';
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
  /**
   * Where training jobs run: `inprocess` (default: on the replica that claims the job) or `kubernetes`
   * (a Kubernetes Job per training job, see training/kubernetes-training.executor.ts).
   */
  trainingExecutor: 'inprocess' | 'kubernetes';
  /** The Kubernetes executor's settings (read whatever the executor; used only by `kubernetes`). */
  trainingKubernetes: TrainingKubernetesSettings;
}

/** Where and how the models service submits training Jobs. */
export interface TrainingKubernetesSettings {
  /** `AIC_MODELS_KUBECONFIG`, else the pod's service account (`KUBERNETES_SERVICE_HOST`). */
  access?: KubernetesAccess;
  /** Namespace of the template and the submitted Jobs. @default aic-ai */
  namespace: string;
  /** Name of the suspended template Job (k8s/base/training/job-template.yaml). @default training-gpu-template */
  template: string;
  /** `aic.io/node-pool` of jobs that ask for no GPU. @default apps */
  cpuNodePool: string;
  /** How often a submitted Job's status is read. @default 2000 */
  pollMs: number;
  /** Submitted Jobs one replica watches at once (the `training` queue concurrency). @default 20 */
  maxJobs: number;
}

/**
 * Reads the models service's settings (`AIC_CATALOG_URL`, `AIC_TRAINING_CONCURRENCY`,
 * `AIC_MODELS_MAX_UPLOAD_BYTES`, `AIC_TRAINING_WORKER_THREADS`, `AIC_UPLOAD_SECRET`, `AIC_TRAINING_EXECUTOR`
 * and `AIC_TRAINING_K8S_*` plus the shared ones).
 * @returns the typed config; throws ConfigError for malformed values
 */
export function loadConfig(env: Env = process.env): Config {
  const executor = getEnvStr(env, 'AIC_TRAINING_EXECUTOR', 'inprocess');
  if (executor !== 'inprocess' && executor !== 'kubernetes')
    throw new ConfigError(`AIC_TRAINING_EXECUTOR must be inprocess or kubernetes, not ${executor}`);
  const access = loadKubernetesAccess(env, 'AIC_MODELS_KUBECONFIG');
  if (executor === 'kubernetes' && !access)
    throw new ConfigError(
      'AIC_TRAINING_EXECUTOR=kubernetes needs AIC_MODELS_KUBECONFIG or a pod (KUBERNETES_SERVICE_HOST) to reach the cluster',
    );
  return {
    ...loadBaseConfig(env, 'models', SERVICES.models.port),
    catalogUrl: getEnvStr(env, urlEnvOf('catalog'), localUrl('catalog')),
    trainingConcurrency: Math.max(1, Math.floor(getEnvNum(env, 'AIC_TRAINING_CONCURRENCY', 2))),
    maxUploadBytes: getEnvNum(env, 'AIC_MODELS_MAX_UPLOAD_BYTES', 1024 * 1024 * 1024),
    trainingWorkerThreads: getEnvBool(env, 'AIC_TRAINING_WORKER_THREADS', true),
    uploadSecret: getEnvStr(env, 'AIC_UPLOAD_SECRET'),
    trainingJobId: getEnvStr(env, 'AIC_TRAINING_JOB_ID'),
    trainingExecutor: executor,
    trainingKubernetes: {
      access,
      namespace: getEnvStr(env, 'AIC_TRAINING_K8S_NAMESPACE', 'aic-ai'),
      template: getEnvStr(env, 'AIC_TRAINING_K8S_TEMPLATE', 'training-gpu-template'),
      cpuNodePool: getEnvStr(env, 'AIC_TRAINING_K8S_CPU_NODE_POOL', 'apps'),
      pollMs: Math.max(50, getEnvNum(env, 'AIC_TRAINING_K8S_POLL_MS', 2000)),
      maxJobs: Math.max(1, Math.floor(getEnvNum(env, 'AIC_TRAINING_K8S_MAX_JOBS', 20))),
    },
  };
}
