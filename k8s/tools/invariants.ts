// Rules every rendered manifest set must keep, beyond schema validity. Each check returns the
// violations it found (empty = fine), worded so a failing test says what to fix.
import type { IContainer, IPodSecurityContext, IPodSpec, ISecurityContext } from 'kubernetes-models/v1';
import { podSpecs, type K8sObject } from './render';

const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const GPU = 'nvidia.com/gpu';

function id(o: K8sObject): string {
  return `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function containers(pod: IPodSpec): IContainer[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

/** Probes (on long-running workloads), resources and the restricted security context on every container. */
export function checkContainers(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    for (const pod of podSpecs(o)) {
      const psc: IPodSecurityContext = pod.securityContext ?? {};
      if (psc.seccompProfile?.type !== 'RuntimeDefault')
        out.push(`${id(o)}: pod seccompProfile must be RuntimeDefault`);
      for (const c of containers(pod)) {
        const at = `${id(o)} container ${c.name}`;
        if (LONG_RUNNING.has(o.kind) && !isWorker(o))
          for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const)
            if (!c[p]) out.push(`${at}: no ${p}`);
        for (const kind of ['requests', 'limits'] as const)
          for (const r of ['cpu', 'memory'])
            if (!c.resources?.[kind]?.[r]) out.push(`${at}: no resources.${kind}.${r}`);
        const sc: ISecurityContext = c.securityContext ?? {};
        if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation must be false`);
        if (sc.readOnlyRootFilesystem !== true) out.push(`${at}: readOnlyRootFilesystem must be true`);
        if (sc.privileged === true) out.push(`${at}: privileged`);
        if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: capabilities must drop ALL`);
        if (sc.capabilities?.add?.length) out.push(`${at}: adds capabilities`);
        if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot must be true`);
        if ((sc.runAsUser ?? psc.runAsUser) === 0) out.push(`${at}: runs as uid 0`);
      }
    }
  }
  return out;
}

/** GPUs only in limits (whole numbers), only on inference and training pods, which select and tolerate the GPU pool. */
export function checkGpu(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    for (const pod of podSpecs(o)) {
      const allowed =
        o.metadata.name === 'inference' || o.metadata.labels?.['app.kubernetes.io/component'] === 'training';
      let usesGpu = false;
      for (const c of containers(pod)) {
        const at = `${id(o)} container ${c.name}`;
        if (c.resources?.requests?.[GPU] !== undefined) out.push(`${at}: ${GPU} in requests (limits only)`);
        const limit = c.resources?.limits?.[GPU];
        if (limit === undefined) continue;
        usesGpu = true;
        if (!allowed) out.push(`${at}: ${GPU} outside inference/training`);
        if (!Number.isInteger(Number(limit)) || Number(limit) < 1) out.push(`${at}: ${GPU} must be a whole number`);
      }
      if (!usesGpu) continue;
      if (pod.nodeSelector?.['aic.io/node-pool'] !== 'gpu')
        out.push(`${id(o)}: GPU pod without nodeSelector aic.io/node-pool=gpu`);
      const tolerates = (pod.tolerations ?? []).some(
        (t) => t.key === GPU && t.value === 'present' && t.effect === 'NoSchedule' && t.operator === 'Equal',
      );
      if (!tolerates) out.push(`${id(o)}: GPU pod without toleration ${GPU}=present:NoSchedule`);
    }
  }
  return out;
}

/** Images pinned by a tag other than `latest` or by a sha256 digest. */
export function checkImages(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    for (const pod of podSpecs(o)) {
      for (const c of containers(pod)) {
        const ref = String(c.image ?? '');
        const digest = /@sha256:[0-9a-f]{64}$/.test(ref);
        const tag = /:[\w][\w.-]{0,127}$/.exec(ref.slice(ref.lastIndexOf('/') + 1))?.[0].slice(1);
        if (!digest && (!tag || tag === 'latest'))
          out.push(`${id(o)} container ${c.name}: image "${ref}" is not pinned by tag or digest`);
      }
    }
  }
  return out;
}

const SENSITIVE_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|DATABASE_URL|REDIS_URL|API_?KEY|ACCESS_?KEY)/i;
const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, 'a URL with a password'],
  [/\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]+/, 'a JWT'],
  [/\b(?:ghp|gho|github_pat)_[A-Za-z0-9_]{20,}/, 'a GitHub token'],
  [/AccountKey=[A-Za-z0-9+/=]{20,}/, 'an Azure storage key'],
];

