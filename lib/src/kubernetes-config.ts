import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { Env } from './env';
import { getEnvNum, getEnvStr } from './env';

/** The folder where Kubernetes mounts a pod's service account token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How a service reaches the Kubernetes API: a kubeconfig file, or the pod's own service account. */
export type KubernetesAccess =
  | { kind: 'kubeconfig'; path: string }
  | {
      kind: 'in-cluster';
      /** `KUBERNETES_SERVICE_HOST` / `KUBERNETES_SERVICE_PORT`, set by the kubelet in every pod. */
      host: string;
      port: number;
      /** Token, CA and namespace files. @default SERVICE_ACCOUNT_DIR */
      serviceAccountDir: string;
    };

/**
 * Reads how to reach the cluster: the kubeconfig file named by `pathVariable` when set, else the
 * pod's service account when `KUBERNETES_SERVICE_HOST` is set (the process runs in a pod).
 * @returns the access, or undefined when neither is available
 */
export function loadKubernetesAccess(env: Env, pathVariable: string): KubernetesAccess | undefined {
  const file = getEnvStr(env, pathVariable);
  if (file) return { kind: 'kubeconfig', path: file };
  const host = getEnvStr(env, 'KUBERNETES_SERVICE_HOST');
  if (!host) return undefined;
  return {
    kind: 'in-cluster',
    host,
    port: getEnvNum(env, 'KUBERNETES_SERVICE_PORT', 443),
    serviceAccountDir: SERVICE_ACCOUNT_DIR,
  };
}

/**
 * Builds a `KubeConfig` of `@kubernetes/client-node` (an ES module, hence the dynamic import) from
 * the access: `loadFromFile` for a kubeconfig, and for a pod what `loadFromCluster()` does (the API
 * server over HTTPS with the mounted CA, the mounted token re-read as the kubelet rotates it), from the
 * configured host and folder rather than from `process.env`.
 * @returns the loaded KubeConfig
 */
export async function createKubeConfig(access: KubernetesAccess): Promise<KubeConfig> {
  const k8s = await import('@kubernetes/client-node');
  const config = new k8s.KubeConfig();
  if (access.kind === 'kubeconfig') {
    config.loadFromFile(access.path);
    return config;
  }
  const host = access.host.includes(':') ? `[${access.host}]` : access.host;
  config.loadFromClusterAndUser(
    {
      name: 'inCluster',
      server: `https://${host}:${access.port}`,
      caFile: path.join(access.serviceAccountDir, 'ca.crt'),
      skipTLSVerify: false,
    },
    {
      name: 'inClusterUser',
      authProvider: { name: 'tokenFile', config: { tokenFile: path.join(access.serviceAccountDir, 'token') } },
    },
  );
  return config;
}
