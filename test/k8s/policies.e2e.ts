// The mesh and network policies against the one map of who calls whom (lib/contracts SERVICE_CALLS,
// INTERNAL_ROUTES, SERVICE_INFRASTRUCTURE): the checked-in YAML is the generator's output; in the
// rendered overlays every call in the map gets through (NetworkPolicy egress and ingress, Istio
// AuthorizationPolicy, evaluated by test/k8s/support/policy-eval.ts) and every other one is stopped;
// and the services' code calls no peer and uses no infrastructure the map lacks.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVES_UPLOADS, SERVICE_INFRASTRUCTURE } from '../../lib/contracts/infrastructure';
import { INTERNAL_ROUTES, routeUrl, type InternalRoute } from '../../lib/contracts/routes';
import { SERVICE_CALLS, SUBGRAPH_NAMES, type ServiceName, type SubgraphName } from '../../lib/contracts/services';
import { REST_ROUTES } from '../../gateway/src/transport/http-routes';
import { INFRA_PORTS, POLICY_FILES, REGENERATE_COMMAND, generatePolicyFiles } from '../../k8s/tools/policies';
import { podSpecs, renderKustomization, type K8sObject } from '../../k8s/tools/render';
import { evaluate, type Endpoint } from './support/policy-eval';

const root = path.resolve(__dirname, '..', '..');
const SERVICES: ServiceName[] = ['gateway', ...SUBGRAPH_NAMES];

describe('generated policies', () => {
  it(`the checked-in policy YAML is the generator's output (regenerate: ${REGENERATE_COMMAND})`, () => {
    const generated = generatePolicyFiles(root);
    for (const key of Object.keys(POLICY_FILES) as (keyof typeof POLICY_FILES)[]) {
      const file = POLICY_FILES[key];
      const checkedIn = fs.readFileSync(path.join(root, file), 'utf8');
      expect(checkedIn === generated[key], `${file} is stale: run \`${REGENERATE_COMMAND}\``).toBe(true);
    }
  });
});

/** A workload as it runs: its pod, and the service whose code (calls) it runs. */
interface Running {
  name: string;
  runs: ServiceName;
  pod: Endpoint;
  httpPort: number | null;
}

function workloads(objects: K8sObject[]): Running[] {
  const out: Running[] = [];
  for (const o of objects) {
    const isService = o.kind === 'Deployment' && (SERVICES as string[]).includes(o.metadata.name);
    const isTraining = o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/component'] === 'training';
    if (!isService && !isTraining) continue;
    const spec = podSpecs(o)[0] as Record<string, any>;
    const http = (spec.containers[0].ports ?? []).find((p: any) => p.name === 'http');
    out.push({
      name: isTraining ? 'training' : o.metadata.name,
      runs: isTraining ? 'models' : (o.metadata.name as ServiceName),
      pod: {
        namespace: o.metadata.namespace,
        labels: (o.spec as any).template.metadata.labels,
        serviceAccount: spec.serviceAccountName,
      },
      httpPort: http ? http.containerPort : null,
    });
  }
  return out;
}

/** A concrete request path for a route (its parameters filled in). */
const pathOf = (r: InternalRoute) => new URL(routeUrl('http://x', r, { id: 'id-1', token: 't-1' })).pathname;

interface Probe {
  method: string;
  path: string;
  what: string;
}

/** Every kind of request a service serves to other workloads. */
function probesOf(service: SubgraphName): Probe[] {
  const probes: Probe[] = [
    { method: 'POST', path: '/graphql', what: 'graphql' },
    { method: 'GET', path: '/graphql', what: 'graphql (ws)' },
    { method: 'PUT', path: '/uploads/u-1', what: 'upload' },
    { method: 'GET', path: '/downloads/t-1', what: 'download' },
    { method: 'GET', path: '/internal/admin', what: 'an internal path no route declares' },
  ];
  for (const [name, r] of Object.entries(INTERNAL_ROUTES))
    if (r.service === service) probes.push({ method: r.method, path: pathOf(r), what: name });
  for (const r of REST_ROUTES.filter((x) => x.service === service))
    for (const sub of r.only ?? [''])
      probes.push({ method: 'GET', path: `${r.upstream}${sub ? `/${sub}` : ''}/x`, what: `REST ${r.prefix}` });
  return probes;
}

