import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLDataSource } from '@apollo/gateway';
import { ApolloGateway } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError } from 'graphql';
import Redis from 'ioredis';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Logger, TokenVerifier, Viewer } from '../../lib/src/index';
import { bearerToken, createServiceMetrics, createTokenVerifier, followRevocations, graphqlPostHandler, isJsonPost, metricsPlugin, refuseDeepGraphQLRequest, subgraphUrls, tracingPlugin } from '../../lib/src/index';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { ResilientDataSource } from './data-source';
import { enablePassThrough } from './pass-through';
import { capVariableErrors } from './variable-check';
import { createSubgraphFetcher } from './http-fetcher';
import { edgeAuthPlugin, readAuthRequirements, stripSecurityFeatures } from './edge-auth';
import { createGatewayFormatError, reformatError } from './error-format';
import { edgeHandler, mountEdgeMiddleware, mountServiceRoutes, traceparentOf } from './http-routes';
import { clientErrorFormatter, createOperationGuard } from './operation-guard';
import { sendRouteError } from './proxy';
import { createRateLimiter, loadSafelist, operationLimits, operationResolutionPlugin, rateLimitedBody, rateLimitMiddleware, safelistPlugin } from './protection';
import type { Scrubber } from './scrub';
import { createScrubber } from './scrub';
import type { SubscriptionExecutor } from './subscriptions';
import { SubscriptionEnded, createSubscriptionExecutor } from './subscriptions';
import { acceptsMultipartSubscription, attachWebSocketTransport, multipartSubscriptionHandler } from './transports';
import { retryAfterPlugin } from './refusals';

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
  /** The data source of a subgraph (circuit state, for diagnostics and tests). */
  dataSource(name: string): ResilientDataSource | undefined;
}

/** An upstream REST error body without internal addresses: JSON scrubbed value by value, anything else as text. */
function scrubBody(scrub: Scrubber, text: string): string {
  try {
    return JSON.stringify(scrub.data(JSON.parse(text) as unknown));
  } catch {
    return scrub.text(text);
  }
}

/**
 * The gateway: `@apollo/gateway` over a composed supergraph behind Apollo Server 5 (GraphQL JSON POSTs
 * straight from node:http, the rest through express 5),
 * with federated subscriptions (graphql-ws and multipart), edge token verification and
 * `@authenticated`/`@requiresScopes`, operation limits, rate limits, an optional safelist,
 * resilient subgraph calls, CORS, CSRF prevention, health, metrics, hot reload and the
 * upload/download and REST proxies. Never listens until `listen`.
 */
