import type { Env, RevocationSettings, WebSocketSettings } from '../../lib/src/core';
import {
  getEnvBool,
  getEnvList,
  getEnvNum,
  getEnvStr,
  loadBodyLimits,
  loadWebSocketSettings,
  otlpTracesEndpoint,
  revocationSettings,
} from '../../lib/src/core';
import { SERVICES, localUrl, urlEnvOf } from '../../lib/contracts/services';
import { INTERNAL_ROUTES, routeUrl } from '../../lib/contracts/routes';

export interface GatewayConfig {
  port: number;
  host: string;
  /** Path of the composed supergraph SDL the gateway serves (any valid Federation 2 supergraph). */
  supergraphPath: string;
  production: boolean;
  logLevel: string;
  /**
   * Verify presented tokens at the edge; unset jwksUrl turns edge verification off (subgraphs still
   * verify). `revocations`: where revoked sessions and keys are learnt (identity, or Redis).
   */
  auth: { jwksUrl?: string; issuer: string; audience: string; revocations?: RevocationSettings };
  corsOrigins: string[];
  /** The body limit clients meet on /graphql and the REST routes (subgraphs accept more: `loadBodyLimits`). */
  bodyLimitBytes: number;
  subgraphTimeoutMs: number;
  /**
   * Idle kept-alive connections to subgraphs close after this long (sooner when a subgraph announces
   * a shorter `Keep-Alive: timeout`): below the subgraphs' keepAliveTimeout, so the gateway never
   * reuses a connection a subgraph is closing.
   */
  subgraphIdleSocketMs: number;
  drainDelaySeconds: number;
  /** Max bytes the upload proxy lets through to a service (the service applies its own limit too). */
  uploadLimitBytes: number;
  /** Refuse graphql-ws connections and multipart subscriptions without a valid token. */
  subscriptionsRequireAuth: boolean;
  /** Interval of `{}` heartbeats on multipart subscriptions (Apollo's protocol: 5 s). */
  multipartHeartbeatMs: number;
  /** Extra attempts for queries after a subgraph connection failure (mutations never retry). */
  subgraphRetries: number;
  /** Identical in-flight subgraph queries (same subgraph, body, Authorization, client address) share one call. */
  subgraphDedupe: boolean;
  /**
   * Identical in-flight query operations from clients (same document, operationName, variables,
   * extensions, Authorization, Accept and client address) share one execution (AIC_GATEWAY_INBOUND_DEDUP).
   */
  inboundDedup: boolean;
  /** Operations planned as one fetch of themselves from one subgraph skip plan execution (AIC_GATEWAY_PASS_THROUGH). */
  passThrough: boolean;
  /** Consecutive subgraph failures that open its circuit, and how long it stays open. */
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  limits: { maxDepth: number; maxAliases: number; maxCost: number; maxTokens: number; maxDirectives: number };
  /** Requests per minute; 0 turns a limit off. Shared through Redis when REDIS_URL is set. */
  rateLimits: { perUserPerMinute: number; perIpPerMinute: number };
  /** Redis key prefix of the rate-limit counters (replicas of one gateway share it). */
  rateLimitPrefix: string;
  redisUrl?: string;
  /** An apollo-persisted-query-manifest; when set, only its operations run. */
  safelistPath?: string;
  /** express `trust proxy` (hops of load balancers in front), so per-IP limits see client IPs. */
  trustProxy: number;
  /** Reload the supergraph file when it changes. */
  watchSupergraph: boolean;
  /** Worker processes (cluster); 1 runs in-process. */
  workers: number;
  /** OTLP/HTTP traces endpoint; unset turns tracing off. */
  otlpEndpoint?: string;
  /** Distinct operation names the operation metrics keep (without a safelist) before `other`. */
  metricsMaxLabelValues: number;
  /** graphql-ws limits on `/graphql` (after `connection_ack`, messages may be `bodyLimitBytes` long). */
  webSocket: WebSocketSettings;
}