const restPaths = (r: (typeof REST_ROUTES)[number]) =>
  r.only ? r.only.map((o) => `${r.upstream}/${o}`) : [r.upstream];

/** Whether the map (read here directly, not through the generator) lets `from` send `probe` to `to`. */
function mapAllows(from: ServiceName, to: SubgraphName, probe: Probe): boolean {
  const via = SERVICE_CALLS.filter((c) => c.from === from && c.to === to).flatMap((c) => c.via);
  if (via.length === 0) return false;
  if (probe.what === 'graphql') return via.includes('graphql');
  if (probe.what === 'graphql (ws)') return from === 'gateway' && via.includes('graphql');
  if (from === 'gateway' && probe.what === 'upload') return (SERVES_UPLOADS as readonly string[]).includes(to);
  if (from === 'gateway' && probe.what === 'download') return (SERVES_UPLOADS as readonly string[]).includes(to);
  // The gateway forwards its REST routes' paths whatever the route (catalog's lineage route among them).
  if (
    from === 'gateway' &&
    REST_ROUTES.some(
      (r) => r.service === to && restPaths(r).some((p) => probe.path === p || probe.path.startsWith(`${p}/`)),
    )
  )
    return true;
  if (probe.what.startsWith('REST ')) return false;
  return via.includes(probe.what);
}

const EXTERNAL: Endpoint = { ip: '10.20.30.40' };
const DNS: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const ISTIOD: Endpoint = { namespace: 'istio-system', labels: { app: 'istiod' } };
const INGRESS_GATEWAY: Endpoint = {
  namespace: 'istio-system',
  labels: { istio: 'ingressgateway' },
  serviceAccount: 'istio-ingressgateway-service-account',
};
const PROMETHEUS: Endpoint = { namespace: 'monitoring', labels: { app: 'prometheus' }, serviceAccount: 'prometheus' };

