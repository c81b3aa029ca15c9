import type http from 'node:http';
import type { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLFormattedError } from 'graphql';
import type { ServiceMetrics } from '../../../lib/src/core';
import { metricsPlugin, tracingPlugin } from '../../../lib/src/core';
import type { GatewayConfig } from '../config';
import type { GatewayContext } from '../context';
import type { AuthRequirements } from '../protection/edge-auth';
import { edgeAuthPlugin } from '../protection/edge-auth';
import type { OperationLimitChecks, Safelist } from '../protection/protection';
import { operationResolutionPlugin, safelistPlugin } from '../protection/protection';
import { retryAfterPlugin } from '../protection/refusals';

export interface GatewayApolloOptions {
  gateway: ApolloGateway;
  httpServer: http.Server;
  formatError: (formatted: GraphQLFormattedError, error?: unknown) => GraphQLFormattedError;
  limits: OperationLimitChecks;
  safelist?: Safelist;
  metrics: ServiceMetrics;
  authRequirements: () => AuthRequirements;
  /** Runs when Apollo drains the HTTP server on stop: ends subscriptions, closes WebSockets. */
  onDrain: () => Promise<void>;
}

/**
 * Apollo Server over the gateway's supergraph: CSRF prevention, no batching, the operation limits,
 * edge `@authenticated`/`@requiresScopes`, the safelist, `Retry-After` on refusals, metrics and
 * tracing; introspection and the landing page outside production only.
 */
export function createGatewayApollo(config: GatewayConfig, opts: GatewayApolloOptions): ApolloServer<GatewayContext> {
  const { safelist } = opts;
  return new ApolloServer<GatewayContext>({
    gateway: opts.gateway,
    csrfPrevention: true,
    // Our own SIGTERM handling drains (readiness 503, drain delay, then stop); Apollo's would exit at once.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    introspection: !config.production,
    hideSchemaDetailsFromClientErrors: config.production,
    includeStacktraceInErrorResponses: false,
    formatError: opts.formatError,
    validationRules: opts.limits.validationRules,
    parseOptions: opts.limits.parseOptions,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: opts.httpServer }),
      {
        async serverWillStart() {
          return { drainServer: opts.onDrain };
        },
      },
      metricsPlugin(opts.metrics, { isKnownOperation: safelist ? (source) => safelist.has(source) : undefined }),
      tracingPlugin('gateway', (ctx: GatewayContext) => ctx.traceparent, { rewriteContextTraceparent: true }),
      operationResolutionPlugin(),
      edgeAuthPlugin(opts.authRequirements),
      retryAfterPlugin(),
      ...(safelist ? [safelistPlugin(safelist)] : []),
      config.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });
}