function strings(value: unknown, at: string, out: [string, string][]): void {
  if (typeof value === 'string') out.push([at, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) strings(v, `${at}.${k}`, out);
}

/** No Secret objects with values, no literal values for sensitive env vars, no credential-shaped strings anywhere. */
export function checkNoSecretValues(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    if (o.kind === 'Secret' && (o.data || o.stringData)) out.push(`${id(o)}: Secret with values committed`);
    for (const pod of podSpecs(o)) {
      for (const c of containers(pod)) {
        for (const e of c.env ?? [])
          if (SENSITIVE_NAME.test(e.name) && e.value)
            out.push(`${id(o)} container ${c.name}: ${e.name} has a literal value (use secretKeyRef)`);
      }
    }
    if (o.kind === 'ConfigMap') {
      for (const [k, v] of Object.entries((o.data as Record<string, string>) ?? {})) {
        for (const line of v.split('\n')) {
          const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
          if (m && SENSITIVE_NAME.test(m[1]!) && m[2]!.trim() && !/^\$\{[A-Z0-9_]+\}$/.test(m[2]!.trim()))
            out.push(`${id(o)}: ${k} sets ${m[1]}`);
        }
      }
    }
    const all: [string, string][] = [];
    strings(o, '', all);
    for (const [at, s] of all)
      for (const [re, what] of SECRET_PATTERNS) if (re.test(s)) out.push(`${id(o)}${at}: contains ${what}`);
  }
  return out;
}

/** The grace period outlasts preStop + the app's drain, so pods are never killed mid-drain. */
export function checkGracefulShutdown(objects: K8sObject[], drainSeconds: number): string[] {
  const out: string[] = [];
  for (const o of objects.filter((x) => LONG_RUNNING.has(x.kind))) {
    if (isWorker(o)) {
      // No traffic to drain: SIGTERM hands the jobs back at once; the grace period covers the current step.
      for (const pod of podSpecs(o))
        if ((pod.terminationGracePeriodSeconds ?? 30) < 30)
          out.push(`${id(o)}: terminationGracePeriodSeconds must leave a job step 30s to hand back`);
      continue;
    }
    for (const pod of podSpecs(o)) {
      const usesDrain = containers(pod).some((c) =>
        (c.envFrom ?? []).some((e) => String(e.configMapRef?.name ?? '').startsWith('aic-platform')),
      );
      if (!usesDrain) continue;
      for (const c of pod.containers ?? []) {
        const cmd = (c.lifecycle?.preStop?.exec?.command ?? []).join(' ');
        const ms = /setTimeout\(\(\) => \{\}, (\d+)\)/.exec(cmd);
        if (!ms) {
          out.push(`${id(o)} container ${c.name}: no preStop delay`);
          continue;
        }
        const needed = Number(ms[1]) / 1000 + drainSeconds;
        const grace = pod.terminationGracePeriodSeconds ?? 30;
        if (grace <= needed + 10)
          out.push(
            `${id(o)}: terminationGracePeriodSeconds ${grace} must exceed preStop + drain (${needed}s) by more than 10s`,
          );
      }
    }
  }
  return out;
}

/**
 * A job worker Deployment (`<service>-worker`, component `worker`, k8s/base/workers): it serves no port,
 * so it has no Service and no probes, and runs as its service's account (same mesh principal, cloud
 * identity and RBAC as the code it runs).
 */
export function isWorker(o: K8sObject): boolean {
  return o.metadata.labels?.['app.kubernetes.io/component'] === 'worker' && o.metadata.name.endsWith('-worker');
}

/**
 * Every platform Deployment has a Service, ServiceAccount, HPA and PDB of the same name; a worker
 * has an HPA and PDB of its own name and runs as its service's (existing) account.
 */
export function checkServiceSet(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const has = (kind: string, ns: string | undefined, name: string) =>
    objects.some((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);
  for (const d of objects.filter(
    (o) =>
      o.kind === 'Deployment' &&
      o.metadata.labels?.['app.kubernetes.io/part-of'] === 'aic-platform' &&
      o.metadata.namespace?.startsWith('aic-') &&
      o.metadata.namespace !== 'aic-observability',
  )) {
    const worker = isWorker(d);
    const account = worker ? d.metadata.name.slice(0, -'-worker'.length) : d.metadata.name;
    for (const kind of worker
      ? ['HorizontalPodAutoscaler', 'PodDisruptionBudget']
      : ['Service', 'ServiceAccount', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'])
      if (!has(kind, d.metadata.namespace, d.metadata.name)) out.push(`${id(d)}: no ${kind} of the same name`);
    if (worker && !has('Deployment', d.metadata.namespace, account))
      out.push(`${id(d)}: no Deployment ${account} whose jobs it runs`);
    if (worker && !has('ServiceAccount', d.metadata.namespace, account))
      out.push(`${id(d)}: no ServiceAccount ${account}`);
    const sa = podSpecs(d)[0]!.serviceAccountName;
    if (sa !== account) out.push(`${id(d)}: runs as service account ${sa}, not ${account}`);
  }
  return out;
}