describe.each(['aws', 'azure'])('k8s/overlays/%s policies', (overlay) => {
  let objects: K8sObject[];
  let running: Running[];
  const get = (name: string) => running.find((w) => w.name === name)!;
  const call = (from: string, to: string, method: string, p: string) =>
    evaluate(objects, { from: get(from).pod, to: get(to).pod, port: get(to).httpPort!, method, path: p });

  beforeAll(() => {
    objects = renderKustomization(path.join(root, 'k8s', 'overlays', overlay));
    running = workloads(objects);
    expect(running.map((w) => w.name).sort()).toEqual([...SERVICES, 'training'].sort());
  });

  it('lets through every call in the map: the egress of the caller, the ingress and the AuthorizationPolicy of the callee', () => {
    let checked = 0;
    for (const c of SERVICE_CALLS) {
      for (const w of running.filter((x) => x.runs === c.from)) {
        for (const via of c.via) {
          const route =
            via === 'graphql'
              ? { method: 'POST', path: '/graphql' }
              : INTERNAL_ROUTES[via as keyof typeof INTERNAL_ROUTES];
          const p = via === 'graphql' ? '/graphql' : pathOf(route as InternalRoute);
          const verdict = call(w.name, c.to, route.method, p);
          expect(verdict, `${w.name} → ${c.to} ${route.method} ${p}`).toEqual({ allowed: true });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('lets through the three calls that were blocked: synthetic → catalog, models → catalog, apps → inference', () => {
    expect(call('synthetic', 'catalog', 'GET', '/internal/datasets/d-1/content')).toEqual({ allowed: true });
    expect(call('synthetic', 'catalog', 'POST', '/internal/datasets')).toEqual({ allowed: true });
    expect(call('models', 'catalog', 'POST', '/graphql')).toEqual({ allowed: true });
    expect(call('training', 'catalog', 'POST', '/graphql')).toEqual({ allowed: true });
    expect(call('apps', 'inference', 'POST', '/graphql')).toEqual({ allowed: true });
  });

  it('allows exactly the map: every workload, every service, every kind of request', () => {
    const wrong: string[] = [];
    for (const w of running) {
      for (const to of SUBGRAPH_NAMES) {
        for (const probe of probesOf(to)) {
          const expected = mapAllows(w.runs, to, probe);
          const verdict = call(w.name, to, probe.method, probe.path);
          if (verdict.allowed !== expected)
            wrong.push(
              `${w.name} → ${to} ${probe.method} ${probe.path}: ${verdict.allowed ? 'allowed' : verdict.reason}, map says ${expected ? 'allow' : 'deny'}`,
            );
        }
      }
      // Nobody but the ingress gateway calls the gateway.
      if (call(w.name, 'gateway', 'POST', '/graphql').allowed) wrong.push(`${w.name} → gateway allowed`);
    }
    expect(wrong).toEqual([]);
  });

  it('denies pairs outside the map at the network and in the mesh: synthetic → identity admin, inference → apps', () => {
    const admin = call('synthetic', 'identity', 'POST', '/graphql');
    expect(admin.allowed).toBe(false);
    expect(admin.reason).toMatch(/AuthorizationPolicy/);
    expect(call('synthetic', 'identity', 'GET', '/internal/signing-keys').allowed).toBe(false);
    expect(call('synthetic', 'identity', 'GET', pathOf(INTERNAL_ROUTES.jwks))).toEqual({ allowed: true });
    const apps = call('inference', 'apps', 'POST', '/graphql');
    expect(apps.allowed).toBe(false);
    expect(apps.reason).toMatch(/NetworkPolicy egress at aic-ai\/inference/);
    // Even with the network open, the mesh says no: the AuthorizationPolicy alone.
    const meshOnly = objects.filter((o) => o.kind !== 'NetworkPolicy');
    const inMesh = evaluate(meshOnly, {
      from: get('inference').pod,
      to: get('apps').pod,
      port: get('apps').httpPort!,
      method: 'POST',
      path: '/graphql',
    });
    expect(inMesh.allowed).toBe(false);
    expect(call('catalog', 'models', 'GET', pathOf(INTERNAL_ROUTES.modelVersion)).allowed).toBe(false);
  });

  it('the public API enters only through the ingress gateway, to the gateway', () => {
    const gw = get('gateway');
    expect(
      evaluate(objects, { from: INGRESS_GATEWAY, to: gw.pod, port: gw.httpPort!, method: 'POST', path: '/graphql' }),
    ).toEqual({ allowed: true });
    for (const s of SUBGRAPH_NAMES) {
      const w = get(s);
      expect(
        evaluate(objects, { from: INGRESS_GATEWAY, to: w.pod, port: w.httpPort!, method: 'POST', path: '/graphql' })
          .allowed,
        s,
      ).toBe(false);
    }
  });

  it('each workload reaches DNS, istiod and the collector, and exactly the infrastructure its code uses', () => {
    const collector = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'otel-collector')!;
    const otel: Endpoint = {
      namespace: collector.metadata.namespace,
      labels: (collector.spec as any).template.metadata.labels,
    };
    const wrong: string[] = [];
    for (const w of running) {
      const infra = { ...SERVICE_INFRASTRUCTURE[w.runs] };
      if (w.name === 'training') {
        infra.kubernetesApi = false;
        infra.redis = ((podSpecs(objects.find((o) => o.kind === 'Job')!)[0] as any).containers[0].env ?? []).some(
          (e: any) => e.name === 'REDIS_URL',
        );
      }
      const to = (target: Endpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP') =>
        evaluate(objects, { from: w.pod, to: target, port, protocol }).allowed;
      const expectations: [string, boolean, boolean][] = [
        ['DNS udp', to(DNS, INFRA_PORTS.dns, 'UDP'), true],
        ['DNS tcp', to(DNS, INFRA_PORTS.dns), true],
        ['istiod', to(ISTIOD, INFRA_PORTS.istiod), true],
        ['OTLP http', to(otel, 4318), true],
        ['OTLP grpc (sidecar)', to(otel, 4317), true],
        ['PostgreSQL', to(EXTERNAL, INFRA_PORTS.postgresql), infra.database],
        ['MongoDB', to(EXTERNAL, INFRA_PORTS.mongodb), infra.database],
        ['Redis', to(EXTERNAL, INFRA_PORTS.redis[0]), infra.redis],
        [
          'HTTPS (object storage, Kubernetes API)',
          to(EXTERNAL, INFRA_PORTS.https),
          infra.objectStore || infra.kubernetesApi || infra.oidcIssuers,
        ],
        ['SSH', to(EXTERNAL, 22), false],
        [
          'a cluster DNS lookalike outside kube-system',
          to({ namespace: 'default', labels: { 'k8s-app': 'kube-dns' } }, INFRA_PORTS.dns, 'UDP'),
          false,
        ],
      ];
      for (const [what, actual, expected] of expectations)
        if (actual !== expected) wrong.push(`${w.name} → ${what}: ${actual ? 'allowed' : 'denied'}`);
      if (w.httpPort !== null) {
        // Prometheus scrapes the sidecar's merged metrics, not the service port.
        if (!evaluate(objects, { from: PROMETHEUS, to: w.pod, port: INFRA_PORTS.sidecarMetrics }).allowed)
          wrong.push(`prometheus → ${w.name} metrics denied`);
        if (evaluate(objects, { from: PROMETHEUS, to: w.pod, port: w.httpPort }).allowed)
          wrong.push(`prometheus → ${w.name} service port allowed`);
      }
    }
    expect(wrong).toEqual([]);
    // Why kubelet probes need no rule: they are HTTP probes, which Istio rewrites to the sidecar agent
    // (15020, outside Envoy's inbound chain) unless a pod turns the rewrite off; they come from the node,
    // which NetworkPolicy always admits.
    for (const o of objects.filter((x) => x.kind === 'Deployment' && x.metadata.namespace?.startsWith('aic-'))) {
      const template = (o.spec as any).template;
      expect(template.metadata.annotations?.['sidecar.istio.io/rewriteAppHTTPProbers'], o.metadata.name).not.toBe(
        'false',
      );
      for (const c of template.spec.containers)
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'])
          if (c[probe]) expect(c[probe].httpGet, `${o.metadata.name} ${probe}`).toBeDefined();
    }
    // The reason no AuthorizationPolicy rule is needed for Prometheus: it scrapes the sidecar's port.
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'aic-platform')!;
    const portName = (monitor.spec as any).endpoints[0].port;
    const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'catalog')!;
    expect((svc.spec as any).ports.find((p: any) => p.name === portName).targetPort).toBe(INFRA_PORTS.sidecarMetrics);
  });
});

// ---- the code against the map ----

const sourceFiles = (dir: string): string[] =>
  !fs.existsSync(dir)
    ? []
    : fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? sourceFiles(p) : /(?<!\.test)\.ts$/.test(e.name) ? [p] : [];
      });
const dirOf = (s: ServiceName) => path.join(root, s === 'gateway' ? 'gateway/src' : `subgraphs/${s}/src`);
const parsed = new Map<ServiceName, ts.SourceFile[]>(
  SERVICES.map((s) => [
    s,
    sourceFiles(dirOf(s)).map((f) => ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true)),
  ]),
);
const textOf = (s: ServiceName) =>
  parsed
    .get(s)!
    .map((sf) => sf.text)
    .join('\n');

