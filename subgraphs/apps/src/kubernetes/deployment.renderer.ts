import { Deployment } from 'kubernetes-models/apps/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { inferencePodEnv } from '../../../../lib/contracts/index';
import type { ReleaseEndpoint, ReleaseSpec, RenderOptions } from './release-spec.model';

/** GPU node pools are tainted with this so that only pods that need a GPU land there. */
export const GPU_TOLERATION = {
  key: 'nvidia.com/gpu',
  operator: 'Equal',
  value: 'present',
  effect: 'NoSchedule',
} as const;

/** Labels that identify one endpoint workload of an application environment; stable across releases (selectors are immutable). */
export function selectorLabels(release: ReleaseSpec, endpoint: ReleaseEndpoint): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'aic-inference',
    'aic.ai/application-id': release.application.id,
    'aic.ai/environment': release.environment,
    'aic.ai/endpoint-id': endpoint.id,
  };
}

/** All labels of an object of the release: selector labels plus the recommended `app.kubernetes.io/*` set and the revision. */
export function releaseLabels(release: ReleaseSpec, endpoint?: ReleaseEndpoint): Record<string, string> {
  return {
    ...(endpoint
      ? selectorLabels(release, endpoint)
      : { 'aic.ai/application-id': release.application.id, 'aic.ai/environment': release.environment }),
    'app.kubernetes.io/part-of': 'aic-platform',
    'app.kubernetes.io/managed-by': 'aic-apps',
    'aic.ai/revision': String(release.revision),
  };
}

/**
 * Renders the Deployment of one endpoint: the inference server image serving the endpoint's model
 * versions, with probes, resources (GPUs only as `nvidia.com/gpu` limits), the GPU toleration and
 * node selector when GPUs are requested, config as environment variables (secrets by reference), and
 * the `restricted` Pod Security Standard. Replicas are left to the HPA when autoscaling is on.
 * @returns the kubernetes-models Deployment (not yet validated).
 */
export function renderDeployment(
  release: ReleaseSpec,
  endpoint: ReleaseEndpoint,
  name: string,
  options: RenderOptions,
): Deployment {
  const gpu = release.resources.gpu ?? 0;
  const labels = releaseLabels(release, endpoint);
  return new Deployment({
    metadata: {
      name,
      namespace: release.namespace,
      labels,
      annotations: { 'aic.ai/config-version': String(release.config.version), 'aic.ai/endpoint-name': endpoint.name },
    },
    spec: {
      ...(release.scaling ? {} : { replicas: release.replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(release, endpoint) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels, annotations: { 'aic.ai/config-version': String(release.config.version) } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(gpu > 0 ? { tolerations: [{ ...GPU_TOLERATION }], nodeSelector: { ...options.gpuNodeSelector } } : {}),
          containers: [renderContainer(release, endpoint, options)],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  });
}

function renderContainer(release: ReleaseSpec, endpoint: ReleaseEndpoint, options: RenderOptions): IContainer {
  const gpu = release.resources.gpu ?? 0;
  const requests: Record<string, string> = { ...release.resources.requests };
  const limits: Record<string, string | number> = { ...release.resources.limits };
  // Extended resources may only be set in limits (the request defaults to the limit) and must be whole numbers.
  if (gpu > 0) limits['nvidia.com/gpu'] = gpu;
  const probe = (path: string) => ({ httpGet: { path, port: 'http' } });
  return {
    name: 'inference',
    image: release.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: options.containerPort, protocol: 'TCP' }],
    env: renderEnv(release, endpoint, gpu, options),
    resources: {
      ...(Object.keys(requests).length > 0 ? { requests } : {}),
      ...(Object.keys(limits).length > 0 ? { limits } : {}),
    },
    // Model download and session warm-up can take minutes: the startup probe holds liveness off until then.
    startupProbe: { ...probe('/health/live'), periodSeconds: 5, failureThreshold: 60 },
    livenessProbe: { ...probe('/health/live'), periodSeconds: 10, failureThreshold: 3 },
    readinessProbe: { ...probe('/health/ready'), periodSeconds: 5, failureThreshold: 2 },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

function renderEnv(release: ReleaseSpec, endpoint: ReleaseEndpoint, gpu: number, options: RenderOptions): IEnvVar[] {
  const env: IEnvVar[] = [
    { name: 'PORT', value: String(options.containerPort) },
    // What the pod is told about itself, as lib/contracts declares it (the inference service reads it).
    ...inferencePodEnv({
      endpointId: endpoint.id,
      modelVersionIds: endpoint.modelVersionIds,
      // CUDA first with CPU fallback on GPU pods, CPU elsewhere (ARCHITECTURE.md, Inference).
      executionProviders: gpu > 0 ? ['cuda', 'cpu'] : ['cpu'],
      configVersion: release.config.version,
    }),
  ];
  for (const [key, value] of Object.entries(release.config.values).sort(([a], [b]) => a.localeCompare(b)))
    env.push({ name: key, value });
  for (const secret of [...release.config.secrets].sort((a, b) => a.key.localeCompare(b.key))) {
    env.push({ name: secret.key, valueFrom: { secretKeyRef: { name: secret.secretName, key: secret.secretKey } } });
  }
  return env;
}
