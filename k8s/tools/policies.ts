// Generates the mesh and network policies from lib/contracts, so policies and code cannot drift:
// k8s/base/istio/security.yaml (PeerAuthentication + one AuthorizationPolicy per service) and
// k8s/base/network-policies.yaml (default deny of ingress and egress, then per workload exactly the
// ingress from its callers and the egress to its peers and infrastructure).
//
// Sources: who calls whom and over which route is SERVICE_CALLS + INTERNAL_ROUTES; what the gateway
// forwards besides GraphQL is its own REST_ROUTES and upload/download proxy; what each service reaches
// outside the platform is SERVICE_INFRASTRUCTURE; namespaces, labels, service accounts and ports come
// from the Deployments in k8s/base/services and k8s/base/workers and the training Job template; the OTLP ports from
// platform.env (applications) and cluster/istio-operator.yaml (sidecars).
//
// Regenerate: `npm run k8s:policies` (test/k8s/policies.e2e.ts fails while the checked-in files differ).
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { SERVES_UPLOADS, SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '../../lib/contracts/infrastructure';
import { INTERNAL_ROUTES, type InternalRouteName } from '../../lib/contracts/routes';
import { SERVICE_CALLS, SUBGRAPH_NAMES, type ServiceName, type SubgraphName } from '../../lib/contracts/services';
import { REST_ROUTES } from '../../gateway/src/transport/http-routes';
import { podSpecs, readManifestFile, type K8sObject } from './render';

/** The files this generator owns, relative to the repository root. */
export const POLICY_FILES = {
  networkPolicies: 'k8s/base/network-policies.yaml',
  security: 'k8s/base/istio/security.yaml',
} as const;

export const REGENERATE_COMMAND = 'npm run k8s:policies';

/** The services with a job worker Deployment (`<name>-worker`, their `worker.ts` entry point). */
export const WORKER_SERVICES = [
  'models',
  'inference',
  'synthetic',
  'catalog',
] as const satisfies readonly SubgraphName[];

const PART_OF = { 'app.kubernetes.io/part-of': 'aic-platform' };
const NAME_LABEL = 'app.kubernetes.io/name';
const NS_LABEL = 'kubernetes.io/metadata.name';

/** Ports of things outside the platform's own code (their standard ports). */
export const INFRA_PORTS = {
  dns: 53,
  postgresql: 5432,
  mongodb: 27017,
  /** Redis; 6380 is Azure Cache for Redis over TLS. */
  redis: [6379, 6380],
  /** Object storage (S3, Azure Blob), cloud token endpoints (IRSA / workload identity) and the Kubernetes API. */
  https: 443,
  /** istiod: the sidecar's configuration (xDS) and certificates. */
  istiod: 15012,
  /** The sidecar's merged Prometheus endpoint (pilot-agent, outside Envoy's inbound chain). */
  sidecarMetrics: 15020,
} as const;

/** Who runs where: a Deployment of a service, or the training Job (which runs models' code). */
export interface Workload {
  name: string;
  /** The service whose code (and so whose calls) it runs. */
  runs: ServiceName;
  namespace: string;
  serviceAccount: string;
  /** The pod's app.kubernetes.io/name. */
  podName: string;
  /** The container port named `http`, when it serves. */
  httpPort: number | null;
  infrastructure: ServiceInfrastructure;
  /** Where the workload is defined. */
  source: string;
}

export interface PolicyInputs {
  workloads: Workload[];
  /** Platform namespaces (those with the aic.io/platform label). */
  namespaces: string[];
  otlp: { appPort: number; sidecarPort: number; namespace: string; podName: string };
}

type Json = Record<string, unknown>;

function manifest(root: string, rel: string): K8sObject[] {
  return readManifestFile(path.join(root, rel));
}

function envFile(root: string, rel: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(root, rel), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Reads namespaces, labels, service accounts and ports from the base manifests. */
export function loadPolicyInputs(root: string): PolicyInputs {
  const workloadOf = (o: K8sObject, runs: ServiceName, source: string, infra: ServiceInfrastructure): Workload => {
    const pod = podSpecs(o)[0];
    if (!pod) throw new Error(`${source}: ${o.metadata.name} has no pod template`);
    const labels =
      (o.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template?.metadata
        ?.labels ?? {};
    const http = (pod.containers[0]?.ports ?? []).find((p) => p.name === 'http');
    return {
      name: o.metadata.name === 'training-gpu-template' ? 'training' : o.metadata.name,
      runs,
      namespace: o.metadata.namespace!,
      serviceAccount: pod.serviceAccountName ?? 'default',
      podName: labels[NAME_LABEL]!,
      httpPort: http ? Number(http.containerPort) : null,
      infrastructure: infra,
      source,
    };
  };
  const services: ServiceName[] = ['gateway', ...SUBGRAPH_NAMES];
  const workloads = services.map((name) => {
    const source = `k8s/base/services/${name}.yaml`;
    const d = manifest(root, source).find((o) => o.kind === 'Deployment' && o.metadata.name === name);
    if (!d) throw new Error(`${source}: no Deployment ${name}`);
    return workloadOf(d, name, source, SERVICE_INFRASTRUCTURE[name]);
  });
  // The job workers (k8s/base/workers/<service>-worker.yaml) run their service's code: its calls and its
  // infrastructure (models-worker also submits the training Jobs), under their own pod labels.
  for (const name of WORKER_SERVICES) {
    const source = `k8s/base/workers/${name}-worker.yaml`;
    const d = manifest(root, source).find((o) => o.kind === 'Deployment' && o.metadata.name === `${name}-worker`);
    if (!d) throw new Error(`${source}: no Deployment ${name}-worker`);
    workloads.push(workloadOf(d, name, source, SERVICE_INFRASTRUCTURE[name]));
  }
  // The training Job runs models' code (training-job.main.ts): models' calls and stores, but it does
  // not submit Jobs itself, and it has Redis only when its pod is given REDIS_URL.
  const jobSource = 'k8s/base/training/job-template.yaml';
  const job = manifest(root, jobSource).find((o) => o.kind === 'Job')!;
  const jobEnv = (podSpecs(job)[0]?.containers[0]?.env ?? []).map((e) => e.name);
  workloads.push(
    workloadOf(job, 'models', jobSource, {
      ...SERVICE_INFRASTRUCTURE.models,
      redis: jobEnv.includes('REDIS_URL'),
      kubernetesApi: false,
    }),
  );
  const namespaces = manifest(root, 'k8s/base/namespaces.yaml')
    .filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['aic.io/platform'] === 'true')
    .map((o) => o.metadata.name);
  const endpoint = new URL(envFile(root, 'k8s/base/config/platform.env').OTEL_EXPORTER_OTLP_ENDPOINT!);
  const operator = manifest(root, 'k8s/cluster/istio-operator.yaml')[0]!;
  type ExtensionProvider = { opentelemetry?: { service: string; port: number } };
  const providers =
    (operator.spec as { meshConfig?: { extensionProviders?: ExtensionProvider[] } } | undefined)?.meshConfig
      ?.extensionProviders ?? [];
  const otel = providers.find((p) => p.opentelemetry)?.opentelemetry;
  if (!otel) throw new Error('k8s/cluster/istio-operator.yaml: no opentelemetry extension provider');
  const [collector, collectorNs] = endpoint.hostname.split('.');
  if (otel.service.split('.')[0] !== collector || otel.service.split('.')[1] !== collectorNs)
    throw new Error('platform.env and istio-operator.yaml send spans to different collectors');
  return {
    workloads,
    namespaces,
    otlp: { appPort: Number(endpoint.port), sidecarPort: otel.port, namespace: collectorNs!, podName: collector! },
  };
}

// ---- what each workload may call ----

/** One request kind a caller sends a service: Istio operation fields, and where it comes from. */
export interface Operation {
  methods?: string[];
  paths: string[];
  why: string;
}

/** An Istio path for an Express route: exact, or a prefix match up to the first parameter. */
export function istioPath(expressPath: string): string {
  const at = expressPath.indexOf('/:');
  return at < 0 ? expressPath : `${expressPath.slice(0, at)}/*`;
}

/** The operations of one SERVICE_CALLS `via` entry. */
function operationsOf(from: ServiceName, via: string): Operation[] {
  if (via === 'graphql')
    return [
      {
        // The gateway also opens graphql-ws subscriptions (a GET upgrade); services POST.
        methods: from === 'gateway' ? ['GET', 'POST'] : ['POST'],
        paths: ['/graphql'],
        why: 'graphql',
      },
    ];
  const route = INTERNAL_ROUTES[via as InternalRouteName];
  if (!route) throw new Error(`SERVICE_CALLS: unknown route ${via}`);
  return [{ methods: [route.method], paths: [istioPath(route.path)], why: `${via} (${route.method} ${route.path})` }];
}

/** What the gateway forwards to a subgraph besides GraphQL: its REST routes and the upload proxy. */
function gatewayExtras(to: SubgraphName): Operation[] {
  const ops: Operation[] = [];
  for (const r of REST_ROUTES.filter((x) => x.service === to)) {
    const roots = r.only ? r.only.map((o) => `${r.upstream}/${o}`) : [r.upstream];
    ops.push({
      paths: roots.flatMap((p) => [p, `${p}/*`]),
      why: `REST_ROUTES ${r.prefix} (gateway/src/transport/http-routes.ts)`,
    });
  }
  if ((SERVES_UPLOADS as readonly string[]).includes(to))
    ops.push(
      { methods: ['PUT'], paths: ['/uploads/*'], why: 'the upload proxy, PUT /uploads/:id (SERVES_UPLOADS)' },
      { methods: ['GET'], paths: ['/downloads/*'], why: 'the download proxy, GET /downloads/:token (SERVES_UPLOADS)' },
    );
  return ops;
}

/** The calls of a workload, by callee: every SERVICE_CALLS entry of the service it runs. */
export function callsOf(w: Workload): { to: SubgraphName; operations: Operation[] }[] {
  const out: { to: SubgraphName; operations: Operation[] }[] = [];
  for (const c of SERVICE_CALLS.filter((x) => x.from === w.runs)) {
    let entry = out.find((e) => e.to === c.to);
    if (!entry) {
      entry = { to: c.to, operations: c.from === 'gateway' ? gatewayExtras(c.to) : [] };
      out.push(entry);
    }
    entry.operations.unshift(...c.via.flatMap((v) => operationsOf(c.from, v)));
  }
  return out;
}

/** Operations with the same methods as one (paths together), in first-seen order. */
function mergeOperations(ops: Operation[]): { methods?: string[]; paths: string[] }[] {
  const out: { methods?: string[]; paths: string[] }[] = [];
  for (const op of ops) {
    const same = out.find((o) => (o.methods ?? []).join() === (op.methods ?? []).join());
    if (same) same.paths.push(...op.paths.filter((p) => !same.paths.includes(p)));
    else out.push({ ...(op.methods ? { methods: [...op.methods] } : {}), paths: [...op.paths] });
  }
  return out;
}

// ---- rendering ----

const principal = (w: Workload) => `cluster.local/ns/${w.namespace}/sa/${w.serviceAccount}`;
const INGRESS_GATEWAY_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

const podPeer = (namespace: string, labels: Record<string, string>) => ({
  namespaceSelector: { matchLabels: { [NS_LABEL]: namespace } },
  podSelector: { matchLabels: labels },
});
const workloadLabels = (w: Workload) => ({ [NAME_LABEL]: w.podName, ...PART_OF });
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
/** Anything outside the cluster: managed databases, caches and cloud APIs have no stable addresses. */
const ANYWHERE = [{ ipBlock: { cidr: '0.0.0.0/0' } }];

interface Generated {
  object: K8sObject;
  comment: string;
  /** Comments before items of a list, by path (e.g. ['spec', 'egress']). */
  itemComments?: { at: (string | number)[]; comments: string[] }[];
}

function networkPolicies(inputs: PolicyInputs): Generated[] {
  const out: Generated[] = [];
  const np = (namespace: string, name: string, spec: Json): K8sObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: { ...PART_OF } },
    spec,
  });
  for (const ns of inputs.namespaces) {
    out.push({
      object: np(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      comment: `${ns}: nothing in or out unless a policy below allows it.`,
    });
    out.push({
      object: np(ns, 'allow-dns', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [podPeer('kube-system', { 'k8s-app': 'kube-dns' })],
            ports: [
              { protocol: 'UDP', port: INFRA_PORTS.dns },
              { protocol: 'TCP', port: INFRA_PORTS.dns },
            ],
          },
        ],
      }),
      comment: `${ns}: DNS (kube-dns / CoreDNS) for every pod: service and database host names.`,
    });
    out.push({
      object: np(ns, 'allow-istiod', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [podPeer('istio-system', { app: 'istiod' })], ports: tcp(INFRA_PORTS.istiod) }],
      }),
      comment: `${ns}: the Istio sidecar fetches its configuration and certificates from istiod.`,
    });
    out.push({
      object: np(ns, 'allow-otlp', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [podPeer(inputs.otlp.namespace, { [NAME_LABEL]: inputs.otlp.podName, ...PART_OF })],
            ports: tcp(inputs.otlp.appPort, inputs.otlp.sidecarPort),
          },
        ],
      }),
      comment:
        `${ns}: spans to the OpenTelemetry Collector: OTLP/HTTP ${inputs.otlp.appPort} from the services ` +
        `(OTEL_EXPORTER_OTLP_ENDPOINT, config/platform.env), OTLP/gRPC ${inputs.otlp.sidecarPort} from the sidecars ` +
        `(extensionProviders, cluster/istio-operator.yaml).`,
    });
    out.push({
      object: np(ns, 'allow-metrics-scrape', {
        podSelector: { matchLabels: { ...PART_OF } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { [NS_LABEL]: 'monitoring' } } }],
            ports: tcp(INFRA_PORTS.sidecarMetrics),
          },
        ],
      }),
      comment:
        `${ns}: Prometheus (namespace "monitoring") scrapes the sidecar's merged metrics on ${INFRA_PORTS.sidecarMetrics} ` +
        `(ServiceMonitor aic-platform), never the service port. Kubelet probes come from the node, which ` +
        `NetworkPolicy always admits; Istio rewrites them to the sidecar agent, outside AuthorizationPolicy.`,
    });
  }
  const byName = new Map(inputs.workloads.map((w) => [w.name, w]));
  for (const w of inputs.workloads) {
    // Ingress: from the workloads whose service calls this one.
    if (w.httpPort !== null) {
      const rules: Json[] = [];
      const comments: string[] = [];
      if (w.runs === 'gateway') {
        rules.push({
          from: [podPeer('istio-system', { istio: 'ingressgateway' })],
          ports: tcp(w.httpPort),
        });
        comments.push('the Istio ingress gateway: the public API');
      }
      for (const caller of inputs.workloads) {
        const calls = callsOf(caller).filter((c) => c.to === w.name);
        if (!calls.length) continue;
        rules.push({ from: [podPeer(caller.namespace, workloadLabels(caller))], ports: tcp(w.httpPort) });
        comments.push(
          `${caller.name}: SERVICE_CALLS ${caller.runs} → ${w.name} (${viaOf(caller.runs, w.name as SubgraphName)})`,
        );
      }
      out.push({
        object: np(w.namespace, `${w.name}-ingress`, {
          podSelector: { matchLabels: workloadLabels(w) },
          policyTypes: ['Ingress'],
          ingress: rules,
        }),
        comment: `Who may connect to ${w.name} (${w.source}).`,
        itemComments: [{ at: ['spec', 'ingress'], comments }],
      });
    }
    // Egress: to its peers, then to its infrastructure.
    const rules: Json[] = [];
    const comments: string[] = [];
    for (const c of callsOf(w)) {
      const peer = byName.get(c.to)!;
      rules.push({ to: [podPeer(peer.namespace, workloadLabels(peer))], ports: tcp(peer.httpPort!) });
      comments.push(`${c.to}: SERVICE_CALLS ${w.runs} → ${c.to} (${viaOf(w.runs, c.to)})`);
    }
    const infra = w.infrastructure;
    if (infra.database) {
      rules.push({ to: ANYWHERE, ports: tcp(INFRA_PORTS.postgresql, INFRA_PORTS.mongodb) });
      comments.push('database: DATABASE_URL (createOrm), PostgreSQL 5432 or MongoDB 27017, a managed service');
    }
    if (infra.redis) {
      rules.push({ to: ANYWHERE, ports: tcp(...INFRA_PORTS.redis) });
      comments.push('redis: REDIS_URL, 6379 (6380: Azure Cache for Redis over TLS), a managed service');
    }
    if (infra.objectStore || infra.kubernetesApi || infra.oidcIssuers) {
      rules.push({ to: ANYWHERE, ports: tcp(INFRA_PORTS.https) });
      comments.push(
        `https: ${[
          infra.objectStore
            ? 'object storage (AIC_ARTIFACT_STORE s3/azure, createArtifactStore) and its IRSA / workload identity token endpoint'
            : '',
          infra.kubernetesApi ? 'the Kubernetes API (in-cluster service account)' : '',
          infra.oidcIssuers ? 'the JWKS of external OIDC issuers (AIC_OIDC_PROVIDERS)' : '',
        ]
          .filter(Boolean)
          .join('; ')}`,
      );
    }
    out.push({
      object: np(w.namespace, `${w.name}-egress`, {
        podSelector: { matchLabels: workloadLabels(w) },
        policyTypes: ['Egress'],
        egress: rules,
      }),
      comment: `What ${w.name} may connect to (${w.runs === w.name ? '' : `runs ${w.runs}'s code; `}SERVICE_INFRASTRUCTURE.${w.runs}).`,
      itemComments: [{ at: ['spec', 'egress'], comments }],
    });
  }
  // The collector (outside the mesh, in a namespace without default deny) admits spans and the scrape.
  out.push({
    object: np(inputs.otlp.namespace, `${inputs.otlp.podName}-from-mesh`, {
      podSelector: { matchLabels: { [NAME_LABEL]: inputs.otlp.podName, ...PART_OF } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            ...inputs.namespaces.map((ns) => ({ namespaceSelector: { matchLabels: { [NS_LABEL]: ns } } })),
            { namespaceSelector: { matchLabels: { [NS_LABEL]: 'istio-system' } } },
          ],
          ports: tcp(inputs.otlp.sidecarPort, inputs.otlp.appPort),
        },
        { from: [{ namespaceSelector: { matchLabels: { [NS_LABEL]: 'monitoring' } } }], ports: tcp(8888) },
      ],
    }),
    comment:
      'The OpenTelemetry Collector: spans from the platform namespaces and Istio, its own metrics to Prometheus.',
  });
  return out;
}

