import type http from 'node:http';
import type express from 'express';
import Redis from 'ioredis';
import type { Logger, TokenVerifier } from '../../lib/src/core';
import { createHttpShell } from '../../lib/src/core';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { createGatewayApollo } from './execution/apollo';
import type { ResilientDataSource } from './execution/data-source';
import { createSupergraphExecution } from './execution/supergraph';
import { createGatewayMetrics } from './observability/metrics';
import { edgeVerification } from './protection/edge-verification';
import { createGatewayFormatError } from './protection/error-format';
import { clientErrorFormatter } from './protection/operation-guard';
import { createRateLimiter, loadSafelist, operationLimits } from './protection/protection';
import { createScrubber, scrubBody } from './protection/scrub';
import { createGatewaySubscriptions } from './subscriptions/subscriptions';
import { acceptsMultipartSubscription } from './subscriptions/transports';
import { mountGraphQLRoutes } from './transport/graphql-routes';
import { createInboundDedup } from './transport/inbound-dedup';
import { edgeHandler, mountServiceRoutes } from './transport/http-routes';

export type { GatewayContext };

export interface Gateway {
  app: express.Express;
  httpServer: http.Server;
  listen(port: number, host?: string): Promise<string>;
  stop(): Promise<void>;
  setReady(ready: boolean): void;
  /**
   * Serves a new supergraph: in-flight requests finish on the old one, open subscriptions end with
   * `SUBSCRIPTION_ENDED`. An invalid supergraph is refused (throws) and the old one stays.
   */
  reload(supergraphSdl: string): void;
  /** The subgraphs the current supergraph routes to: name → routing URL. */
  subgraphs(): Record<string, string>;
  /** The data source of a subgraph (circuit state, for diagnostics and tests). */
  dataSource(name: string): ResilientDataSource | undefined;
}

/**
 * The gateway: `@apollo/gateway` over a composed supergraph behind Apollo Server 5 (GraphQL JSON POSTs
 * straight from node:http, the rest through express 5, on lib's HTTP shell), composed of its concerns:
 * edge protection (token verification and `@authenticated`/`@requiresScopes`, operation limits, rate
 * limits, an optional safelist, scrubbed errors: protection/), planning and resilient subgraph calls
 * (execution/), federated subscriptions over graphql-ws and multipart (subscriptions/), CORS, health,
 * the upload/download and REST proxies (transport/) and metrics (observability/), with hot reload.
 * Never listens until `listen`.
 */
export async function createGateway(
  config: GatewayConfig,
  deps: { supergraphSdl: string; logger: Logger; verify?: TokenVerifier },
): Promise<Gateway> {
  const { logger } = deps;
  const { verify, revocations } = await edgeVerification(config, deps);
  const metrics = createGatewayMetrics({ maxLabelValues: config.metricsMaxLabelValues });
  const safelist = config.safelistPath ? loadSafelist(config.safelistPath) : undefined;
  const limits = operationLimits(config.limits);
  const scrub = createScrubber(() => execution.current().urls);
  // Apollo Server hides suggestions from validation errors only; variable errors carry them too.
  const formatError = clientErrorFormatter(
    createGatewayFormatError({ production: config.production, scrub, limitErrorOf: limits.limitErrorOf }),
    config.production,
  );
  const execution = createSupergraphExecution(config, {
    supergraphSdl: deps.supergraphSdl,
    logger,
    metrics,
    formatError,
  });
  const authRequirements = () => execution.current().authRequirements;

  // CORS, request ids and logs first on every request; GraphQL JSON POSTs (but multipart subscriptions) straight to Apollo once started.
  const edge = edgeHandler({ corsOrigins: config.corsOrigins, metrics: metrics.service, logger });
  const shell = createHttpShell({
    name: 'gateway',
    metrics: metrics.service,
    trustProxy: config.trustProxy,
    onRequest: edge,
    takesDirect: (req) => !acceptsMultipartSubscription(req.headers.accept),
    readiness: () => !revocations || revocations.loaded(),
  });
  const { app, httpServer } = shell;
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }) : undefined;
  mountServiceRoutes(app, {
    mountHealthAndMetrics: () => shell.mountHealthAndMetrics(),
    urls: () => execution.current().urls,
    uploadLimitBytes: config.uploadLimitBytes,
    bodyLimitBytes: config.bodyLimitBytes,
    subgraphTimeoutMs: config.subgraphTimeoutMs,
    scrubError: config.production ? (text: string) => scrubBody(scrub, text) : undefined,
  });

  const apollo = createGatewayApollo(config, {
    gateway: execution.gateway,
    httpServer,
    formatError,
    limits,
    safelist,
    metrics: metrics.service,
    authRequirements,
    onDrain: () => subscriptions.drain(),
  });
  const rateLimiter = createRateLimiter(config.rateLimits, { verify, redis, prefix: config.rateLimitPrefix });
  const subscriptions = createGatewaySubscriptions(config, httpServer, app, {
    apollo,
    executor: () => execution.current().executor(),
    authRequirements,
    verify,
    revocations: revocations?.list,
    rateLimiter,
    limits,
    safelist,
    formatError,
    logger,
    onActiveChange: (d) => metrics.activeSubscriptions.inc(d),
  });
  await apollo.start();
  mountGraphQLRoutes(shell, {
    apollo,
    verify,
    rateLimiter,
    multipart: subscriptions.multipart,
    bodyLimitBytes: config.bodyLimitBytes,
    logger,
    execute: config.inboundDedup
      ? createInboundDedup<GatewayContext>({
          execute: (args) => apollo.executeHTTPGraphQLRequest(args),
          parseOptions: limits.parseOptions,
          metrics: metrics.inbound,
          supergraph: () => execution.current(),
        })
      : undefined,
  });

  return {
    app,
    httpServer,
    setReady: (r) => shell.setReady(r),
    subgraphs: () => ({ ...execution.current().urls }),
    dataSource: (name) => execution.current().dataSources.get(name),
    reload(sdl) {
      const next = execution.reload(sdl);
      if (!next) return;
      subscriptions.endAll('The supergraph changed: subscribe again');
      logger.info({ subgraphs: Object.keys(next.urls) }, 'supergraph reloaded');
    },
    listen: (port, host) => shell.listen(port, host),
    stop: () =>
      shell.stop(
        () => apollo.stop(),
        async () => {
          redis?.disconnect();
          execution.close();
          await revocations?.close();
        },
      ),
  };
}
