// Schema validation of rendered objects: Kubernetes and Istio kinds through their published models
// (kubernetes-models, @kubernetes-models/istio) with unknown fields rejected; custom resources without a
// model package (Prometheus Operator, Secrets Store CSI, Argo CD, eksctl) through a small structural
// schema of their own that also rejects unknown fields.
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import { IstioOperator } from '@kubernetes-models/istio/install.istio.io/v1alpha1';
import { DestinationRule, Gateway, VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1';
import { Telemetry } from '@kubernetes-models/istio/telemetry.istio.io/v1alpha1';
import type { K8sObject } from './render';
import { validateStrict, type ValidatableModel } from './strict-validate';

/** A kubernetes-models class: its constructor takes its own kind's shape (`never` here), the registry key picks it. */
type ModelClass = new (data: never) => ValidatableModel;

const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'storage.k8s.io/v1/StorageClass': StorageClass,
  'security.istio.io/v1beta1/PeerAuthentication': PeerAuthentication,
  'security.istio.io/v1/AuthorizationPolicy': AuthorizationPolicy,
  'networking.istio.io/v1beta1/DestinationRule': DestinationRule,
  'networking.istio.io/v1beta1/VirtualService': VirtualService,
  'networking.istio.io/v1beta1/Gateway': Gateway,
  'telemetry.istio.io/v1alpha1/Telemetry': Telemetry,
  'install.istio.io/v1alpha1/IstioOperator': IstioOperator,
};

/** Fields the published schema itself leaves open (x-kubernetes-preserve-unknown-fields): not checkable. */
const OPEN_FIELDS: Record<string, string[]> = {
  'install.istio.io/v1alpha1/IstioOperator': ['.spec'],
};

/** A structural schema: a type name, a list of one item shape, or an object of allowed fields. */
type Shape = 'string' | 'number' | 'boolean' | 'any' | 'strmap' | Shape[] | { [field: string]: Shape };

const META: Shape = {
  name: 'string',
  namespace: 'string',
  labels: 'strmap',
  annotations: 'strmap',
  finalizers: ['string'],
};
const SELECTOR: Shape = {
  matchLabels: 'strmap',
  matchExpressions: [{ key: 'string', operator: 'string', values: ['string'] }],
};
const RELABEL: Shape = {
  sourceLabels: ['string'],
  separator: 'string',
  targetLabel: 'string',
  regex: 'string',
  replacement: 'string',
  action: 'string',
};
/** One scrape endpoint of a ServiceMonitor (`endpoints`) or PodMonitor (`podMetricsEndpoints`). */
const SCRAPE_ENDPOINT: Shape = {
  port: 'string',
  targetPort: 'any',
  path: 'string',
  scheme: 'string',
  interval: 'string',
  scrapeTimeout: 'string',
  relabelings: [RELABEL],
  metricRelabelings: [RELABEL],
  honorLabels: 'boolean',
};

const CRDS: Record<string, Shape> = {
  'monitoring.coreos.com/v1/ServiceMonitor': {
    namespaceSelector: { matchNames: ['string'], any: 'boolean' },
    selector: SELECTOR,
    jobLabel: 'string',
    endpoints: [SCRAPE_ENDPOINT],
  },
  'monitoring.coreos.com/v1/PodMonitor': {
    namespaceSelector: { matchNames: ['string'], any: 'boolean' },
    selector: SELECTOR,
    jobLabel: 'string',
    podMetricsEndpoints: [SCRAPE_ENDPOINT],
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    groups: [
      {
        name: 'string',
        interval: 'string',
        rules: [
          { record: 'string', alert: 'string', expr: 'string', for: 'string', labels: 'strmap', annotations: 'strmap' },
        ],
      },
    ],
  },
  'secrets-store.csi.x-k8s.io/v1/SecretProviderClass': {
    provider: 'string',
    parameters: 'strmap',
    secretObjects: [
      {
        secretName: 'string',
        type: 'string',
        labels: 'strmap',
        annotations: 'strmap',
        data: [{ objectName: 'string', key: 'string' }],
      },
    ],
  },
  'argoproj.io/v1alpha1/Application': {
    project: 'string',
    source: {
      repoURL: 'string',
      targetRevision: 'string',
      path: 'string',
      kustomize: { images: ['string'], namePrefix: 'string' },
    },
    destination: { server: 'string', name: 'string', namespace: 'string' },
    syncPolicy: {
      automated: { prune: 'boolean', selfHeal: 'boolean', allowEmpty: 'boolean' },
      syncOptions: ['string'],
      retry: { limit: 'number', backoff: { duration: 'string', factor: 'number', maxDuration: 'string' } },
    },
    ignoreDifferences: [
      {
        group: 'string',
        kind: 'string',
        name: 'string',
        namespace: 'string',
        jsonPointers: ['string'],
        jqPathExpressions: ['string'],
      },
    ],
    revisionHistoryLimit: 'number',
  },
};