function viaOf(from: ServiceName, to: SubgraphName): string {
  return SERVICE_CALLS.filter((c) => c.from === from && c.to === to)
    .flatMap((c) => c.via)
    .join(', ');
}

function securityPolicies(inputs: PolicyInputs): Generated[] {
  const out: Generated[] = [
    {
      object: {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'istio-system', labels: { ...PART_OF } },
        spec: { mtls: { mode: 'STRICT' } },
      },
      comment: 'Mutual TLS everywhere: every caller has a service-account identity the policies below name.',
    },
  ];
  const ap = (namespace: string, name: string, spec: Json): K8sObject => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace, labels: { ...PART_OF } },
    spec,
  });
  for (const ns of inputs.namespaces)
    out.push({
      object: ap(ns, 'allow-nothing', {}),
      comment: `${ns}: deny by default; the policies of each service allow its callers.`,
    });
  for (const w of inputs.workloads.filter((x) => x.httpPort !== null)) {
    const rules: Json[] = [];
    const comments: string[] = [];
    if (w.runs === 'gateway') {
      rules.push({ from: [{ source: { principals: [INGRESS_GATEWAY_PRINCIPAL] } }] });
      comments.push('the Istio ingress gateway: the whole public API');
    }
    // A worker runs as its service's account: its calls are the service's rule, named once.
    const seen = new Map<string, number>();
    for (const caller of inputs.workloads) {
      for (const call of callsOf(caller).filter((c) => c.to === w.name)) {
        const rule = {
          from: [{ source: { principals: [principal(caller)] } }],
          to: mergeOperations(call.operations).map((operation) => ({ operation })),
        };
        const key = JSON.stringify(rule);
        const at = seen.get(key);
        if (at !== undefined) {
          comments[at] = comments[at]!.replace(/^([^:]+):/, `$1 and ${caller.name}:`);
          continue;
        }
        seen.set(key, rules.length);
        rules.push(rule);
        comments.push(`${caller.name}: ${call.operations.map((op) => op.why).join('; ')}`);
      }
    }
    out.push({
      object: ap(w.namespace, w.name, {
        selector: { matchLabels: { [NAME_LABEL]: w.podName } },
        action: 'ALLOW',
        rules,
      }),
      comment:
        `${w.name}: exactly its callers in SERVICE_CALLS, on the routes they use. Prometheus scrapes the ` +
        `sidecar (${INFRA_PORTS.sidecarMetrics}) and kubelet probes are rewritten to it, so neither needs a rule here.`,
      itemComments: [{ at: ['spec', 'rules'], comments }],
    });
  }
  return out;
}

