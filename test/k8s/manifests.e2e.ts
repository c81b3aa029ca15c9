// Renders k8s/base and every overlay with the kustomize subset in k8s/tools/render.ts, validates every
// object against the Kubernetes / Istio schemas (unknown fields rejected) and checks the platform's
// invariants over the rendered set.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import * as inv from '../../k8s/tools/invariants';
import { podSpecs, readManifestFile, renderKustomization, type K8sObject } from '../../k8s/tools/render';
import { loadArtifactStoreSettings } from '../../lib/src/env';
import { parseDockerfile } from '../../k8s/tools/dockerfile';
import { validateObject } from '../../k8s/tools/schemas';
import { WORKER_SERVICES } from '../../k8s/tools/policies';
import { SERVICE_CALLS, SERVICES, type ServiceName } from '../../lib/contracts/services';
import { K8S_SUPERGRAPH_PATH, buildK8sSupergraph, routingUrls, serviceGraphqlUrls } from '../../k8s/tools/supergraph';

const root = path.resolve(__dirname, '..', '..');
const k8s = path.join(root, 'k8s');
const TARGETS = ['base', 'overlays/aws', 'overlays/azure'];
const PLATFORM_NS = ['aic-system', 'aic-apps', 'aic-ai'];

function drainSeconds(): number {
  const env = fs.readFileSync(path.join(k8s, 'base/config/platform.env'), 'utf8');
  return Number(/^AIC_DRAIN_DELAY_SECONDS=(\d+)$/m.exec(env)![1]);
}

/** Subgraph names the lead's supergraph.yaml lists; without it, the ones in the k8s supergraph. */
function listedSubgraphs(k8sSupergraph: string): string[] {
  const file = path.join(root, 'supergraph.yaml');
  if (!fs.existsSync(file)) return Object.keys(routingUrls(k8sSupergraph));
  return Object.keys((YAML.parse(fs.readFileSync(file, 'utf8')) as { subgraphs: Record<string, unknown> }).subgraphs);
}

/** Metric names of a PromQL expression: identifiers left after dropping label matchers, ranges, grouping clauses and function calls. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|on|without|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\b[a-z_]+\s*\(/g, '(')
    .replace(/\b\d+(\.\d+)?(e[-+]?\d+)?\b/gi, '');
  return [...bare.matchAll(/[A-Za-z_:][\w:]*/g)].map((m) => m[0]).filter((w) => !/^(and|or|unless|e\d+)$/.test(w));
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

/**
 * Strips the content-hash suffix of generated ConfigMap names (and of references to them): kustomize's
 * hash function differs from the renderer's, everything else must match.
 * @param generatedFrom the renderer's objects, whose generated ConfigMaps name the suffixes to strip
 */
function withoutHashes(objects: unknown[], generatedFrom: K8sObject[]): unknown[] {
  const names = generatedFrom.flatMap((o) =>
    o.kind === 'ConfigMap' ? (/^(.+)-[0-9a-f]{10}$/.exec(o.metadata.name)?.[1] ?? []) : [],
  );
  const pattern = new RegExp(`"(${names.join('|')})-[a-z0-9]{10}"`, 'g');
  return objects.map((o) => JSON.parse(JSON.stringify(o).replace(pattern, '"$1"')));
}

const find = (objects: K8sObject[], kind: string, name: string, ns?: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns));