/** The typed clients of lib/contracts (`*.client.ts`): class name → the routes its methods call. */
function contractClients(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const dir = path.join(root, 'lib', 'contracts');
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.client.ts'))) {
    const sf = ts.createSourceFile(f, fs.readFileSync(path.join(dir, f), 'utf8'), ts.ScriptTarget.ES2022, true);
    sf.forEachChild((n) => {
      if (!ts.isClassDeclaration(n) || !n.name) return;
      const routes = new Set<string>();
      const visit = (x: ts.Node): void => {
        if (ts.isPropertyAccessExpression(x) && x.expression.getText() === 'INTERNAL_ROUTES') routes.add(x.name.text);
        x.forEachChild(visit);
      };
      visit(n);
      out.set(n.name.text, routes);
    });
  }
  return out;
}

interface FoundCall {
  to: SubgraphName;
  /** graphql, a route name, or `url` (it reads the peer's URL variable). */
  kind: string;
  where: string;
}

/** The peer calls in a service's code: URL variables it reads, typed clients it builds, GraphQL URLs it forms, lineage it emits. */
function callsInCode(s: ServiceName): FoundCall[] {
  const found: FoundCall[] = [];
  const clients = contractClients();
  for (const sf of parsed.get(s)!) {
    const where = (n: ts.Node) =>
      `${path.relative(root, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    let className = '';
    const visit = (n: ts.Node): void => {
      if (ts.isClassDeclaration(n) && n.name) className = n.name.text;
      if (ts.isCallExpression(n) && n.expression.getText() === 'urlEnvOf' && ts.isStringLiteral(n.arguments[0]!))
        found.push({ to: n.arguments[0].text as SubgraphName, kind: 'url', where: where(n) });
      if (ts.isNewExpression(n) && clients.has(n.expression.getText())) {
        const routes = clients.get(n.expression.getText())!;
        const services = new Set([...routes].map((r) => INTERNAL_ROUTES[r as keyof typeof INTERNAL_ROUTES].service));
        for (const to of services) found.push({ to, kind: `client ${n.expression.getText()}`, where: where(n) });
      }
      if (
        ts.isCallExpression(n) &&
        /^(createOpenLineageEmitter|new LineageEmitter|LineageReporter\.forService)$/.test(n.expression.getText())
      )
        found.push({ to: 'catalog', kind: 'lineage', where: where(n) });
      // A GraphQL URL handed to a call or a client (not, say, a log line with the service's own URL).
      if (
        ts.isTemplateExpression(n) &&
        n.templateSpans.at(-1)!.literal.text === '/graphql' &&
        (ts.isCallExpression(n.parent) || ts.isNewExpression(n.parent))
      ) {
        const expr = n.templateSpans.at(-1)!.expression.getText();
        const byVar = /(\w+)Url$/.exec(expr)?.[1];
        const byClass = SUBGRAPH_NAMES.find((name) => className.toLowerCase().startsWith(name));
        const to = SUBGRAPH_NAMES.find((name) => name === byVar) ?? byClass;
        found.push({ to: to ?? ('?' as SubgraphName), kind: 'graphql', where: `${where(n)} ${n.getText()}` });
      }
      n.forEachChild(visit);
    };
    visit(sf);
  }
  return found;
}

describe('the code against the map', () => {
  // Every service reads the identity URL through lib (loadBaseConfig / the gateway's config) for its auth routes.
  const identityUrlInLib = fs.readFileSync(path.join(root, 'lib/src/env.ts'), 'utf8').includes("urlEnvOf('identity')");

  it('the scan sees the calls (it is not vacuous)', () => {
    expect(identityUrlInLib).toBe(true);
    const kinds = (s: ServiceName) => callsInCode(s).map((c) => `${c.to}:${c.kind}`);
    expect(kinds('apps')).toEqual(
      expect.arrayContaining(['inference:url', 'inference:graphql', 'schemas:client SchemasInternalClient']),
    );
    expect(kinds('models')).toEqual(expect.arrayContaining(['catalog:graphql', 'catalog:lineage']));
    expect(kinds('synthetic')).toEqual(
      expect.arrayContaining(['catalog:client CatalogInternalClient', 'catalog:lineage']),
    );
    expect(kinds('inference')).toEqual(expect.arrayContaining(['models:client ModelsInternalClient']));
  });

  it('fails when a service calls a peer the map lacks (URL variables, typed clients, GraphQL URLs, lineage)', () => {
    const missing: string[] = [];
    for (const s of SERVICES) {
      for (const c of callsInCode(s)) {
        const via = SERVICE_CALLS.filter((x) => x.from === s && x.to === c.to).flatMap((x) => x.via);
        const clientRoutes = c.kind.startsWith('client ') ? [...contractClients().get(c.kind.slice(7))!] : [];
        const ok =
          c.kind === 'url'
            ? via.length > 0
            : c.kind === 'graphql'
              ? via.includes('graphql')
              : c.kind === 'lineage'
                ? via.includes('lineage')
                : clientRoutes.some((r) => via.includes(r));
        if (!ok) missing.push(`${s} → ${c.to} (${c.kind}) at ${c.where}: not in SERVICE_CALLS`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('lists no call the code does not make', () => {
    const stale: string[] = [];
    for (const c of SERVICE_CALLS) {
      if (c.to === 'identity' && identityUrlInLib) continue; // lib's auth: every service
      if (c.from === 'gateway') continue; // the gateway routes by the supergraph
      const found = callsInCode(c.from).filter((f) => f.to === c.to);
      if (!found.some((f) => f.kind === 'url')) stale.push(`${c.from} → ${c.to}: the code reads no ${c.to} URL`);
      for (const via of c.via) {
        const made = found.some((f) =>
          via === 'graphql'
            ? f.kind === 'graphql'
            : via === 'lineage'
              ? f.kind === 'lineage'
              : f.kind.startsWith('client ') && contractClients().get(f.kind.slice(7))!.has(via),
        );
        if (!made) stale.push(`${c.from} → ${c.to} via ${via}: no such call in the code`);
      }
    }
    expect(stale).toEqual([]);
  });

  it('SERVICE_INFRASTRUCTURE and SERVES_UPLOADS say what the code uses', () => {
    const wrong: string[] = [];
    for (const s of SERVICES) {
      const text = textOf(s);
      const infra = SERVICE_INFRASTRUCTURE[s];
      const baseConfig = text.includes('loadBaseConfig(');
      const uses = {
        database: text.includes('createOrm(') || text.includes('subgraphOrm('),
        redis: baseConfig || /\bREDIS_URL\b/.test(text),
        objectStore: text.includes('createArtifactStore('),
        kubernetesApi: text.includes('@kubernetes/client-node'),
        oidcIssuers: text.includes('createRemoteJWKSet('),
      };
      for (const [k, used] of Object.entries(uses) as [keyof typeof uses, boolean][]) {
        if (used && !infra[k]) wrong.push(`${s} uses ${k} but SERVICE_INFRASTRUCTURE.${s}.${k} is false`);
        // The Kubernetes API may be listed ahead of its client (models' training executor).
        if (!used && infra[k] && k !== 'kubernetesApi') wrong.push(`${s} does not use ${k}`);
      }
      const uploads = text.includes('createUploadManager(');
      if (uploads !== (SERVES_UPLOADS as readonly string[]).includes(s)) wrong.push(`${s}: SERVES_UPLOADS is wrong`);
    }
    expect(wrong).toEqual([]);
    expect(fs.readFileSync(path.join(root, 'lib/src/env.ts'), 'utf8')).toContain("getEnvStr(env, 'REDIS_URL')");
  });
});
