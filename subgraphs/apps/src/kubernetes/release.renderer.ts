import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IMetricSpec } from 'kubernetes-models/autoscaling/v2/MetricSpec';
import type { IHPAScalingRules } from 'kubernetes-models/autoscaling/v2/HPAScalingRules';
import { Service } from 'kubernetes-models/v1/Service';
import { resolveScalingPolicy } from '../autoscaler/autoscaler.engine';
import type { ScalingPolicySpec } from '../autoscaler/autoscaler.engine';
import type { ScalingRules } from '../autoscaler/scaling-behavior.model';
import { InvalidInputError } from '../common/invalid-input.error';
import type { FieldProblem } from '../common/invalid-input.error';
import { releaseLabels, renderDeployment, selectorLabels } from './deployment.renderer';
import { validateModel } from './model.validator';
import type { ValidatableModel } from './model.validator';
import { formatQuantity } from './quantity.parser';
import { objectName } from './object-name.builder';
import { findResourceProblems } from './resources.validator';
import { DEFAULT_RENDER_OPTIONS } from './release-spec.model';
import type { ReleaseEndpoint, ReleaseSpec, RenderOptions } from './release-spec.model';

/** A rendered Kubernetes object as plain JSON, ready for server-side apply. */
export interface KubernetesManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/**
 * Renders a release: per endpoint a Deployment, a Service and (with autoscaling) an
 * `autoscaling/v2` HorizontalPodAutoscaler; one application Service and one Istio VirtualService that
 * splits the application's host between the endpoints by weight. Every object is validated against its schema.
 * @returns the objects in apply order.
 * @throws InvalidInputError for a bad release (resources, weights, scaling) or an object that fails its schema.
 */
export function renderRelease(release: ReleaseSpec, overrides: Partial<RenderOptions> = {}): KubernetesManifest[] {
  const options: RenderOptions = { ...DEFAULT_RENDER_OPTIONS, ...overrides };
  assertRenderable(release);
  const base = objectName(release.application.name, release.environment);
  const models: [ValidatableModel, string][] = [];
  const routes: { host: string; weight: number }[] = [];
  for (const endpoint of release.endpoints) {
    const name = objectName(release.application.name, release.environment, endpoint.name);
    models.push([renderDeployment(release, endpoint, name, options), `Deployment/${name}`]);
    models.push([renderService(release, endpoint, name, options), `Service/${name}`]);
    if (release.scaling)
      models.push([
        renderAutoscaler(release, endpoint, name, release.scaling, options),
        `HorizontalPodAutoscaler/${name}`,
      ]);
    routes.push({ host: `${name}.${release.namespace}.svc.${options.clusterDomain}`, weight: endpoint.weight });
  }
  models.push([renderApplicationService(release, base, options), `Service/${base}`]);
  models.push([renderVirtualService(release, base, routes, options), `VirtualService/${base}`]);
  const problems = models.flatMap(([model, label]) => validateModel(model, label));
  if (problems.length > 0) throw new InvalidInputError('rendered objects do not validate', problems);
  return models.map(([model]) => model.toJSON() as KubernetesManifest);
}

/**
 * The in-cluster host name clients of the application use, routed by the VirtualService.
 * @returns `<app>-<env>.<namespace>.svc.<cluster domain>`.
 */
export function applicationHost(
  release: Pick<ReleaseSpec, 'application' | 'environment' | 'namespace'>,
  clusterDomain = DEFAULT_RENDER_OPTIONS.clusterDomain,
): string {
  return `${objectName(release.application.name, release.environment)}.${release.namespace}.svc.${clusterDomain}`;
}

function assertRenderable(release: ReleaseSpec): void {
  const problems: FieldProblem[] = [];
  problems.push(...findResourceProblems(release.resources, { cpuTarget: release.scaling?.target.kind === 'CPU' }));
  if (release.scaling) {
    try {
      resolveScalingPolicy(release.scaling);
    } catch (error) {
      if (error instanceof InvalidInputError) problems.push(...error.fields);
      else throw error;
    }
  } else if (!Number.isInteger(release.replicas) || release.replicas < 0) {
    problems.push({ field: 'replicas', message: 'must be a whole number >= 0' });
  }
  problems.push(...findEndpointProblems(release.endpoints));
  if (!release.image) problems.push({ field: 'image', message: 'is required' });
  if (problems.length > 0) throw new InvalidInputError('invalid release', problems);
}