describe.each(TARGETS)('k8s/%s', (target) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = renderKustomization(path.join(k8s, target));
  });

  it('renders, and every object validates against its schema with unknown fields rejected', () => {
    expect(objects.length).toBeGreaterThan(90);
    expect(objects.flatMap(validateObject)).toEqual([]);
  });

  it.skipIf(!kubectl)('renders exactly what `kubectl kustomize` renders (skipped without kubectl)', () => {
    const out = execFileSync('kubectl', ['kustomize', path.join(k8s, target)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const real = YAML.parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
    const key = (o: any) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const sorted = (list: unknown[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(withoutHashes(objects, objects))).toEqual(sorted(withoutHashes(real, objects)));
  });

  it('gives every container probes, resources and a restricted security context', () => {
    expect(inv.checkContainers(objects)).toEqual([]);
  });

  it('puts GPUs only in limits, only on inference and training, on the tainted GPU pool', () => {
    expect(inv.checkGpu(objects)).toEqual([]);
    const inference = find(objects, 'Deployment', 'inference')!;
    expect((inference.spec as any).template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect((inference.spec as any).template.spec.containers[0].startupProbe.httpGet.path).toBe('/health/ready');
  });

  it('pins every image by tag or digest and contains no secret value', () => {
    expect(inv.checkImages(objects)).toEqual([]);
    expect(inv.checkNoSecretValues(objects)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('outlasts preStop + drain with the grace period; every service has Service, ServiceAccount, HPA and PDB', () => {
    expect(inv.checkGracefulShutdown(objects, drainSeconds())).toEqual([]);
    expect(inv.checkServiceSet(objects)).toEqual([]);
  });

  it('has a Service and a routing URL pointing at it for every subgraph in supergraph.yaml', () => {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('supergraph-'))!;
    const sdl = (cm.data as Record<string, string>)['supergraph.graphql']!;
    const routes = routingUrls(sdl);
    const services = serviceGraphqlUrls(objects);
    const names = listedSubgraphs(sdl);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const svc = find(objects, 'Service', name);
      expect(svc, `Service ${name}`).toBeDefined();
      expect(find(objects, 'Deployment', name, svc!.metadata.namespace), `Deployment ${name}`).toBeDefined();
      expect(routes[name], `routing URL of ${name}`).toBe(
        `http://${name}.${svc!.metadata.namespace}.svc.cluster.local:4000/graphql`,
      );
      expect(services[name]).toBe(routes[name]);
    }
    const gateway = find(objects, 'Deployment', 'gateway')!;
    expect((gateway.spec as any).template.spec.volumes.find((v: any) => v.name === 'supergraph').configMap.name).toBe(
      cm.metadata.name,
    );
  });

  // What each policy allows is checked call by call against lib/contracts in policies.e2e.ts; here, the shape.
  it('denies ingress and egress by default in every platform namespace; subgraphs admit the gateway', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    for (const ns of PLATFORM_NS) {
      expect(
        policies.some(
          (p) =>
            p.metadata.namespace === ns &&
            JSON.stringify((p.spec as any).podSelector) === '{}' &&
            JSON.stringify((p.spec as any).policyTypes) === '["Ingress","Egress"]' &&
            !(p.spec as any).ingress &&
            !(p.spec as any).egress,
        ),
        `default deny in ${ns}`,
      ).toBe(true);
    }
    for (const d of objects.filter(
      (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'subgraph',
    )) {
      const admitsGateway = policies.some(
        (p) =>
          p.metadata.namespace === d.metadata.namespace &&
          (p.spec as any).podSelector.matchLabels?.['app.kubernetes.io/name'] === d.metadata.name &&
          ((p.spec as any).ingress ?? []).some((r: any) =>
            r.from.some((f: any) => f.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'gateway'),
          ),
      );
      expect(admitsGateway, `NetworkPolicy admitting the gateway to ${d.metadata.name}`).toBe(true);
    }
  });

  it('requires mTLS (STRICT); every subgraph allows named callers only, GraphQL only to those that call it (SERVICE_CALLS)', () => {
    expect((find(objects, 'PeerAuthentication', 'default', 'istio-system')!.spec as any).mtls.mode).toBe('STRICT');
    for (const d of objects.filter(
      (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'subgraph',
    )) {
      const policy = find(objects, 'AuthorizationPolicy', d.metadata.name, d.metadata.namespace);
      expect(policy, `AuthorizationPolicy ${d.metadata.name}`).toBeDefined();
      const graphqlCallers = SERVICE_CALLS.filter((c) => c.to === d.metadata.name && c.via.includes('graphql')).map(
        (c) => c.from,
      );
      for (const r of (policy!.spec as any).rules as any[]) {
        const principals: string[] = r.from.flatMap((f: any) => f.source.principals);
        expect(principals.length, `${d.metadata.name}: a rule without principals`).toBeGreaterThan(0);
        expect(r.to, `${d.metadata.name}: a rule for any path`).toBeDefined();
        if (r.to.some((t: any) => t.operation.paths.includes('/graphql')))
          for (const p of principals)
            expect(graphqlCallers, `${p} may call ${d.metadata.name} /graphql`).toContain(
              /\/sa\/(\w+)$/.exec(p)![1] === 'training' ? 'models' : /\/sa\/(\w+)$/.exec(p)![1],
            );
      }
    }
  });

  it('routes inference A/B subsets by weight and protects every service with connection limits and outlier detection', () => {
    const vs = find(objects, 'VirtualService', 'inference', 'aic-ai')!;
    const weighted = (vs.spec as any).http.find((h: any) => h.name === 'weighted').route;
    expect(weighted.map((r: any) => r.destination.subset)).toEqual(['stable', 'canary']);
    expect(weighted.reduce((s: number, r: any) => s + r.weight, 0)).toBe(100);
    const subsets = (find(objects, 'DestinationRule', 'inference', 'aic-ai')!.spec as any).subsets.map(
      (s: any) => s.name,
    );
    expect(subsets).toEqual(['stable', 'canary']);
    // Job workers receive no traffic (no Service): nothing routes to them.
    for (const d of objects.filter(
      (o) => o.kind === 'Deployment' && o.metadata.namespace !== 'aic-observability' && !inv.isWorker(o),
    )) {
      const dr = find(objects, 'DestinationRule', d.metadata.name, d.metadata.namespace);
      expect(dr, `DestinationRule ${d.metadata.name}`).toBeDefined();
      expect((dr!.spec as any).trafficPolicy.connectionPool.tcp.maxConnections).toBeGreaterThan(0);
      expect((dr!.spec as any).trafficPolicy.outlierDetection.consecutive5xxErrors).toBeGreaterThan(0);
    }
  });

  // #17: work scales apart from the API. Each service with jobs has a `<name>-worker` Deployment running its
  // worker entry point as the service's account and with the service's Secret; the API Deployment consumes none.
  it("runs every job-consuming service's jobs in a <name>-worker Deployment; the API Deployments do not consume", () => {
    const env = (d: K8sObject) => (d.spec as any).template.spec.containers[0].env as { name: string; value?: string }[];
    for (const name of WORKER_SERVICES) {
      const api = find(objects, 'Deployment', name)!;
      const worker = find(objects, 'Deployment', `${name}-worker`, api.metadata.namespace);
      expect(worker, `Deployment ${name}-worker`).toBeDefined();
      expect(inv.isWorker(worker!)).toBe(true);
      const pod = (worker!.spec as any).template.spec;
      expect(pod.containers[0].args).toEqual([`dist/subgraphs/${name}/src/worker.js`]);
      expect(pod.serviceAccountName).toBe(name);
      expect(env(api).find((e) => e.name === 'AIC_JOBS_CONSUME')?.value).toBe('false');
      expect(env(worker!).find((e) => e.name === 'AIC_JOBS_CONSUME')).toBeUndefined();
      const secrets = (d: K8sObject) =>
        env(d)
          .filter((e: any) => e.valueFrom?.secretKeyRef)
          .map((e: any) => `${e.name}=${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
      expect(secrets(worker!)).toEqual(secrets(api));
      expect(find(objects, 'Service', `${name}-worker`)).toBeUndefined();
      // Probes and metrics on the port AIC_WORKER_PORT names (lib/src/jobs/worker-health.ts): a stalled
      // worker is restarted, and the sidecar merges its /metrics for the workers' PodMonitor.
      const container = pod.containers[0];
      const health = container.ports.find((p: any) => p.name === 'health');
      expect(env(worker!).find((e) => e.name === 'AIC_WORKER_PORT')?.value).toBe(String(health.containerPort));
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'health' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'health' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'health' });
      expect((worker!.spec as any).template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(health.containerPort),
        'prometheus.io/path': '/metrics',
      });
      const monitor = find(objects, 'PodMonitor', 'aic-platform-workers')!;
      const labels = (worker!.spec as any).template.metadata.labels;
      expect(Object.entries((monitor.spec as any).selector.matchLabels).every(([k, v]) => labels[k] === v)).toBe(true);
      expect((monitor.spec as any).namespaceSelector.matchNames).toContain(api.metadata.namespace);
    }
    expect(
      objects
        .filter((o) => o.kind === 'Deployment' && inv.isWorker(o))
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(WORKER_SERVICES.map((n) => `${n}-worker`).sort());
  });

  // #18: models (API: cancel; worker: submit and watch) and apps reach the API server with their pod's service
  // account: a mounted token, and a Role allowing exactly the calls their clients make.
  it('binds models and apps to Roles covering the Kubernetes calls their code makes, with the token mounted', () => {
    const allows = (ns: string, account: string, group: string, resource: string, verb: string) =>
      objects
        .filter(
          (b) =>
            b.kind === 'RoleBinding' &&
            b.metadata.namespace === ns &&
            (b as any).subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === account),
        )
        .map((b) => find(objects, 'Role', (b as any).roleRef.name, ns))
        .some((role) =>
          ((role as any)?.rules ?? []).some(
            (r: any) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
          ),
        );
    // subgraphs/models/src/training/kubernetes-training.executor.ts
    for (const [group, resource, verb] of [
      ['batch', 'jobs', 'get'],
      ['batch', 'jobs', 'create'],
      ['batch', 'jobs', 'delete'],
      ['batch', 'jobs/status', 'get'],
      ['', 'pods', 'list'],
    ] as const)
      expect(allows('aic-ai', 'models', group, resource, verb), `models: ${verb} ${group}/${resource}`).toBe(true);
    // subgraphs/apps/src/drivers/kubernetes.applier.ts: server-side apply (patch) and delete of each rendered kind
    for (const [group, resource] of [
      ['apps', 'deployments'],
      ['', 'services'],
      ['autoscaling', 'horizontalpodautoscalers'],
      ['networking.istio.io', 'virtualservices'],
    ] as const)
      for (const verb of ['patch', 'delete'])
        expect(allows('aic-apps', 'apps', group, resource, verb), `apps: ${verb} ${group}/${resource}`).toBe(true);
    for (const [name, ns] of [
      ['models', 'aic-ai'],
      ['models-worker', 'aic-ai'],
      ['apps', 'aic-apps'],
    ] as const) {
      const d = find(objects, 'Deployment', name, ns)!;
      expect((d.spec as any).template.spec.automountServiceAccountToken, `${name} mounts its token`).toBe(true);
      expect(
        (find(objects, 'ServiceAccount', name.replace(/-worker$/, ''), ns) as any).automountServiceAccountToken,
      ).toBe(true);
    }
  });

  it('scales inference on the in-flight custom metric and keeps the training template suspended on the GPU pool', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'inference')!;
    expect((hpa.spec as any).metrics[0].pods.metric.name).toBe('inference_inflight_requests');
    const job = find(objects, 'Job', 'training-gpu-template', 'aic-ai')!;
    expect((job.spec as any).suspend).toBe(true);
    expect((job.spec as any).template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
  });
});

describe('cloud overlays', () => {
  it('use their registry, identity and secret store', () => {
    const aws = renderKustomization(path.join(k8s, 'overlays/aws'));
    const azure = renderKustomization(path.join(k8s, 'overlays/azure'));
    for (const [objects, registry] of [
      [aws, '.dkr.ecr.'],
      [azure, '.azurecr.io/'],
    ] as const) {
      for (const d of objects.filter((o) => o.kind === 'Deployment' && o.metadata.namespace !== 'aic-observability')) {
        expect((d.spec as any).template.spec.containers[0].image).toContain(registry);
      }
      for (const d of objects.filter(
        (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'subgraph',
      )) {
        const spc = find(objects, 'SecretProviderClass', `${d.metadata.name}-secrets`, d.metadata.namespace);
        expect(spc, `SecretProviderClass ${d.metadata.name}-secrets`).toBeDefined();
        expect((spc!.spec as any).secretObjects[0].secretName).toBe(`${d.metadata.name}-secrets`);
        const vol = (d.spec as any).template.spec.volumes.find((v: any) => v.name === 'secrets-store');
        expect(vol?.csi.volumeAttributes.secretProviderClass, `CSI volume of ${d.metadata.name}`).toBe(
          spc!.metadata.name,
        );
      }
    }
    expect(
      aws
        .filter((o) => o.kind === 'ServiceAccount' && PLATFORM_NS.includes(o.metadata.namespace!))
        .every((sa) => sa.metadata.annotations?.['eks.amazonaws.com/role-arn']),
    ).toBe(true);
    expect(
      azure
        .filter((o) => o.kind === 'ServiceAccount')
        .every((sa) => sa.metadata.annotations?.['azure.workload.identity/client-id']),
    ).toBe(true);
    expect((find(aws, 'Ingress', 'aic-api')!.spec as any).ingressClassName).toBe('alb');
    expect((find(azure, 'Ingress', 'aic-api')!.spec as any).ingressClassName).toBe('azure-application-gateway');
  });

  // The gateway shares rate limits and subscriptions through Redis (gateway/src/config.ts reads REDIS_URL):
  // without it each replica limits on its own. Every service gets its connection settings from its
  // overlay's secret store, and each key a container reads is one the store syncs into that Secret.
  it.each(['aws', 'azure'])(
    '%s: the gateway and every service read REDIS_URL (services also DATABASE_URL) from the Secret their SecretProviderClass syncs',
    (overlay) => {
      const objects = renderKustomization(path.join(k8s, 'overlays', overlay));
      const services = objects.filter(
        (o) =>
          o.kind === 'Deployment' &&
          ['gateway', 'subgraph'].includes(o.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
      );
      expect(services.map((d) => d.metadata.name).sort()).toEqual([
        'apps',
        'catalog',
        'gateway',
        'identity',
        'inference',
        'models',
        'schemas',
        'synthetic',
      ]);
      for (const d of services) {
        const name = d.metadata.name;
        const spec = (d.spec as any).template.spec;
        const env: any[] = spec.containers[0].env ?? [];
        const fromSecret = Object.fromEntries(
          env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom.secretKeyRef]),
        );
        const wanted = name === 'gateway' ? ['REDIS_URL'] : ['DATABASE_URL', 'REDIS_URL'];
        for (const key of wanted)
          expect(fromSecret[key], `${overlay} ${name} ${key}`).toEqual({ name: `${name}-secrets`, key });
        for (const key of wanted)
          expect(fromSecret[key].optional, `${overlay} ${name} ${key} required`).toBeUndefined();
        const spc = find(objects, 'SecretProviderClass', `${name}-secrets`, d.metadata.namespace);
        expect(spc, `${overlay} SecretProviderClass ${name}-secrets`).toBeDefined();
        const synced = (spc!.spec as any).secretObjects.find((o: any) => o.secretName === `${name}-secrets`);
        const keys: string[] = synced.data.map((x: any) => x.key);
        for (const [envName, ref] of Object.entries(fromSecret) as [
          string,
          { name: string; key: string; optional?: boolean },
        ][]) {
          expect(ref.name, `${overlay} ${name} ${envName}`).toBe(`${name}-secrets`);
          // A missing required key keeps the pod from starting; optional ones (e.g. AIC_SIGNING_KEYS) may be absent.
          if (!ref.optional)
            expect(keys, `${overlay} ${name}: ${ref.key} is not synced by ${name}-secrets`).toContain(ref.key);
        }
        // The CSI driver syncs a Secret only while a pod mounts the store.
        const vol = spec.volumes.find((v: any) => v.csi?.driver === 'secrets-store.csi.k8s.io');
        expect(vol?.csi.volumeAttributes.secretProviderClass, `${overlay} ${name} mounts its store`).toBe(
          `${name}-secrets`,
        );
        expect(
          spec.containers[0].volumeMounts.some((m: any) => m.name === vol.name),
          `${overlay} ${name} volumeMount`,
        ).toBe(true);
        expect(validateObject(spc!), `${overlay} ${name}-secrets`).toEqual([]);
      }
    },
  );

  // Issue #18: one set of non-secret settings per overlay (k8s/overlays/<cloud>/platform.env) reaches the
  // gateway, every service, every worker and the training Jobs through their namespace's `aic-platform`
  // ConfigMap; shared artifact storage is the cloud's store, reached with the pod's identity, no static keys.
  it.each([
    ['aws', { kind: 's3', bucket: 'aic-platform-artifacts-111122223333', region: 'eu-west-1' }],
    [
      'azure',
      {
        kind: 'azure',
        container: 'aic-artifacts',
        accountUrl: 'https://aicplatformartifacts.blob.core.windows.net',
      },
    ],
  ] as const)(
    "%s: every workload reads the overlay settings (artifact store included) from its namespace's one ConfigMap, and no static key appears",
    (overlay, store) => {
      const objects = renderKustomization(path.join(k8s, 'overlays', overlay));
      const overlayEnv = fs.readFileSync(path.join(k8s, 'overlays', overlay, 'platform.env'), 'utf8');
      const settings = Object.fromEntries(
        overlayEnv
          .split('\n')
          .filter((l) => /^[A-Z_]+=/.test(l))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const configMaps = new Map<string, K8sObject>();
      for (const ns of PLATFORM_NS) {
        const cms = objects.filter(
          (o) =>
            o.kind === 'ConfigMap' && o.metadata.namespace === ns && /^aic-platform-[0-9a-z]+$/.test(o.metadata.name),
        );
        expect(cms, `${overlay} ${ns}: one aic-platform ConfigMap`).toHaveLength(1);
        const data = cms[0]!.data as Record<string, string>;
        expect(data, `${overlay} ${ns}`).toMatchObject(settings);
        // What the services' own parser makes of it (lib/src/env.ts): the cloud store, signed in by identity.
        const parsed = loadArtifactStoreSettings(data);
        expect(parsed).toMatchObject(store);
        expect((parsed as { connectionString?: string }).connectionString).toBeUndefined();
        configMaps.set(ns, cms[0]!);
      }
      const workloads = objects.filter(
        (o) => ['Deployment', 'Job'].includes(o.kind) && PLATFORM_NS.includes(o.metadata.namespace!),
      );
      const names = workloads.map((w) => `${w.kind}/${w.metadata.name}`).sort();
      for (const w of ['gateway', 'identity', 'apps', 'catalog', 'schemas', 'models', 'inference', 'synthetic'])
        expect(names).toContain(`Deployment/${w}`);
      for (const w of WORKER_SERVICES) expect(names).toContain(`Deployment/${w}-worker`);
      expect(names.some((n) => n.startsWith('Job/'))).toBe(true);
      for (const w of workloads) {
        const label = `${overlay} ${w.kind}/${w.metadata.namespace}/${w.metadata.name}`;
        for (const pod of podSpecs(w)) {
          for (const c of pod.containers ?? []) {
            const refs = (c.envFrom ?? []).flatMap((e) => (e.configMapRef ? [e.configMapRef.name] : []));
            expect(refs, `${label} ${c.name}`).toEqual([configMaps.get(w.metadata.namespace!)!.metadata.name]);
            // Nothing overrides the shared settings per container.
            const own = (c.env ?? []).map((e) => e.name).filter((n) => n in settings);
            expect(own, `${label} ${c.name} sets shared settings itself`).toEqual([]);
          }
          // Its identity reaches the store: IRSA role (aws) or workload identity (azure).
          const sa = find(objects, 'ServiceAccount', pod.serviceAccountName ?? 'default', w.metadata.namespace);
          expect(sa, `${label}: ServiceAccount ${pod.serviceAccountName}`).toBeDefined();
          if (overlay === 'aws')
            expect(sa!.metadata.annotations?.['eks.amazonaws.com/role-arn'], label).toMatch(
              /^arn:aws:iam::\d{12}:role\//,
            );
          else {
            expect(sa!.metadata.annotations?.['azure.workload.identity/client-id'], label).toMatch(/^[0-9a-f-]{36}$/);
            const labels = (w.spec as any).template.metadata.labels;
            expect(labels?.['azure.workload.identity/use'], label).toBe('true');
          }
        }
      }
      // No static cloud credential anywhere: not as a value, not as a variable a container reads, not as a
      // key a secret store syncs.
      const text = JSON.stringify(objects) + overlayEnv;
      for (const pattern of [
        /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/,
        /AKIA[0-9A-Z]{16}/,
        /AIC_AZURE_STORAGE_CONNECTION_STRING|AZURE_STORAGE_KEY|AZURE_STORAGE_CONNECTION_STRING|AZURE_CLIENT_SECRET/,
        /AccountKey=|SharedAccessSignature=|[?&]sig=/,
      ])
        expect(text, `${overlay}: ${pattern}`).not.toMatch(pattern);
    },
  );

  // Issue #18: what every workload shares (REDIS_URL) is one secret per overlay in the cloud store, synced
  // into each service's Secret (Kubernetes Secrets do not cross namespaces); DATABASE_URL stays per service.
  it.each([
    ['aws', 'aic/shared#REDIS_URL'],
    ['azure', 'aic-redis-url'],
  ])('%s: every SecretProviderClass takes REDIS_URL from the one shared secret (%s)', (overlay, shared) => {
    const objects = renderKustomization(path.join(k8s, 'overlays', overlay));
    const classes = objects.filter(
      (o) => o.kind === 'SecretProviderClass' && PLATFORM_NS.includes(o.metadata.namespace!),
    );
    expect(classes.map((c) => c.metadata.name).sort()).toEqual(
      ['apps', 'catalog', 'gateway', 'identity', 'inference', 'models', 'schemas', 'synthetic'].map(
        (n) => `${n}-secrets`,
      ),
    );
    const sourcesOf = (c: K8sObject): { source: string; alias: string }[] => {
      const parsed = YAML.parse((c.spec as any).parameters.objects);
      if (overlay === 'aws')
        return (parsed as any[]).flatMap((o) =>
          (o.jmesPath ?? []).map((j: any) => ({ source: `${o.objectName}#${j.path}`, alias: j.objectAlias })),
        );
      return (parsed.array as string[])
        .map((x) => YAML.parse(x))
        .map((o) => ({ source: o.objectName, alias: o.objectAlias }));
    };
    for (const c of classes) {
      const all = sourcesOf(c);
      expect(
        all.filter((e) => e.alias === 'REDIS_URL'),
        c.metadata.name,
      ).toEqual([{ source: shared, alias: 'REDIS_URL' }]);
      // Each service's database stays its own.
      const db = all.filter((e) => e.alias === 'DATABASE_URL');
      if (c.metadata.name !== 'gateway-secrets') {
        const svc = c.metadata.name.replace(/-secrets$/, '');
        expect(
          db.map((e) => e.source),
          c.metadata.name,
        ).toEqual([overlay === 'aws' ? `aic/${svc}#DATABASE_URL` : `aic-${svc}-database-url`]);
      } else expect(db).toEqual([]);
    }
  });

  it('ship node groups for system, apps and GPU, Argo CD Applications and the Istio install, all valid', () => {
    const eks = readManifestFile(path.join(k8s, 'overlays/aws/cluster/eksctl-cluster.yaml'))[0] as any;
    const groups = Object.fromEntries(eks.managedNodeGroups.map((g: any) => [g.name, g]));
    expect([groups.system.instanceType, groups.apps.instanceType, groups.gpu.instanceType]).toEqual([
      't3.medium',
      't3.large',
      'g4dn.xlarge',
    ]);
    expect(groups.gpu.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    const aks = fs.readFileSync(path.join(k8s, 'overlays/azure/cluster/aks-cluster.sh'), 'utf8');
    expect(aks).toContain('--node-taints nvidia.com/gpu=present:NoSchedule');
    for (const pool of ['system', 'apps', 'gpu']) expect(aks).toContain(`aic.io/node-pool=${pool}`);
    const extra = [
      ...fs.readdirSync(path.join(k8s, 'argocd')).map((f) => path.join(k8s, 'argocd', f)),
      path.join(k8s, 'cluster/istio-operator.yaml'),
    ].flatMap(readManifestFile);
    expect(extra.flatMap(validateObject)).toEqual([]);
    const apps = extra
      .filter((o) => o.kind === 'Application')
      .map((a) => (a.spec as any).source.path)
      .sort();
    expect(apps).toEqual(['k8s/overlays/aws', 'k8s/overlays/azure']);
    for (const p of apps) expect(fs.existsSync(path.join(root, p, 'kustomization.yaml'))).toBe(true);
  });
});

describe('k8s supergraph', () => {
  it(`is in sync with the repository's composition (run: npm run compose)`, () => {
    const services = serviceGraphqlUrls(renderKustomization(path.join(k8s, 'base')));
    const copy = fs.readFileSync(path.join(root, K8S_SUPERGRAPH_PATH), 'utf8');
    const expected = buildK8sSupergraph(root, services);
    // Until the lead checks in supergraph.graphql, subgraph SDLs change under everyone's feet: then only
    // the subgraph set and their URLs must match; once it exists, the copy must be exact.
    if (fs.existsSync(path.join(root, 'supergraph.graphql'))) expect(copy).toBe(expected);
    else expect(routingUrls(copy)).toEqual(routingUrls(expected));
  });
});

describe('container images', () => {
  const read = (f: string) => parseDockerfile(fs.readFileSync(path.join(root, f), 'utf8'));

  it('CPU and GPU images run as uid 1000 from a production install; the GPU one installs CUDA 12 and prefers cuda', () => {
    for (const [file, install, providers] of [
      ['Dockerfile', 'skip', 'cpu'],
      ['Dockerfile.gpu', 'cuda12', 'cuda,cpu'],
    ] as const) {
      const stages = read(file);
      const deps = stages.find((s) => s.name === 'deps')!;
      const runtime = stages.at(-1)!;
      expect(deps.env.ONNXRUNTIME_NODE_INSTALL, file).toBe(install);
      expect(deps.runs.join(' '), file).toContain('npm ci --omit=dev');
      expect(runtime.user, file).toBe('1000:1000');
      expect(runtime.env.NODE_ENV, file).toBe('production');
      expect(runtime.env.AIC_INFERENCE_PROVIDERS, file).toBe(providers);
      expect(
        runtime.copies.map((c) => c.from),
        file,
      ).toEqual(expect.arrayContaining(['deps', 'build']));
    }
    expect(read('Dockerfile.gpu').at(-1)!.from).toMatch(/^\$\{CUDA_IMAGE\}$/);
  });

  it('both images run the current Node LTS (24), one release for both, a version package.json engines supports', () => {
    const releases = ['Dockerfile', 'Dockerfile.gpu'].map((f) =>
      /^ARG NODE_IMAGE=node:(\d+)\.(\d+)\.(\d+)-bookworm-slim$/m
        .exec(fs.readFileSync(path.join(root, f), 'utf8'))
        ?.slice(1)
        .join('.'),
    );
    expect(releases[0]).toMatch(/^24\./);
    expect(releases[1]).toBe(releases[0]);
    const engines = (
      JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    expect(engines.split('||').map((r) => r.trim())).toEqual(['^20.19.0', '^24.0.0']);
  });

  it('the manifests run the images these Dockerfiles build, with commands that exist in the build', () => {
    for (const o of renderKustomization(path.join(k8s, 'base'))) {
      const spec = (o.spec as any)?.template?.spec;
      if (!spec || o.metadata.namespace === 'aic-observability') continue;
      for (const c of spec.containers) {
        expect(c.image, `${o.metadata.name}`).toMatch(/^ghcr\.io\/aic-platform\/aic-platform(-gpu)?:/);
        const args = (c.args ?? []) as string[];
        const script = args.findIndex((a) => !a.startsWith('-'));
        const entry = String(args[script])
          .replace(/^dist\//, '')
          .replace(/\.js$/, '.ts');
        if (o.kind !== 'Job') expect(fs.existsSync(path.join(root, entry)), entry).toBe(true);
        // A service's API Deployment starts node with that service's flags (what `npm start` and the benchmarks use).
        const service = SERVICES[o.metadata.name as ServiceName];
        if (o.kind === 'Deployment' && service)
          expect(args.slice(0, script), o.metadata.name).toEqual(service.nodeFlags);
        else expect(script, `${o.metadata.name}: node flags only where lib/contracts SERVICES says`).toBe(0);
      }
    }
  });

  it("the images' default commands start their service with its node flags", () => {
    for (const [file, service] of [
      ['Dockerfile', 'gateway'],
      ['Dockerfile.gpu', 'inference'],
    ] as const) {
      const cmd = read(file).at(-1)!.cmd!;
      expect(cmd.slice(0, -1), file).toEqual(SERVICES[service].nodeFlags);
      expect(cmd.at(-1), file).toBe(
        service === 'gateway' ? 'dist/gateway/src/main.js' : 'dist/subgraphs/inference/src/main.js',
      );
    }
  });
});

describe('observability', () => {
  it('dashboard panels and alert rules query metrics the services export', () => {
    const dash = JSON.parse(
      fs.readFileSync(path.join(k8s, 'base/observability/dashboards/aic-gateway-inference.json'), 'utf8'),
    );
    const exprs: string[] = dash.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const rules = readManifestFile(path.join(k8s, 'base/observability/monitoring.yaml')).find(
      (o) => o.kind === 'PrometheusRule',
    )!;
    const ruleExprs: string[] = (rules.spec as any).groups.flatMap((g: any) => g.rules.map((r: any) => r.expr));
    const alerts: string[] = (rules.spec as any).groups.flatMap((g: any) =>
      g.rules.map((r: any) => r.alert).filter(Boolean),
    );
    expect(alerts).toEqual(
      expect.arrayContaining([
        'AicGraphQLErrorRateHigh',
        'AicGraphQLLatencyHigh',
        'AicGpuSaturated',
        'AicTrainingJobFailed',
      ]),
    );
    // Metric names the code registers (lib/src/metrics.ts, gateway, inference) or the cluster add-ons export.
    const exported =
      /^(graphql_operations_total|graphql_operation_duration_seconds_bucket|graphql_active_subscriptions|http_request_duration_seconds_count|inference_\w+|DCGM_\w+|kube_\w+|up|service:[\w:]+|inference:[\w:]+)$/;
    const source = [
      'lib/src/metrics.ts',
      'gateway/src/observability/metrics.ts',
      'subgraphs/inference/src/serving/inference.metrics.ts',
    ]
      .map((f) => fs.readFileSync(path.join(root, f), 'utf8'))
      .join('\n');
    for (const expr of [...exprs, ...ruleExprs]) {
      for (const name of metricNames(expr)) {
        expect(name, expr).toMatch(exported);
        const base = name.replace(/_(bucket|sum|count)$/, '');
        if (/^(graphql_|http_|inference_)/.test(base))
          expect(source, `${base} is not registered in the code`).toContain(`'${base}'`);
      }
    }
  });
});