/** Required spec fields of the custom resources. */
const CRD_REQUIRED: Record<string, string[]> = {
  'monitoring.coreos.com/v1/ServiceMonitor': ['selector', 'endpoints'],
  'monitoring.coreos.com/v1/PodMonitor': ['selector', 'podMetricsEndpoints'],
  'monitoring.coreos.com/v1/PrometheusRule': ['groups'],
  'secrets-store.csi.x-k8s.io/v1/SecretProviderClass': ['provider', 'parameters'],
  'argoproj.io/v1alpha1/Application': ['project', 'source', 'destination'],
};

function checkShape(value: unknown, shape: Shape, at: string, problems: string[]): void {
  if (shape === 'any') return;
  if (shape === 'strmap') {
    if (
      typeof value !== 'object' ||
      value === null ||
      Array.isArray(value) ||
      Object.values(value).some((v) => typeof v !== 'string')
    )
      problems.push(`${at} must be a map of strings`);
    return;
  }
  if (typeof shape === 'string') {
    if (typeof value !== shape) problems.push(`${at} must be a ${shape}`);
    return;
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) problems.push(`${at} must be a list`);
    else value.forEach((v, i) => checkShape(v, shape[0]!, `${at}[${i}]`, problems));
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${at} must be an object`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!(k in shape)) problems.push(`${at}.${k} is not a known field`);
    else checkShape(v, shape[k]!, `${at}.${k}`, problems);
  }
}

/** @returns the `apiVersion/kind` key used by the registries */
export function typeKey(o: { apiVersion: string; kind: string }): string {
  return `${o.apiVersion}/${o.kind}`;
}

/**
 * Validates one object against its schema.
 * @returns problems (empty when valid); an unregistered kind is a problem, so nothing goes unchecked
 */
export function validateObject(o: K8sObject): string[] {
  const id = `${typeKey(o)} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  const Model = MODELS[typeKey(o)];
  if (Model) {
    try {
      const open = OPEN_FIELDS[typeKey(o)] ?? [];
      // The key (apiVersion/kind) picked the class of this object's kind; validateStrict checks its fields.
      return validateStrict(new Model(o as never))
        .filter((u) => !open.some((prefix) => u.path === prefix || u.path.startsWith(`${prefix}.`)))
        .map((u) => `${id}: unknown field ${u.path}`);
    } catch (err) {
      return [`${id}: ${(err as Error).message}`];
    }
  }
  const shape = CRDS[typeKey(o)];
  if (!shape) return [`${id}: no schema registered for this kind`];
  const problems: string[] = [];
  checkShape(o, { apiVersion: 'string', kind: 'string', metadata: META, spec: shape }, '', problems);
  for (const field of CRD_REQUIRED[typeKey(o)]!)
    if ((o.spec as Record<string, unknown> | undefined)?.[field] === undefined)
      problems.push(`.spec.${field} is required`);
  return problems.map((p) => `${id}: ${p}`);
}