/** @returns the gateway's settings from the environment; throws ConfigError on malformed values */
export function loadGatewayConfig(env: Env): GatewayConfig {
  const identityUrl = getEnvStr(env, urlEnvOf('identity'), localUrl('identity'));
  const verifyTokens = getEnvBool(env, 'AIC_GATEWAY_VERIFY_TOKENS', true);
  return {
    port: getEnvNum(env, 'PORT', SERVICES.gateway.port),
    host: getEnvStr(env, 'HOST', '0.0.0.0'),
    supergraphPath: getEnvStr(env, 'AIC_SUPERGRAPH_PATH', 'supergraph.graphql'),
    production: getEnvStr(env, 'NODE_ENV', 'development') === 'production',
    logLevel: getEnvStr(env, 'LOG_LEVEL', 'info'),
    auth: {
      jwksUrl: verifyTokens ? getEnvStr(env, 'AIC_JWKS_URL', routeUrl(identityUrl, INTERNAL_ROUTES.jwks)) : undefined,
      issuer: getEnvStr(env, 'AIC_JWT_ISSUER', 'aic-identity'),
      audience: getEnvStr(env, 'AIC_JWT_AUDIENCE', 'aic-platform'),
      revocations: verifyTokens ? revocationSettings(env, identityUrl) : undefined,
    },
    corsOrigins: getEnvList(env, 'AIC_CORS_ORIGINS', [
      'https://studio.apollographql.com',
      localUrl('gateway', 'localhost'),
      'http://localhost:3000',
    ]),
    bodyLimitBytes: loadBodyLimits(env).edge,
    subgraphTimeoutMs: getEnvNum(env, 'AIC_SUBGRAPH_TIMEOUT_MS', 30_000),
    subgraphIdleSocketMs: getEnvNum(env, 'AIC_SUBGRAPH_IDLE_SOCKET_MS', 3_000),
    drainDelaySeconds: getEnvNum(env, 'AIC_DRAIN_DELAY_SECONDS', 0),
    uploadLimitBytes: getEnvNum(env, 'AIC_UPLOAD_LIMIT_BYTES', 1024 * 1024 * 1024),
    subscriptionsRequireAuth: getEnvBool(env, 'AIC_SUBSCRIPTIONS_REQUIRE_AUTH', true),
    multipartHeartbeatMs: getEnvNum(env, 'AIC_MULTIPART_HEARTBEAT_MS', 5000),
    subgraphRetries: getEnvNum(env, 'AIC_SUBGRAPH_RETRIES', 1),
    subgraphDedupe: getEnvBool(env, 'AIC_SUBGRAPH_DEDUPE', true),
    inboundDedup: getEnvBool(env, 'AIC_GATEWAY_INBOUND_DEDUP', true),
    passThrough: getEnvBool(env, 'AIC_GATEWAY_PASS_THROUGH', true),
    breakerThreshold: getEnvNum(env, 'AIC_BREAKER_THRESHOLD', 5),
    breakerHalfOpenAfterMs: getEnvNum(env, 'AIC_BREAKER_HALF_OPEN_AFTER_MS', 10_000),
    limits: {
      maxDepth: getEnvNum(env, 'AIC_MAX_DEPTH', 12),
      maxAliases: getEnvNum(env, 'AIC_MAX_ALIASES', 15),
      maxCost: getEnvNum(env, 'AIC_MAX_COST', 5000),
      maxTokens: getEnvNum(env, 'AIC_MAX_TOKENS', 3000),
      maxDirectives: getEnvNum(env, 'AIC_MAX_DIRECTIVES', 50),
    },
    rateLimits: {
      perUserPerMinute: getEnvNum(env, 'AIC_RATE_LIMIT_PER_USER', 1200),
      perIpPerMinute: getEnvNum(env, 'AIC_RATE_LIMIT_PER_IP', 2400),
    },
    rateLimitPrefix: getEnvStr(env, 'AIC_RATE_LIMIT_PREFIX', 'aic-gateway'),
    redisUrl: getEnvStr(env, 'REDIS_URL'),
    safelistPath: getEnvStr(env, 'AIC_SAFELIST_PATH'),
    trustProxy: getEnvNum(env, 'AIC_TRUST_PROXY_HOPS', 0),
    watchSupergraph: getEnvBool(env, 'AIC_WATCH_SUPERGRAPH', true),
    workers: getEnvNum(env, 'AIC_GATEWAY_WORKERS', 1),
    otlpEndpoint: otlpTracesEndpoint(env),
    metricsMaxLabelValues: getEnvNum(env, 'AIC_METRICS_MAX_LABEL_VALUES', 100),
    webSocket: loadWebSocketSettings(env, { maxConnectionsPerIp: 100 }),
  };
}
