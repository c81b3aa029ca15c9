import { Deployment } from 'kubernetes-models/apps/v1';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/common/invalid-input.error';
import { validateModel } from '../src/kubernetes/model.validator';
import { objectName } from '../src/kubernetes/object-name.builder';
import { parseQuantity } from '../src/kubernetes/quantity.parser';
import { renderRelease } from '../src/kubernetes/release.renderer';
import type { KubernetesManifest } from '../src/kubernetes/release.renderer';
import type { ReleaseSpec } from '../src/kubernetes/release-spec.model';

function gpuRelease(overrides: Partial<ReleaseSpec> = {}): ReleaseSpec {
  return {
    application: { id: 'app-7f3a', name: 'Fraud Scoring' },
    environment: 'production',
    revision: 3,
    namespace: 'ml-apps',
    image: 'ghcr.io/aic/inference:1.4.0',
    endpoints: [
      { id: 'ep-1', name: 'scorer-v2', weight: 90, modelVersionIds: ['mv-21'] },
      { id: 'ep-2', name: 'scorer-v3-canary', weight: 10, modelVersionIds: ['mv-30', 'mv-31'] },
    ],
    config: {
      version: 4,
      values: { THRESHOLD: '0.82', LOG_LEVEL: 'info' },
      secrets: [{ key: 'FEATURE_STORE_TOKEN', secretName: 'fraud-secrets', secretKey: 'token' }],
    },
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' }, gpu: 1 },
    scaling: {
      minReplicas: 2,
      maxReplicas: 8,
      target: { kind: 'CONCURRENCY', averageValue: 2.5 },
      behavior: { scaleDown: { stabilizationWindowSeconds: 600 } },
    },
    replicas: 2,
    ...overrides,
  };
}

const byKind = (objects: KubernetesManifest[], kind: string) => objects.filter((o) => o.kind === kind);

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).fields.map((f) => f.field);
  }
  throw new Error('expected an InvalidInputError');
}

