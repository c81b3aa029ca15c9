// Every HTTP route one service serves to another (not the public GraphQL API): who serves it, its
// method and path, what the caller's token needs, and the request/response types. Servers mount
// `route.path`; clients build URLs with `routeUrl` (see catalog.client.ts). Add a route here first.
import type { SubgraphName } from './services';

export type HttpMethod = 'GET' | 'POST';

export interface InternalRoute {
  /** The service that serves it. */
  service: SubgraphName;
  method: HttpMethod;
  /** Express path pattern; `:name` is a parameter. */
  path: string;
  /**
   * What the caller presents: a bearer token with this permission (of the organization owning the
   * resource), `bearer` (any valid token; the organization scopes the answer), `service-secret`
   * (the `x-aic-service-secret` header) or `none`.
   */
  auth: { permission: string } | 'bearer' | 'service-secret' | 'none';
}

function route<const R extends InternalRoute>(r: R): R {
  return r;
}

/** The routes by name (the names SERVICE_CALLS uses). */
export const INTERNAL_ROUTES = {
  // identity: keys, service tokens and the revocation feed every verifier follows
  jwks: route({ service: 'identity', method: 'GET', path: '/.well-known/jwks.json', auth: 'none' }),
  serviceToken: route({ service: 'identity', method: 'POST', path: '/internal/service-token', auth: 'service-secret' }),
  revocations: route({ service: 'identity', method: 'GET', path: '/internal/revocations', auth: 'none' }),
  /** Server-sent events: a `snapshot` event (JSON array) first, then one `revoked` event per revocation. */
  revocationStream: route({ service: 'identity', method: 'GET', path: '/internal/revocations/stream', auth: 'none' }),
  // catalog: datasets for services, and the Marquez-compatible lineage route
  catalogDataset: route({
    service: 'catalog',
    method: 'GET',
    path: '/internal/datasets/:id',
    auth: { permission: 'catalog:read' },
  }),
  catalogDatasetContent: route({
    service: 'catalog',
    method: 'GET',
    path: '/internal/datasets/:id/content',
    auth: { permission: 'catalog:read' },
  }),
  catalogCreateDataset: route({
    service: 'catalog',
    method: 'POST',
    path: '/internal/datasets',
    auth: { permission: 'catalog:write' },
  }),
  lineage: route({
    service: 'catalog',
    method: 'POST',
    path: '/api/v1/lineage',
    auth: { permission: 'catalog:write' },
  }),
  // models: model versions and their ONNX bytes, for inference
  modelVersion: route({ service: 'models', method: 'GET', path: '/internal/model-versions/:id', auth: 'bearer' }),
  modelVersionArtifact: route({
    service: 'models',
    method: 'GET',
    path: '/internal/model-versions/:id/artifact',
    auth: 'bearer',
  }),
  // schemas: registered schema versions, for apps and synthetic
  schemaVersion: route({ service: 'schemas', method: 'GET', path: '/internal/schema-versions/:id', auth: 'bearer' }),
} as const;

export type InternalRouteName = keyof typeof INTERNAL_ROUTES;

/** The URL of a route at `baseUrl`, its `:params` filled in (URI-encoded). */
export function routeUrl(baseUrl: string, r: InternalRoute, params: Record<string, string> = {}): string {
  const path = r.path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`route ${r.path} needs :${name}`);
    return encodeURIComponent(value);
  });
  return `${baseUrl.replace(/\/$/, '')}${path}`;
}

// ---- request and response types ----

/** The formats a catalog dataset's content comes in. */
export type CatalogDatasetFormat = 'CSV' | 'JSONL';

/** `GET /internal/datasets/:id`: dataset metadata and its latest version. */
export interface CatalogDataset {
  id: string;
  organizationId: string;
  name: string;
  format: CatalogDatasetFormat;
  classification: string;
  /**
   * `piiReview`: a data steward's decision on the column (reviewColumnPii): CONFIRM (classified PII) or DISMISS
   * (not personal data, whatever its name suggests); null or absent when nobody decided.
   */
  columns: { name: string; type: string; classification: string; piiReview?: 'CONFIRM' | 'DISMISS' | null }[];
  /** `rowCount` is absent until the version has been profiled. */
  latestVersion: { version: number; sha256: string; size: number; rowCount?: number | null } | null;
}

/** `GET /internal/datasets/:id/content`: the bytes of the latest version (headers `content-type`, `x-sha256`). */
export const CONTENT_SHA256_HEADER = 'x-sha256';

/** `POST /internal/datasets` (JSON body): a new dataset with its first content; org and creator come from the token. */
export interface NewCatalogDataset {
  name: string;
  description?: string | null;
  format: CatalogDatasetFormat;
  /** The content as text (CSV with a header row, or JSON Lines). */
  content: string;
  classification?: string;
  columns?: { name: string; classification: string }[];
  tags?: string[];
}

/** `POST /internal/datasets` answers 201 with this. */
export interface CreatedCatalogDataset {
  id: string;
  version: number;
}

/** `GET /internal/model-versions/:id`: a model version of the token's organization (else 404). */
export interface InternalModelVersion {
  id: string;
  modelId: string;
  modelName: string;
  version: string | number;
  organizationId: string;
  artifact: { sha256: string; size: number; format: string };
  signature?: unknown;
  metrics?: unknown;
  parameters?: unknown;
}

/** `GET /internal/schema-versions/:id`: a schema version of the token's organization (else 404). */
export interface InternalSchemaVersion {
  id: string;
  subject: string;
  version: number;
  type: string;
  /** The schema; JSON schemas may arrive as text. */
  schema: unknown;
  organizationId: string;
  references?: unknown;
  deleted?: boolean;
}

/** `POST /internal/service-token` (header `x-aic-service-secret`). */
export interface ServiceTokenRequest {
  service: string;
  organizationId: string;
  permissions: string[];
  /**
   * The user a job acts for: identity then issues a delegated token (subject the user, `act` the
   * service) and only when the user still holds every permission asked for (403 naming the missing ones).
   */
  onBehalfOf?: string;
}

export interface ServiceTokenResponse {
  accessToken: string;
  expiresIn: number;
}

/** The header carrying the shared service secret to `POST /internal/service-token`. */
export const SERVICE_SECRET_HEADER = 'x-aic-service-secret';
