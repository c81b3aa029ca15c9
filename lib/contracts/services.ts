// The port and service map of the platform: every service, its default port, the variable other
// services find it by, and which service calls which (and over which route). `npm start`
// (scripts/start.ts), the in-process platform of the tests (test/support/platform.ts), the k8s
// rendering checks (k8s/tools) and a NetworkPolicy generator read it; nothing else lists ports.

/** The seven subgraphs, in the order they start (a service starts after the ones it calls). */
export const SUBGRAPH_NAMES = ['identity', 'schemas', 'catalog', 'models', 'inference', 'synthetic', 'apps'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];
export type ServiceName = SubgraphName | 'gateway';

export interface ServiceContract {
  /** The port it listens on by default (`PORT` overrides it). */
  port: number;
  /** The variable that tells other services its base URL (`http://host:port`); none for the gateway. */
  urlEnv: `AIC_${Uppercase<SubgraphName>}_URL` | null;
  /**
   * Node/V8 flags its process starts with, before the script: `npm start` (scripts/start.ts), the
   * benchmarks and the Kubernetes args (k8s/base/services, checked by test/k8s/manifests.e2e.ts).
   */
  nodeFlags: readonly string[];
}

/**
 * For the processes whose requests carry MB-sized bodies (tensors through the gateway and the
 * inference service): V8 sizes the old generation's limit from the live heap, here ~60 MB of
 * libraries, at 1.2–1.5× it; each such request adds megabytes of backing stores and strings, and
 * V8 then marks and compacts the whole heap every few requests (bench, conv net 1.2 MB a call: a
 * full mark-compact every ~200 ms, 40–70 ms of CPU each, ~40% of the service's CPU). A 256 MB
 * initial old space leaves that room before the first collection: service + gateway CPU per 1.2 MB call
 * 65 → 24 ms (OIP binary) and 63 → 34 ms (predict rawData) at concurrency 1, 47 → 27 and 53 → 46 at 8
 * (docs/benchmarks.md, before and after). Small requests cost the same (A/B on the Silero model).
 * Old space still grows and shrinks by V8's rules beyond it; the pods' memory requests allow for it.
 * Not for the other services: the synthetic job, measured with it, was slower.
 */
const PAYLOAD_HEAP_FLAGS = ['--initial-old-space-size=256'] as const;

/** Default ports, URL variables and node flags. */
export const SERVICES: Record<ServiceName, ServiceContract> = {
  gateway: { port: 4000, urlEnv: null, nodeFlags: PAYLOAD_HEAP_FLAGS },
  identity: { port: 4001, urlEnv: 'AIC_IDENTITY_URL', nodeFlags: [] },
  apps: { port: 4002, urlEnv: 'AIC_APPS_URL', nodeFlags: [] },
  models: { port: 4003, urlEnv: 'AIC_MODELS_URL', nodeFlags: [] },
  inference: { port: 4004, urlEnv: 'AIC_INFERENCE_URL', nodeFlags: PAYLOAD_HEAP_FLAGS },
  synthetic: { port: 4005, urlEnv: 'AIC_SYNTHETIC_URL', nodeFlags: [] },
  catalog: { port: 4006, urlEnv: 'AIC_CATALOG_URL', nodeFlags: [] },
  schemas: { port: 4007, urlEnv: 'AIC_SCHEMAS_URL', nodeFlags: [] },
};

/** The variable naming a subgraph's base URL. */
export function urlEnvOf(name: SubgraphName): string {
  return SERVICES[name].urlEnv as string;
}

/** The base URL of a service on this machine at its default port (the default of its URL variable). */
export function localUrl(name: ServiceName, host = '127.0.0.1'): string {
  return `http://${host}:${SERVICES[name].port}`;
}

/**
 * Which service calls which, and how: `graphql` (the callee's /graphql as a service or on behalf of
 * the user), an internal route (see routes.ts), `lineage` (catalog's `POST /api/v1/lineage`) or
 * `auth` (identity's JWKS, service tokens and revocation feed, which every service uses).
 * The gateway calls every subgraph's /graphql; every service calls identity for `auth`.
 */
export interface ServiceCall {
  from: ServiceName;
  to: SubgraphName;
  /** Names of routes in INTERNAL_ROUTES, or `graphql`. */
  via: readonly string[];
}

export const SERVICE_CALLS: readonly ServiceCall[] = [
  ...SUBGRAPH_NAMES.map((to) => ({ from: 'gateway' as const, to, via: ['graphql'] })),
  ...(['gateway', ...SUBGRAPH_NAMES.filter((n) => n !== 'identity')] as const).map((from) => ({
    from,
    to: 'identity' as const,
    via: ['jwks', 'revocations', 'revocationStream', 'serviceToken'],
  })),
  { from: 'models', to: 'catalog', via: ['catalogDataset', 'catalogDatasetContent', 'lineage', 'graphql'] },
  {
    from: 'inference',
    to: 'catalog',
    via: ['catalogDataset', 'catalogDatasetContent', 'catalogCreateDataset', 'lineage'],
  },
  { from: 'inference', to: 'models', via: ['modelVersion', 'modelVersionArtifact'] },
  {
    from: 'synthetic',
    to: 'catalog',
    via: ['catalogDataset', 'catalogDatasetContent', 'catalogCreateDataset', 'lineage'],
  },
  { from: 'synthetic', to: 'schemas', via: ['schemaVersion'] },
  { from: 'apps', to: 'inference', via: ['graphql'] },
  { from: 'apps', to: 'schemas', via: ['schemaVersion'] },
  { from: 'apps', to: 'catalog', via: ['lineage'] },
];

/** The subgraphs a service calls (and so needs the URL variables of), identity included. */
export function peersOf(name: ServiceName): SubgraphName[] {
  return [...new Set(SERVICE_CALLS.filter((c) => c.from === name).map((c) => c.to))];
}