/** A comment as YAML comment lines of at most `width` characters (each starts with a space after the `#`). */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ` ${l}`).join('\n');
}

function render(header: string, generated: Generated[]): string {
  const docs = generated.map((g) => {
    const doc = new YAML.Document(g.object);
    (doc.contents as YAML.Node).commentBefore = wrap(g.comment, 116);
    for (const { at, comments } of g.itemComments ?? []) {
      const seq = doc.getIn(at, true) as YAML.YAMLSeq;
      comments.forEach((c, i) => {
        (seq.items[i] as YAML.Node).commentBefore = wrap(c, 104);
      });
    }
    return doc.toString({ lineWidth: 0 });
  });
  return `${header}${docs.join('---\n')}`;
}

const HEADER = (what: string) =>
  `# GENERATED by k8s/tools/policies.ts from lib/contracts: ${what}.\n# Do not edit: change the contracts\n` +
  `# (SERVICE_CALLS, INTERNAL_ROUTES, SERVICE_INFRASTRUCTURE) or the generator, then run \`${REGENERATE_COMMAND}\`.\n`;

/** The contents of the two policy files as the contracts and manifests say they should be. */
export function generatePolicyFiles(root: string): Record<keyof typeof POLICY_FILES, string> {
  const inputs = loadPolicyInputs(root);
  return {
    networkPolicies: render(
      HEADER('NetworkPolicies: default deny, ingress from callers, egress to peers and infrastructure'),
      networkPolicies(inputs),
    ),
    security: render(HEADER('Istio mTLS and AuthorizationPolicies'), securityPolicies(inputs)),
  };
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const files = generatePolicyFiles(root);
  for (const key of Object.keys(POLICY_FILES) as (keyof typeof POLICY_FILES)[]) {
    fs.writeFileSync(path.join(root, POLICY_FILES[key]), files[key]);
    process.stdout.write(`wrote ${POLICY_FILES[key]}\n`);
  }
}