export async function createGateway(config: GatewayConfig, deps: { supergraphSdl: string; logger: Logger; verify?: TokenVerifier }): Promise<Gateway> {
  // The edge refuses revoked sessions and keys like every service; readiness waits for the list.
  const revocations = !deps.verify && config.auth.jwksUrl && config.auth.revocations ? followRevocations(config.auth.revocations, deps.logger) : undefined;
  if (revocations && !(await revocations.whenLoaded(3_000))) deps.logger.warn('revocation list not loaded yet: not ready until it is');
  const verify =
    deps.verify ??
    (config.auth.jwksUrl ? createTokenVerifier({ jwksUrl: config.auth.jwksUrl, issuer: config.auth.issuer, audience: config.auth.audience, revocations: revocations?.list }) : undefined);
  const metrics = createServiceMetrics('gateway', { maxLabelValues: config.metricsMaxLabelValues });
  const safelist = config.safelistPath ? loadSafelist(config.safelistPath) : undefined;
  const subgraphMetrics = {
    duration: new Histogram({ name: 'gateway_subgraph_request_duration_seconds', help: 'Subgraph fetch duration by outcome', labelNames: ['subgraph', 'outcome'] as const, registers: [metrics.registry], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }),
    failures: new Counter({ name: 'gateway_subgraph_failures_total', help: 'Subgraph fetches that failed (unavailable, timeout, circuit open)', labelNames: ['subgraph', 'reason'] as const, registers: [metrics.registry] }),
    deduplicated: new Counter({ name: 'gateway_subgraph_deduplicated_total', help: 'Subgraph fetches answered by an identical call already in flight', labelNames: ['subgraph'] as const, registers: [metrics.registry] }),
  };
  const fetcher = createSubgraphFetcher({ timeoutMs: config.subgraphTimeoutMs });
  const policy = { timeoutMs: config.subgraphTimeoutMs, retries: config.subgraphRetries, breakerThreshold: config.breakerThreshold, breakerHalfOpenAfterMs: config.breakerHalfOpenAfterMs, dedupe: config.subgraphDedupe };

  const limits = operationLimits(config.limits);
  const scrub = createScrubber(() => state.urls);
  // Apollo Server hides suggestions from validation errors only; variable errors carry them too.
  const formatError = clientErrorFormatter(createGatewayFormatError({ production: config.production, scrub, limitErrorOf: limits.limitErrorOf }), config.production);
  let state = buildState(deps.supergraphSdl);
  function buildState(original: string) {
    const sdl = stripSecurityFeatures(original);
    Supergraph.build(sdl); // throws on an invalid supergraph before anything is swapped
    const urls = subgraphUrls(sdl);
    const dataSources = new Map(Object.entries(urls).map(([name, url]) => [name, new ResilientDataSource({ name, url, policy, metrics: subgraphMetrics, fetcher })]));
    let executor: SubscriptionExecutor | undefined;
    return {
      sdl,
      urls,
      dataSources,
      original,
      authRequirements: readAuthRequirements(original),
      executor: () => (executor ??= formattingExecutor(createSubscriptionExecutor({ supergraphSdl: sdl, dataSources: Object.fromEntries(dataSources) as Record<string, GraphQLDataSource>, urls, logger: deps.logger }))),
    };
  }

  /** In production, subscription events and failures get the same error formatting as every other answer. */
  function formattingExecutor(inner: SubscriptionExecutor): SubscriptionExecutor {
    if (!config.production) return inner;
    const fix = (e: unknown) => reformatError(formatError, e);
    return {
      schema: inner.schema,
      async *subscribe(args) {
        try {
          for await (const result of inner.subscribe(args)) yield result.errors?.length ? { ...result, errors: result.errors.map(fix) } : result;
        } catch (err) {
          throw fix(err);
        }
      },
    };
  }

  let pushUpdate: ((sdl: string) => void) | undefined;
  const gateway = new ApolloGateway({
    supergraphSdl: async ({ update }) => {
      pushUpdate = update;
      return { supergraphSdl: state.sdl };
    },
    buildService: ({ name, url }) => state.dataSources.get(name!) ?? new ResilientDataSource({ name: name!, url: url!, policy, metrics: subgraphMetrics, fetcher }),
  });

  const passedThrough = new Counter({ name: 'gateway_pass_through_total', help: 'Operations answered by one subgraph call without plan execution (AIC_GATEWAY_PASS_THROUGH)', labelNames: ['subgraph'] as const, registers: [metrics.registry] });
  if (config.passThrough) enablePassThrough(gateway, { dataSource: (name) => state.dataSources.get(name), supergraphSdl: () => state.sdl, onPassThrough: (subgraph) => passedThrough.inc({ subgraph }) });
  capVariableErrors(gateway);

  const app = express();
  app.disable('x-powered-by');
  // A GraphQL answer is never revalidated by ETag (as in the service kit): hashing each one is wasted.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  let ready = false;
  // Set once Apollo has started: GraphQL JSON POSTs go straight to it, everything else through express.
  const direct: { graphqlPost?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> } = {};
  const httpServer = http.createServer((req, res) => {
    if (direct.graphqlPost && isJsonPost(req, '/graphql') && !acceptsMultipartSubscription(req.headers.accept)) {
      if (edge(req, res)) void direct.graphqlPost(req, res);
      return;
    }
    app(req, res);
  });
  const openSubscriptions = new Set<AbortController>();
  const activeSubscriptions = new Gauge({ name: 'graphql_active_subscriptions', help: 'Open subscriptions (graphql-ws and multipart)', registers: [metrics.registry] });
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }) : undefined;

  const routeOptions = { corsOrigins: config.corsOrigins, metrics, logger: deps.logger, isReady: () => ready && (!revocations || revocations.loaded()), urls: () => state.urls, uploadLimitBytes: config.uploadLimitBytes, bodyLimitBytes: config.bodyLimitBytes, subgraphTimeoutMs: config.subgraphTimeoutMs, scrubError: config.production ? (text: string) => scrubBody(scrub, text) : undefined };
  const edge = edgeHandler(routeOptions);
  mountEdgeMiddleware(app, edge);
  mountServiceRoutes(app, routeOptions);

  const apollo: ApolloServer<GatewayContext> = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    // Our own SIGTERM handling drains (readiness 503, drain delay, then stop); Apollo's would exit at once.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    introspection: !config.production,
    hideSchemaDetailsFromClientErrors: config.production,
    includeStacktraceInErrorResponses: false,
    formatError,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { async serverWillStart() { return { async drainServer() { for (const c of openSubscriptions) c.abort(new SubscriptionEnded('Gateway is shutting down', 'SUBSCRIPTION_ENDED')); await ws.dispose(); } }; } },
      metricsPlugin(metrics, { isKnownOperation: safelist ? (source) => safelist.has(source) : undefined }),
      tracingPlugin('gateway', (ctx: GatewayContext) => ctx.traceparent, { rewriteContextTraceparent: true }),
      operationResolutionPlugin(),
      edgeAuthPlugin(() => state.authRequirements),
      retryAfterPlugin(),
      ...(safelist ? [safelistPlugin(safelist)] : []),
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });

  const rateLimiter = createRateLimiter(config.rateLimits, { verify, redis, prefix: config.rateLimitPrefix });
  const transportOptions = {
    executor: () => state.executor(),
    apollo,
    verify,
    logger: deps.logger,
    requireAuth: config.subscriptionsRequireAuth,
    heartbeatMs: config.multipartHeartbeatMs,
    traceparentOf,
    registry: openSubscriptions,
    revocations: revocations?.list,
    onActiveChange: (d: number) => activeSubscriptions.inc(d),
    guard: createOperationGuard({ limits, safelist, production: config.production }),
    authRequirements: () => state.authRequirements,
    rateLimiter,
    // express's req.ip (under `trust proxy`) on the plain node:http request, as for direct GraphQL POSTs.
    clientIp: (req: http.IncomingMessage) => (Object.setPrototypeOf(req, app.request) as express.Request).ip ?? req.socket.remoteAddress ?? 'unknown',
    webSocket: config.webSocket,
    bodyLimitBytes: config.bodyLimitBytes,
    formatError,
  };
  const ws = attachWebSocketTransport(httpServer, transportOptions);
  await apollo.start();

  const contextOf = async (req: express.Request): Promise<GatewayContext> => {
    const authorization = req.headers.authorization;
    let viewer: Viewer | null = (req as any).viewer ?? null;
    try {
      const token = bearerToken(authorization);
      if (token && verify && !viewer) viewer = await verify(token);
    } catch (err) {
      throw new GraphQLError((err as Error).message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
    return { authorization, viewer, traceparent: (req as any).traceparent ?? traceparentOf(req.headers.traceparent as string | undefined), requestId: (req as any).requestId, clientIp: req.ip };
  };
  // GET and multipart meet the pre-parse checks of direct POSTs (graphqlPostHandler); graphql-ws, lib's endpoint.
  app.use('/graphql', rateLimitMiddleware(rateLimiter), express.json({ limit: config.bodyLimitBytes }), refuseDeepGraphQLRequest(), multipartSubscriptionHandler(transportOptions), expressMiddleware(apollo, { context: ({ req }) => contextOf(req) }));
  direct.graphqlPost = graphqlPostHandler<GatewayContext>({
    apollo,
    bodyLimitBytes: config.bodyLimitBytes,
    // express's request methods (req.ip under `trust proxy`) on the plain node:http request, as express itself does.
    admit: async (req, res) => {
      Object.setPrototypeOf(req, app.request);
      const ip = (req as express.Request).ip ?? req.socket.remoteAddress ?? 'unknown';
      const verdict = await rateLimiter(req.headers.authorization, ip);
      (req as any).viewer = verdict.viewer;
      if (verdict.retryAfterSeconds === undefined) return true;
      const text = JSON.stringify(rateLimitedBody(verdict.retryAfterSeconds));
      res.writeHead(429, { 'retry-after': String(verdict.retryAfterSeconds), 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return false;
    },
    context: (req) => contextOf(req as express.Request),
    onError: (err) => deps.logger.error({ err }, 'unhandled GraphQL request error'),
  });
  app.get('/', (_req, res) => res.redirect('/graphql'));
  app.use((req, res) => sendRouteError(res, 404, 'NOT_FOUND', `No route ${req.method} ${(req as any).checkedPath?.path ?? ''} on this gateway`));
  app.use((err: any, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = typeof err?.status === 'number' ? err.status : 500;
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
    res.status(status).json({ errors: [{ message: status === 413 ? 'Request body too large' : status >= 500 ? 'Internal server error' : String(err?.message), extensions: { code } }] });
  });

  let stopping: Promise<void> | undefined;
  return {
    app,
    httpServer,
    setReady(r) {
      ready = r;
    },
    dataSource: (name) => state.dataSources.get(name),
    reload(sdl) {
      if (sdl === state.original) return;
      const next = buildState(sdl);
      state = next;
      pushUpdate?.(next.sdl);
      for (const c of openSubscriptions) c.abort(new SubscriptionEnded('The supergraph changed: subscribe again', 'SUBSCRIPTION_ENDED'));
      deps.logger.info({ subgraphs: Object.keys(next.urls) }, 'supergraph reloaded');
    },
    async listen(port, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      ready = true;
      const addr = httpServer.address() as AddressInfo;
      return `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${addr.port}`;
    },
    stop() {
      stopping ??= (async () => {
        ready = false;
        await apollo.stop();
        httpServer.closeAllConnections?.();
        redis?.disconnect();
        fetcher.close();
        await revocations?.close();
      })();
      return stopping;
    },
  };
}
