import type http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type express from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger, RevocationList, TokenVerifier } from '../../../lib/src/core';
import type { GatewayConfig } from '../config';
import type { GatewayContext } from '../context';
import type { AuthRequirements } from '../protection/edge-auth';
import type { OperationLimitChecks, RateLimiter, Safelist } from '../protection/protection';
import { createOperationGuard } from '../protection/operation-guard';
import { traceparentOf } from '../transport/http-routes';
import type { SubscriptionExecutor } from './executor';
import { SubscriptionEnded } from './executor';
import { attachWebSocketTransport, multipartSubscriptionHandler } from './transports';

export interface GatewaySubscriptionsOptions {
  apollo: ApolloServer<GatewayContext>;
  /** The current supergraph's executor and auth requirements (they change on reload). */
  executor: () => SubscriptionExecutor;
  authRequirements: () => AuthRequirements;
  verify?: TokenVerifier;
  revocations?: RevocationList;
  rateLimiter: RateLimiter;
  limits: OperationLimitChecks;
  safelist?: Safelist;
  formatError: (formatted: GraphQLFormattedError, original?: unknown) => GraphQLFormattedError;
  logger: Logger;
  /** Counts open subscriptions (metrics). */
  onActiveChange: (delta: number) => void;
}

/** The gateway's subscriptions: graphql-ws on the HTTP server, the multipart handler for `/graphql`, and every open one to end at once. */
export interface GatewaySubscriptions {
  /** Answers multipart subscription requests on `/graphql` (other requests go on). */
  multipart: ReturnType<typeof multipartSubscriptionHandler>;
  /** Ends every open subscription with `SUBSCRIPTION_ENDED` and `message` (supergraph reload, shutdown). */
  endAll(message: string): void;
  /** Ends every open subscription and closes every WebSocket (Apollo's drain on stop). */
  drain(): Promise<void>;
}

/** Federated subscriptions over graphql-ws and multipart HTTP, with the edge's checks (`createOperationGuard`) and rate limits. */
export function createGatewaySubscriptions(
  config: GatewayConfig,
  httpServer: http.Server,
  app: express.Express,
  opts: GatewaySubscriptionsOptions,
): GatewaySubscriptions {
  const open = new Set<AbortController>();
  const transportOptions = {
    executor: opts.executor,
    apollo: opts.apollo,
    verify: opts.verify,
    logger: opts.logger,
    requireAuth: config.subscriptionsRequireAuth,
    heartbeatMs: config.multipartHeartbeatMs,
    traceparentOf,
    registry: open,
    revocations: opts.revocations,
    onActiveChange: opts.onActiveChange,
    guard: createOperationGuard({ limits: opts.limits, safelist: opts.safelist, production: config.production }),
    authRequirements: opts.authRequirements,
    rateLimiter: opts.rateLimiter,
    // express's req.ip (under `trust proxy`) on the plain node:http request, as for direct GraphQL POSTs.
    clientIp: (req: http.IncomingMessage) =>
      (Object.setPrototypeOf(req, app.request) as express.Request).ip ?? req.socket.remoteAddress ?? 'unknown',
    webSocket: config.webSocket,
    bodyLimitBytes: config.bodyLimitBytes,
    formatError: opts.formatError,
  };
  const ws = attachWebSocketTransport(httpServer, transportOptions);
  const endAll = (message: string) => {
    for (const c of open) c.abort(new SubscriptionEnded(message, 'SUBSCRIPTION_ENDED'));
  };
  return {
    multipart: multipartSubscriptionHandler(transportOptions),
    endAll,
    async drain() {
      endAll('Gateway is shutting down');
      await ws.dispose();
    },
  };
}
