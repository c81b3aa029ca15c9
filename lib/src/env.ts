import type { RevocationSettings } from './auth/revocation-feed';
import type { WebSocketSettings } from './websocket';
import { localUrl, urlEnvOf } from '../contracts/services';
import { INTERNAL_ROUTES, routeUrl } from '../contracts/routes';

/** Environment as passed to `loadConfig(env)`: never read `process.env` outside a service's config.ts. */
export type Env = Record<string, string | undefined>;

/** Thrown at boot when a setting is missing or malformed; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * A string setting.
 * @default `fallback` when the variable is unset or empty
 * @returns the value, or `undefined` when unset and no fallback is given
 */
export function getEnvStr(env: Env, name: string): string | undefined;
export function getEnvStr(env: Env, name: string, fallback: string): string;
export function getEnvStr(env: Env, name: string, fallback?: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

/**
 * A required string setting.
 * @returns the value; throws ConfigError naming the variable when it is unset or empty
 */
export function requireEnv(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new ConfigError(`${name} is required but not set`);
  return v;
}

/**
 * A numeric setting; throws ConfigError when set but not a finite number.
 * @default `fallback` when unset
 */
export function getEnvNum(env: Env, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got "${v}"`);
  return n;
}

/**
 * A boolean setting: true/1/yes/on or false/0/no/off (case-insensitive).
 * @default `fallback` when unset
 */
export function getEnvBool(env: Env, name: string, fallback: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  throw new ConfigError(`${name} must be a boolean (true/false), got "${v}"`);
}

/**
 * A comma-separated list setting; blanks dropped.
 * @default `fallback` when unset
 */
export function getEnvList(env: Env, name: string, fallback: string[] = []): string[] {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The request body limit clients meet at the gateway (8 MB fits inference tensors: a 3×320×320 FP32 image is 3 MB as JSON numbers). */
export const DEFAULT_BODY_LIMIT_BYTES = 8_000_000;

/** The platform's request body limits, both from `AIC_BODY_LIMIT_BYTES` so they cannot drift apart. */
export interface BodyLimits {
  /** What clients meet at the gateway: a larger body is refused there with 413 `PAYLOAD_TOO_LARGE`. */
  edge: number;
  /** What a subgraph accepts: at least all the gateway sends it for a request the edge accepted. */
  subgraph: number;
}

/**
 * The body limits: `AIC_BODY_LIMIT_BYTES` at the edge and, unless `AIC_SUBGRAPH_BODY_LIMIT_BYTES` is
 * set, 5 × that + 1 MB on subgraphs. The gateway re-serializes the variables it forwards, and
 * `JSON.stringify` writes some numbers longer than a client may (`1e20,` becomes 22 bytes: 4.4×),
 * and the query planner adds key fields and `__typename` (bounded by the operation limits).
 * @default edge 8 MB, subgraph 41 MB
 * @returns both limits in bytes; throws ConfigError on malformed values
 */
export function loadBodyLimits(env: Env): BodyLimits {
  const edge = getEnvNum(env, 'AIC_BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES);
  return { edge, subgraph: getEnvNum(env, 'AIC_SUBGRAPH_BODY_LIMIT_BYTES', 5 * edge + 1_000_000) };
}

/** Settings every service shares (the `AIC_` platform settings plus PORT/DATABASE_URL/REDIS_URL). */
export interface BaseServiceConfig {
  serviceName: string;
  port: number;
  host: string;
  /** SQLite files, artifacts and keys of the embedded default live here. */
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  logLevel: string;
  production: boolean;
  /** Body limit of /graphql and the REST routes, in bytes (`loadBodyLimits(env).subgraph`). */
  bodyLimitBytes: number;
  /** Seconds to keep serving after SIGTERM with readiness at 503, so load balancers stop routing first. */
  drainDelaySeconds: number;
  /** Token verification; `revocations` (unset in most unit tests) is where revoked ids are learnt. */
  auth: AuthSettings;
  identityUrl: string;
  /** Shared secret for `POST /internal/service-token` at identity; unset means no background calls. */
  serviceSecret?: string;
  /** Origin clients use (the gateway's), for upload/download URLs. */
  publicUrl: string;
  /** OTLP/HTTP traces endpoint; unset turns tracing off. */
  otlpEndpoint?: string;
  /** Distinct values a caller-chosen metric label (operation name, endpoint ...) may take per metric before `other`. */
  metricsMaxLabelValues: number;
  /** graphql-ws limits on `/graphql` (the gateway is this service's usual WebSocket client). */
  webSocket: WebSocketSettings;
  /** Where artifacts live (`AIC_ARTIFACT_STORE`); unset means the local folder under `dataDir`. */
  artifactStore?: ArtifactStoreSettings;
  /**
   * Whether this process runs jobs (`AIC_JOBS_CONSUME`, default true). An API Deployment scaled
   * apart from its workers sets false: it still enqueues and cancels, the `worker` processes consume.
   */
  jobsConsume: boolean;
  /**
   * Where a `worker` process serves `/health/live`, `/health/ready` and `/metrics` (`AIC_WORKER_PORT`;
   * 0 picks a free port); unset: the worker serves nothing. The API process ignores it.
   */
  workerPort?: number;
  /**
   * How long a job claim lasts without a heartbeat (`AIC_JOB_LEASE_MS`, default 15000): a dead
   * worker's job is taken over after about this long. Tests shorten it.
   */
  jobLeaseMs: number;
}

/** The artifact store backend, chosen by `AIC_ARTIFACT_STORE` (see `loadArtifactStoreSettings`). */
export type ArtifactStoreSettings =
  | { kind: 'file' }
  | {
      kind: 's3';
      bucket: string;
      /** An S3-compatible endpoint (MinIO, Ceph, ...); unset means AWS S3 itself. */
      endpoint?: string;
      region?: string;
      forcePathStyle: boolean;
    }
  | {
      kind: 'azure';
      container: string;
      /** `https://<account>.blob.core.windows.net`, with DefaultAzureCredential (workload identity). */
      accountUrl?: string;
      /** Used instead of `accountUrl` when set (an account key, Azurite, or a SAS connection string). */
      connectionString?: string;
    };

/**
 * The artifact store: `AIC_ARTIFACT_STORE` = `file` (default) | `s3` | `azure`.
 * `s3` needs `AIC_S3_BUCKET`, and takes `AIC_S3_ENDPOINT`, `AIC_S3_REGION`, `AIC_S3_FORCE_PATH_STYLE`
 * (default true when an endpoint is set); credentials come from the AWS SDK's default chain.
 * `azure` needs `AIC_AZURE_STORAGE_CONTAINER` and either `AIC_AZURE_STORAGE_CONNECTION_STRING` or
 * `AIC_AZURE_STORAGE_ACCOUNT_URL` (DefaultAzureCredential from @azure/identity).
 * @returns the settings; throws ConfigError naming the variable that is missing or malformed
 */
export function loadArtifactStoreSettings(env: Env): ArtifactStoreSettings {
  const kind = getEnvStr(env, 'AIC_ARTIFACT_STORE', 'file').trim().toLowerCase();
  if (kind === 'file') return { kind: 'file' };
  if (kind === 's3') {
    const endpoint = getEnvStr(env, 'AIC_S3_ENDPOINT');
    if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint))
      throw new ConfigError(`AIC_S3_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
    return {
      kind: 's3',
      bucket: requireEnv(env, 'AIC_S3_BUCKET'),
      endpoint,
      region: getEnvStr(env, 'AIC_S3_REGION'),
      forcePathStyle: getEnvBool(env, 'AIC_S3_FORCE_PATH_STYLE', endpoint !== undefined),
    };
  }
  if (kind === 'azure') {
    const connectionString = getEnvStr(env, 'AIC_AZURE_STORAGE_CONNECTION_STRING');
    const accountUrl = getEnvStr(env, 'AIC_AZURE_STORAGE_ACCOUNT_URL');
    if (!connectionString && !accountUrl)
      throw new ConfigError(
        'AIC_AZURE_STORAGE_ACCOUNT_URL (or AIC_AZURE_STORAGE_CONNECTION_STRING) is required when AIC_ARTIFACT_STORE=azure',
      );
    if (accountUrl !== undefined && !/^https?:\/\/[^/]/.test(accountUrl))
      throw new ConfigError(`AIC_AZURE_STORAGE_ACCOUNT_URL must be an http(s) URL, got "${accountUrl}"`);
    return { kind: 'azure', container: requireEnv(env, 'AIC_AZURE_STORAGE_CONTAINER'), accountUrl, connectionString };
  }
  throw new ConfigError(`AIC_ARTIFACT_STORE must be file, s3 or azure, got "${getEnvStr(env, 'AIC_ARTIFACT_STORE')}"`);
}

/**
 * The graphql-ws limits (after the connection is acknowledged, a message may be as large as the JSON
 * body limit): `AIC_WS_INIT_PAYLOAD_BYTES` (largest message before, 64 KiB),
 * `AIC_WS_CONNECTION_INIT_TIMEOUT_MS` (3000), `AIC_WS_MAX_CONNECTIONS` (10000),
 * `AIC_WS_MAX_CONNECTIONS_PER_IP` (0 = no per-address cap), `AIC_WS_MAX_OPERATIONS_PER_CONNECTION`
 * (100 subscriptions and queries in flight on one connection), `AIC_WS_KEEPALIVE_MS` (12000).
 * @returns the settings; throws ConfigError for malformed values
 */
export function loadWebSocketSettings(env: Env, defaults: { maxConnectionsPerIp: number }): WebSocketSettings {
  return {
    initPayloadBytes: getEnvNum(env, 'AIC_WS_INIT_PAYLOAD_BYTES', 64 * 1024),
    connectionInitTimeoutMs: getEnvNum(env, 'AIC_WS_CONNECTION_INIT_TIMEOUT_MS', 3000),
    maxConnections: getEnvNum(env, 'AIC_WS_MAX_CONNECTIONS', 10_000),
    maxConnectionsPerIp: getEnvNum(env, 'AIC_WS_MAX_CONNECTIONS_PER_IP', defaults.maxConnectionsPerIp),
    maxOperationsPerConnection: getEnvNum(env, 'AIC_WS_MAX_OPERATIONS_PER_CONNECTION', 100),
    keepAliveMs: getEnvNum(env, 'AIC_WS_KEEPALIVE_MS', 12_000),
  };
}

/** How a service verifies access tokens. */
export interface AuthSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Follow identity's revocations (sessions and API keys ended before their tokens expire). */
  revocations?: RevocationSettings;
}

/**
 * Where revocations come from: identity's list and stream at `AIC_IDENTITY_URL`, or with `REDIS_URL`
 * the Redis channel `AIC_REVOCATION_CHANNEL` (identity publishes there).
 * @default channel `aic:revocations`
 */
export function revocationSettings(env: Env, identityUrl: string): RevocationSettings {
  return {
    identityUrl,
    redisUrl: getEnvStr(env, 'REDIS_URL'),
    channel: getEnvStr(env, 'AIC_REVOCATION_CHANNEL', 'aic:revocations'),
  };
}

/**
 * Reads the settings every service shares.
 * @returns a typed config; throws ConfigError for malformed values
 */
export function loadBaseConfig(env: Env, serviceName: string, defaultPort: number): BaseServiceConfig {
  const identityUrl = getEnvStr(env, urlEnvOf('identity'), localUrl('identity'));
  return {
    serviceName,
    port: getEnvNum(env, 'PORT', defaultPort),
    host: getEnvStr(env, 'HOST', '0.0.0.0'),
    dataDir: getEnvStr(env, 'AIC_DATA_DIR', '.data'),
    databaseUrl: getEnvStr(env, 'DATABASE_URL'),
    redisUrl: getEnvStr(env, 'REDIS_URL'),
    jobsConsume: getEnvBool(env, 'AIC_JOBS_CONSUME', true),
    workerPort: env.AIC_WORKER_PORT?.trim() ? getEnvNum(env, 'AIC_WORKER_PORT', 0) : undefined,
    jobLeaseMs: getEnvNum(env, 'AIC_JOB_LEASE_MS', 15_000),
    logLevel: getEnvStr(env, 'LOG_LEVEL', 'info'),
    production: getEnvStr(env, 'NODE_ENV', 'development') === 'production',
    bodyLimitBytes: loadBodyLimits(env).subgraph,
    drainDelaySeconds: getEnvNum(env, 'AIC_DRAIN_DELAY_SECONDS', 0),
    auth: {
      jwksUrl: getEnvStr(env, 'AIC_JWKS_URL', routeUrl(identityUrl, INTERNAL_ROUTES.jwks)),
      issuer: getEnvStr(env, 'AIC_JWT_ISSUER', 'aic-identity'),
      audience: getEnvStr(env, 'AIC_JWT_AUDIENCE', 'aic-platform'),
      revocations: revocationSettings(env, identityUrl),
    },
    identityUrl,
    serviceSecret: getEnvStr(env, 'AIC_SERVICE_SECRET'),
    publicUrl: getEnvStr(env, 'AIC_PUBLIC_URL', localUrl('gateway', 'localhost')),
    otlpEndpoint: otlpTracesEndpoint(env),
    metricsMaxLabelValues: getEnvNum(env, 'AIC_METRICS_MAX_LABEL_VALUES', 100),
    // Each subscription the gateway forwards is one connection from its address: no per-address cap here.
    webSocket: loadWebSocketSettings(env, { maxConnectionsPerIp: 0 }),
    artifactStore: loadArtifactStoreSettings(env),
  };
}

/**
 * The OTLP/HTTP traces URL from the standard OpenTelemetry variables.
 * @returns `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, or undefined
 */
export function otlpTracesEndpoint(env: Env): string | undefined {
  const traces = getEnvStr(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces) return traces;
  const base = getEnvStr(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return base ? `${base.replace(/\/$/, '')}/v1/traces` : undefined;
}
