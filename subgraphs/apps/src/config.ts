import type { BaseServiceConfig, Env } from '../../../lib/src/index';
import { getEnvNum, getEnvStr, loadBaseConfig } from '../../../lib/src/index';
import { SERVICES, localUrl, urlEnvOf } from '../../../lib/contracts/services';
import type { KubernetesAccess } from '../../../lib/src/kubernetes-config';
import { loadKubernetesAccess } from '../../../lib/src/kubernetes-config';

/** Settings of the apps service: the shared ones plus where inference and Kubernetes are. */
export interface Config extends BaseServiceConfig {
  /** Base URL of the inference service (its GraphQL API is at `/graphql`). */
  inferenceUrl: string;
  /** Base URL of the schemas service (config values are validated against its JSON Schemas). */
  schemasUrl: string;
  /** Base URL of the catalog service (rolled-out releases are reported to its lineage). */
  catalogUrl: string;
  /** Seconds between health checks and autoscaler steps of running deployments; 0 turns the schedule off. */
  monitorIntervalSeconds: number;
  /** How long `deploy` and `rollbackDeployment` wait for their rollout job before answering DEPLOYING. */
  rolloutWaitSeconds: number;
  kubernetes: {
    /**
     * How to reach the cluster: the kubeconfig file `AIC_APPS_KUBECONFIG`, else in a pod its service
     * account (`KUBERNETES_SERVICE_HOST`); unset means the kubernetes driver can render (dryRun) but not apply.
     */
    access?: KubernetesAccess;
    namespace: string;
    /** Image of the inference server the rendered Deployments run. */
    inferenceImage: string;
  };
}

/**
 * Reads the apps service settings from the environment (the only place that does).
 * @returns the config; throws ConfigError for malformed values
 */
export function loadConfig(env: Env = process.env): Config {
  return {
    ...loadBaseConfig(env, 'apps', SERVICES.apps.port),
    inferenceUrl: getEnvStr(env, urlEnvOf('inference'), localUrl('inference')),
    schemasUrl: getEnvStr(env, urlEnvOf('schemas'), localUrl('schemas')),
    catalogUrl: getEnvStr(env, urlEnvOf('catalog'), localUrl('catalog')),
    monitorIntervalSeconds: getEnvNum(env, 'AIC_APPS_MONITOR_INTERVAL_SECONDS', 15),
    rolloutWaitSeconds: getEnvNum(env, 'AIC_APPS_ROLLOUT_WAIT_SECONDS', 60),
    kubernetes: {
      access: loadKubernetesAccess(env, 'AIC_APPS_KUBECONFIG'),
      namespace: getEnvStr(env, 'AIC_APPS_NAMESPACE', 'aic-apps'),
      inferenceImage: getEnvStr(env, 'AIC_APPS_INFERENCE_IMAGE', 'ghcr.io/aic-platform/inference:latest'),
    },
  };
}
