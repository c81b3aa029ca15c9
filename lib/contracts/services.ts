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
}

/** Default ports and URL variables. */
export const SERVICES: Record<ServiceName, ServiceContract> = {
  gateway: { port: 4000, urlEnv: null },
  identity: { port: 4001, urlEnv: 'AIC_IDENTITY_URL' },
  apps: { port: 4002, urlEnv: 'AIC_APPS_URL' },
  models: { port: 4003, urlEnv: 'AIC_MODELS_URL' },
  inference: { port: 4004, urlEnv: 'AIC_INFERENCE_URL' },
  synthetic: { port: 4005, urlEnv: 'AIC_SYNTHETIC_URL' },
  catalog: { port: 4006, urlEnv: 'AIC_CATALOG_URL' },
  schemas: { port: 4007, urlEnv: 'AIC_SCHEMAS_URL' },
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