/**
 * Checks the traffic split of a release: at least one endpoint, unique names, whole weights in
 * 0..100 that sum to 100 (Istio's rule for weighted routes).
 * @returns the problems, empty when valid.
 */
export function findEndpointProblems(endpoints: ReleaseEndpoint[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (endpoints.length === 0) problems.push({ field: 'endpoints', message: 'at least one endpoint is required' });
  const names = new Set<string>();
  endpoints.forEach((e, i) => {
    if (!Number.isInteger(e.weight) || e.weight < 0 || e.weight > 100)
      problems.push({ field: `endpoints.${i}.weight`, message: 'must be a whole number between 0 and 100' });
    const key = objectName(e.name);
    if (names.has(key))
      problems.push({ field: `endpoints.${i}.name`, message: `"${e.name}" is used twice in the release` });
    names.add(key);
  });
  const total = endpoints.reduce((sum, e) => sum + e.weight, 0);
  if (endpoints.length > 0 && total !== 100)
    problems.push({ field: 'endpoints', message: `weights must sum to 100 (got ${total})` });
  return problems;
}

function renderService(release: ReleaseSpec, endpoint: ReleaseEndpoint, name: string, options: RenderOptions): Service {
  return new Service({
    metadata: { name, namespace: release.namespace, labels: releaseLabels(release, endpoint) },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(release, endpoint),
      // The `http-` port name lets Istio detect the protocol.
      ports: [{ name: 'http-inference', port: options.servicePort, targetPort: 'http', protocol: 'TCP' }],
    },
  });
}

/** The application's stable in-cluster name: the VirtualService splits the traffic sent to it between the endpoints. */
function renderApplicationService(release: ReleaseSpec, name: string, options: RenderOptions): Service {
  return new Service({
    metadata: { name, namespace: release.namespace, labels: releaseLabels(release) },
    spec: {
      type: 'ClusterIP',
      selector: {
        'app.kubernetes.io/name': 'aic-inference',
        'aic.ai/application-id': release.application.id,
        'aic.ai/environment': release.environment,
      },
      ports: [{ name: 'http-inference', port: options.servicePort, targetPort: 'http', protocol: 'TCP' }],
    },
  });
}

function renderAutoscaler(
  release: ReleaseSpec,
  endpoint: ReleaseEndpoint,
  name: string,
  scaling: ScalingPolicySpec,
  options: RenderOptions,
): HorizontalPodAutoscaler {
  const behavior = resolveScalingPolicy(scaling);
  const metric: IMetricSpec =
    scaling.target.kind === 'CPU'
      ? {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: scaling.target.averageUtilization },
          },
        }
      : {
          type: 'Pods',
          pods: {
            metric: { name: options.concurrencyMetric },
            target: { type: 'AverageValue', averageValue: formatQuantity(scaling.target.averageValue) },
          },
        };
  return new HorizontalPodAutoscaler({
    metadata: { name, namespace: release.namespace, labels: releaseLabels(release, endpoint) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: Math.max(1, scaling.minReplicas),
      maxReplicas: scaling.maxReplicas,
      metrics: [metric],
      behavior: { scaleUp: toHpaRules(behavior.scaleUp), scaleDown: toHpaRules(behavior.scaleDown) },
    },
  });
}

function toHpaRules(rules: ScalingRules): IHPAScalingRules {
  return {
    stabilizationWindowSeconds: rules.stabilizationWindowSeconds,
    selectPolicy: rules.selectPolicy,
    policies: rules.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
  };
}

function renderVirtualService(
  release: ReleaseSpec,
  name: string,
  routes: { host: string; weight: number }[],
  options: RenderOptions,
): VirtualService {
  return new VirtualService({
    metadata: { name, namespace: release.namespace, labels: releaseLabels(release) },
    spec: {
      hosts: [applicationHost(release, options.clusterDomain)],
      http: [
        {
          name: 'weighted',
          route: routes.map((r) => ({
            destination: { host: r.host, port: { number: options.servicePort } },
            weight: r.weight,
          })),
        },
      ],
    },
  });
}