describe('renderRelease', () => {
  const objects = renderRelease(gpuRelease());

  it('renders per endpoint a Deployment, Service and HPA, plus the application Service and VirtualService', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`)).toEqual([
      'apps/v1 Deployment/fraud-scoring-production-scorer-v2',
      'v1 Service/fraud-scoring-production-scorer-v2',
      'autoscaling/v2 HorizontalPodAutoscaler/fraud-scoring-production-scorer-v2',
      'apps/v1 Deployment/fraud-scoring-production-scorer-v3-canary',
      'v1 Service/fraud-scoring-production-scorer-v3-canary',
      'autoscaling/v2 HorizontalPodAutoscaler/fraud-scoring-production-scorer-v3-canary',
      'v1 Service/fraud-scoring-production',
      'networking.istio.io/v1beta1 VirtualService/fraud-scoring-production',
    ]);
    expect(objects.every((o) => o.metadata.namespace === 'ml-apps')).toBe(true);
  });

  it('requests nvidia.com/gpu only in limits, as a whole number, with the GPU toleration and node selector', () => {
    const pod = (byKind(objects, 'Deployment')[0] as any).spec.template.spec;
    const container = pod.containers[0];
    expect(container.resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': 1 },
    });
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
    ]);
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(container.env).toContainEqual({ name: 'AIC_EXECUTION_PROVIDERS', value: 'cuda,cpu' });
  });

  it('carries liveness, readiness and startup probes and the restricted security context', () => {
    const pod = (byKind(objects, 'Deployment')[0] as any).spec.template.spec;
    const container = pod.containers[0];
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('passes config as environment variables and secrets only by reference', () => {
    const env = (byKind(objects, 'Deployment')[1] as any).spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'THRESHOLD', value: '0.82' });
    expect(env).toContainEqual({
      name: 'FEATURE_STORE_TOKEN',
      valueFrom: { secretKeyRef: { name: 'fraud-secrets', key: 'token' } },
    });
    expect(env).toContainEqual({ name: 'AIC_MODEL_VERSION_IDS', value: 'mv-30,mv-31' });
  });

  it('leaves replicas to the HPA and renders the policy as autoscaling/v2', () => {
    expect((byKind(objects, 'Deployment')[0] as any).spec.replicas).toBeUndefined();
    const hpa = byKind(objects, 'HorizontalPodAutoscaler')[0] as any;
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'fraud-scoring-production-scorer-v2' },
      minReplicas: 2,
      maxReplicas: 8,
      metrics: [
        {
          type: 'Pods',
          pods: {
            metric: { name: 'aic_inference_requests_in_flight' },
            target: { type: 'AverageValue', averageValue: '2500m' },
          },
        },
      ],
    });
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect(hpa.spec.behavior.scaleUp.policies).toEqual([
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ]);
  });

  it('splits traffic by weight in the VirtualService', () => {
    const vs = byKind(objects, 'VirtualService')[0] as any;
    expect(vs.spec.hosts).toEqual(['fraud-scoring-production.ml-apps.svc.cluster.local']);
    expect(vs.spec.http[0].route).toEqual([
      {
        destination: { host: 'fraud-scoring-production-scorer-v2.ml-apps.svc.cluster.local', port: { number: 80 } },
        weight: 90,
      },
      {
        destination: {
          host: 'fraud-scoring-production-scorer-v3-canary.ml-apps.svc.cluster.local',
          port: { number: 80 },
        },
        weight: 10,
      },
    ]);
  });

  it('renders a CPU release without GPU scheduling, with a fixed replica count and no HPA when scaled by hand', () => {
    const cpu = renderRelease(gpuRelease({ resources: { requests: { cpu: '250m' } }, scaling: null, replicas: 3 }));
    const deployment = byKind(cpu, 'Deployment')[0] as any;
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.tolerations).toBeUndefined();
    expect(deployment.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '250m' } });
    expect(byKind(cpu, 'HorizontalPodAutoscaler')).toHaveLength(0);
  });

  it('refuses bad quantities, fractional GPUs and limits below requests with field details', () => {
    expect(
      fieldsOf(() =>
        renderRelease(
          gpuRelease({ resources: { requests: { cpu: 'two', memory: '4Gi' }, limits: { memory: '1Gi' }, gpu: 0.5 } }),
        ),
      ),
    ).toEqual(['resources.requests.cpu', 'resources.limits.memory', 'resources.gpu']);
    expect(fieldsOf(() => renderRelease(gpuRelease({ resources: { requests: { cpu: '0.0001' } } })))).toEqual([
      'resources.requests.cpu',
    ]);
  });

  it('refuses a CPU target without a CPU request and weights that do not sum to 100', () => {
    const release = gpuRelease({
      resources: {},
      scaling: { minReplicas: 1, maxReplicas: 3, target: { kind: 'CPU', averageUtilization: 70 } },
      endpoints: [
        { id: 'a', name: 'a', weight: 60, modelVersionIds: [] },
        { id: 'b', name: 'b', weight: 30, modelVersionIds: [] },
      ],
    });
    expect(fieldsOf(() => renderRelease(release))).toEqual(['resources.requests.cpu', 'endpoints']);
  });
});

describe('schema validation and helpers', () => {
  it('maps kubernetes-models schema violations to field problems', () => {
    const broken = new Deployment({
      metadata: { name: 'x' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 'lots' } } }] } },
      },
    });
    expect(validateModel(broken, 'Deployment/x')).toEqual([
      { field: 'Deployment/x.spec.template.spec.containers.0.resources.limits.cpu', message: 'must be number' },
    ]);
  });

  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('1Gi')).toBe(1024 ** 3);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(parseQuantity('1.5G')).toBe(1.5e9);
    for (const bad of ['', 'abc', '1 Gi', '1gi', '--1', '1.2.3']) expect(parseQuantity(bad)).toBeNull();
  });

  it('keeps object names within 63 characters and distinct', () => {
    const a = objectName('A very long application name that goes on and on', 'production', 'endpoint-number-one');
    const b = objectName('A very long application name that goes on and on', 'production', 'endpoint-number-two');
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
