// What each service reaches outside the platform's own services: its database, Redis, the artifact
// store and the Kubernetes API. SERVICE_CALLS (services.ts) says which platform service calls which;
// this says the rest, and the NetworkPolicy generator (k8s/tools/policies.ts) opens egress for exactly
// these. test/k8s/policies.e2e.ts checks each entry against the code (createOrm, REDIS_URL,
// createArtifactStore, @kubernetes/client-node, createRemoteJWKSet): a service that starts using one fails until it is here.
import type { ServiceName, SubgraphName } from './services';

export interface ServiceInfrastructure {
  /** `DATABASE_URL` through createOrm: PostgreSQL (`postgresql://`) or MongoDB (`mongodb://`). */
  database: boolean;
  /** `REDIS_URL`: pub/sub, job queues, rate limits, revocations. */
  redis: boolean;
  /** `AIC_ARTIFACT_STORE` = s3 / azure through createArtifactStore: object storage over HTTPS. */
  objectStore: boolean;
  /** The Kubernetes API (in-cluster service account, or `AIC_APPS_KUBECONFIG`). */
  kubernetesApi: boolean;
  /** The JWKS of external OIDC issuers (`AIC_OIDC_PROVIDERS`), over HTTPS. */
  oidcIssuers: boolean;
}

export const SERVICE_INFRASTRUCTURE: Record<ServiceName, ServiceInfrastructure> = {
  gateway: { database: false, redis: true, objectStore: false, kubernetesApi: false, oidcIssuers: false },
  identity: { database: true, redis: true, objectStore: false, kubernetesApi: false, oidcIssuers: true },
  // apps deploys inference endpoints (subgraphs/apps/src/drivers/kubernetes.applier.ts).
  apps: { database: true, redis: true, objectStore: false, kubernetesApi: true, oidcIssuers: false },
  catalog: { database: true, redis: true, objectStore: true, kubernetesApi: false, oidcIssuers: false },
  schemas: { database: true, redis: true, objectStore: false, kubernetesApi: false, oidcIssuers: false },
  // models submits and watches GPU training Jobs (k8s/base/training/rbac.yaml).
  models: { database: true, redis: true, objectStore: true, kubernetesApi: true, oidcIssuers: false },
  inference: { database: true, redis: true, objectStore: true, kubernetesApi: false, oidcIssuers: false },
  synthetic: { database: true, redis: true, objectStore: false, kubernetesApi: false, oidcIssuers: false },
};

/**
 * The subgraphs that serve `PUT /uploads/:id` and `GET /downloads/:token` (createUploadManager), which
 * the gateway's upload proxy forwards to (`/uploads/<service>/<id>` on the gateway's origin).
 */
export const SERVES_UPLOADS = ['catalog', 'models', 'inference'] as const satisfies readonly SubgraphName[];
