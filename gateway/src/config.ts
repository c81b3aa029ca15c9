import type { Env } from '../../lib/src/index';
import { getEnvBool, getEnvList, getEnvNum, getEnvStr } from '../../lib/src/index';

export interface GatewayConfig {
  port: number;
  host: string;
  /** Path of the composed supergraph SDL the gateway serves (any valid Federation 2 supergraph). */
  supergraphPath: string;
  production: boolean;
  logLevel: string;
  /** Verify presented tokens at the edge; unset jwksUrl turns edge verification off (subgraphs still verify). */
  auth: { jwksUrl?: string; issuer: string; audience: string };
  corsOrigins: string[];
  bodyLimitBytes: number;
  subgraphTimeoutMs: number;
  drainDelaySeconds: number;
  /** Max bytes the upload proxy lets through to a service (the service applies its own limit too). */
  uploadLimitBytes: number;
  /** Refuse graphql-ws connections and multipart subscriptions without a valid token. */
  subscriptionsRequireAuth: boolean;
  /** Interval of `{}` heartbeats on multipart subscriptions (Apollo's protocol: 5 s). */
  multipartHeartbeatMs: number;
}

/** @returns the gateway's settings from the environment; throws ConfigError on malformed values */
export function loadGatewayConfig(env: Env): GatewayConfig {
  return {
    port: getEnvNum(env, 'PORT', 4000),
    host: getEnvStr(env, 'HOST', '0.0.0.0'),
    supergraphPath: getEnvStr(env, 'AIC_SUPERGRAPH_PATH', 'supergraph.graphql'),
    production: getEnvStr(env, 'NODE_ENV', 'development') === 'production',
    logLevel: getEnvStr(env, 'LOG_LEVEL', 'info'),
    auth: {
      jwksUrl: getEnvBool(env, 'AIC_GATEWAY_VERIFY_TOKENS', true) ? getEnvStr(env, 'AIC_JWKS_URL', `${getEnvStr(env, 'AIC_IDENTITY_URL', 'http://127.0.0.1:4001')}/.well-known/jwks.json`) : undefined,
      issuer: getEnvStr(env, 'AIC_JWT_ISSUER', 'aic-identity'),
      audience: getEnvStr(env, 'AIC_JWT_AUDIENCE', 'aic-platform'),
    },
    corsOrigins: getEnvList(env, 'AIC_CORS_ORIGINS', ['https://studio.apollographql.com', 'http://localhost:4000', 'http://localhost:3000']),
    bodyLimitBytes: getEnvNum(env, 'AIC_BODY_LIMIT_BYTES', 1_000_000),
    subgraphTimeoutMs: getEnvNum(env, 'AIC_SUBGRAPH_TIMEOUT_MS', 30_000),
    drainDelaySeconds: getEnvNum(env, 'AIC_DRAIN_DELAY_SECONDS', 0),
    uploadLimitBytes: getEnvNum(env, 'AIC_UPLOAD_LIMIT_BYTES', 1024 * 1024 * 1024),
    subscriptionsRequireAuth: getEnvBool(env, 'AIC_SUBSCRIPTIONS_REQUIRE_AUTH', true),
    multipartHeartbeatMs: getEnvNum(env, 'AIC_MULTIPART_HEARTBEAT_MS', 5000),
  };
}
