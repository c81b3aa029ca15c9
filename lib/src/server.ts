import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { GraphQLError, execute, parse, subscribe, validate } from 'graphql';
import type { RevocationFeed } from './auth/revocation-feed';
import { watchCredentials } from './auth/credential-watch';
import type { RevocationList } from './auth/revocations';
import type { Viewer } from './auth/viewer';
import { loadWebSocketSettings } from './env';
import { createFormatError } from './errors';
import { createHttpShell, observeRequest, routeErrorHandler } from './core/http-shell';
import { createRequestState } from './core/request-state';
import { graphqlPostHandler, refuseDeepGraphQLRequest } from './graphql-http';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { DEFAULT_MAX_LABEL_VALUES, createServiceMetrics, metricsPlugin } from './metrics';
import {
  SERVICE_SECRET_HEADER,
  disclosesSchema,
  holdsServiceSecret,
  isServiceViewer,
  mayDiscloseSchema,
  schemaDisclosurePlugin,
  schemaDisclosureRefused,
} from './schema-disclosure';
import { refuseUnstorableExecution, refuseUnstorableUrl, storableInputPlugin } from './storable-input';
import { tracingPlugin } from './tracing';
import type { WebSocketSettings } from './websocket';
import { attachGraphQLWebSocket } from './websocket';

/** What a context factory receives, from HTTP headers or graphql-ws `connectionParams`. */
export interface ContextInput {
  authorization?: string;
  traceparent?: string;
  requestId: string;
  headers: Record<string, string | undefined>;
  /** The TCP peer's address (a proxy's, when one is in front; see its `x-forwarded-for`). */
  remoteAddress?: string;
}

export interface ServiceServerOptions<TContext extends BaseContext> {
  name: string;
  schema: GraphQLSchema;
  context: (input: ContextInput) => Promise<TContext>;
  logger: Logger;
  /** In production, introspection and `_service` answer only callers holding a service credential. */
  production: boolean;
  /** The shared service secret (`AIC_SERVICE_SECRET`): presented in `x-aic-service-secret`, it is a service credential. */
  serviceSecret?: string;
  bodyLimitBytes: number;
  /** Extra readiness checks (database ping ...); all must pass for /health/ready to answer 200. */
  readinessChecks?: (() => Promise<boolean>)[];
  /** Adds REST routes (internal routes, OIP, Confluent API ...) before /graphql. */
  routes?: (app: express.Express) => void;
  metrics?: ServiceMetrics;
  /** Distinct values of a caller-chosen metric label when the kit creates the metrics. @default 100 */
  metricsMaxLabelValues?: number;
  /** graphql-ws limits (messages after `connection_ack` may be `bodyLimitBytes` long). @default loadWebSocketSettings({}) */
  webSocket?: WebSocketSettings;
  /** Runs on stop after HTTP is drained: close pools, ORM, pub/sub. */
  onStop?: () => Promise<void>;
  /**
   * The revocation feed the service's verifier consults (`createServiceAuth`): readiness waits for
   * its list, a subscription whose session or key is revoked ends with UNAUTHENTICATED (as one
   * whose token expires always does), and it is closed on stop.
   */
  revocations?: RevocationFeed;
  /** Idle kept-alive connections close after this long (`HttpShellOptions.keepAliveTimeoutMs`). @default 65_000 */
  keepAliveTimeoutMs?: number;
}

export interface ServiceServer {
  app: express.Express;
  httpServer: http.Server;
  /** Its lifecycle only: its operations take the service's own context type, which this interface does not carry. */
  apollo: Pick<ApolloServer, 'start' | 'stop'>;
  metrics: ServiceMetrics;
  /** Starts listening (port 0 picks a free port) and turns readiness on. @returns the base URL */
  listen(port: number, host?: string): Promise<string>;
  setReady(ready: boolean): void;
  /** Readiness off, in-flight requests drained, sockets closed, `onStop` run. */
  stop(): Promise<void>;
}

const header = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);

/** The request id the node:http handler gives every request before anything else sees it. */
const requestState = createRequestState<{ requestId: string }>();

/**
 * The server kit every service uses: Apollo Server 5 + graphql-ws on the same port and path (GraphQL
 * JSON POSTs straight from node:http to Apollo, everything else through express 5), JSON body limit,
 * request ids, `/health/live`, `/health/ready` (503 while starting and after stop begins),
 * Prometheus `/metrics`, pino request logs, masked internal errors, graceful drain, and in
 * production no schema (introspection, `_service`) for callers without a service credential.
 * The HTTP side is lib's shell (`createHttpShell`), the one the gateway uses too.
 * Never listens until `listen` is called.
 */
export async function createServiceServer<TContext extends BaseContext>(
  opts: ServiceServerOptions<TContext>,
): Promise<ServiceServer> {
  const metrics =
    opts.metrics ??
    createServiceMetrics(opts.name, { maxLabelValues: opts.metricsMaxLabelValues ?? DEFAULT_MAX_LABEL_VALUES });
  const shell = createHttpShell({
    name: opts.name,
    metrics,
    onRequest: (req, res) => tagAndObserve(req, res, metrics, opts.logger),
    readiness: () => serviceReadiness(opts),
    keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
  });
  const { app, httpServer } = shell;
  shell.mountHealthAndMetrics();
  // GraphQL checks its arguments itself (storableInputPlugin), with GraphQL's error shape.
  app.use((req, res, next) => (req.path.startsWith('/graphql') ? next() : refuseUnstorableUrl(req, res, next)));
  opts.routes?.(app);

  const formatError = createFormatError((err) => opts.logger.error({ err }, 'internal error'));
  const ws = attachServiceWebSocket(httpServer, opts, formatError);
  const apollo = new ApolloServer<TContext>({
    schema: opts.schema,
    formatError,
    // Apollo's own warnings and errors go through the service's logger (and its redaction), not console.
    logger: opts.logger,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Our own SIGTERM handling drains (readiness 503, drain delay, then stop); Apollo's would exit at once.
    stopOnTerminationSignals: false,
    // Introspection stays on for service callers; schemaDisclosurePlugin refuses everyone else in production.
    introspection: true,
    plugins: servicePlugins(opts, httpServer, metrics, () => ws.dispose()),
  });
  await apollo.start();

  const contextOf = (req: http.IncomingMessage) => {
    const headers = singleHeaders(req.headers);
    return opts.context({
      authorization: headers.authorization,
      traceparent: headers.traceparent,
      requestId: requestState.of(req).requestId ?? randomUUID(),
      headers,
      remoteAddress: req.socket.remoteAddress,
    });
  };
  shell.serveGraphQLPosts(
    graphqlPostHandler({
      apollo,
      bodyLimitBytes: opts.bodyLimitBytes,
      context: contextOf,
      onError: (err) => opts.logger.error({ err }, 'unhandled GraphQL request error'),
    }),
  );
  app.use(
    '/graphql',
    express.json({ limit: opts.bodyLimitBytes }),
    refuseDeepGraphQLRequest(),
    expressMiddleware(apollo, { context: ({ req }) => contextOf(req) }),
  );
  app.use(
    routeErrorHandler(routeErrorBody, (err, status) => {
      if (status >= 500) opts.logger.error({ err }, 'unhandled route error');
    }),
  );

  return {
    app,
    httpServer,
    apollo,
    metrics,
    setReady: (r) => shell.setReady(r),
    listen: (port, host) => shell.listen(port, host),
    stop: () =>
      shell.stop(
        () => apollo.stop(),
        async () => {
          await opts.revocations?.close();
          await opts.onStop?.();
        },
      ),
  };
}

/** Every header once (the first of repeated ones), in an object without inherited keys. */
function singleHeaders(given: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = Object.create(null);
  for (const [k, v] of Object.entries(given)) headers[k] = header(v);
  return headers;
}

/** Gives a request its id (the caller's `x-request-id` or a new one) and logs and measures it when it finishes. */
function tagAndObserve(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  metrics: ServiceMetrics,
  logger: Logger,
): true {
  const requestId = header(req.headers['x-request-id']) ?? randomUUID();
  requestState.of(req).requestId = requestId;
  res.setHeader('x-request-id', requestId);
  observeRequest(req, res, {
    metrics,
    logger,
    requestId,
    traceId: () => header(req.headers.traceparent)?.split('-')[1],
    route: (r, path) =>
      String((r as express.Request).route?.path ?? (path.startsWith('/graphql') ? '/graphql' : 'other')),
  });
  return true;
}

/** Ready once the revocation list is loaded and every readiness check passes. */
async function serviceReadiness(
  opts: Pick<ServiceServerOptions<BaseContext>, 'revocations' | 'readinessChecks'>,
): Promise<boolean> {
  if (opts.revocations && !opts.revocations.loaded()) return false;
  let ok = true;
  for (const check of opts.readinessChecks ?? []) if (!(await check().catch(() => false))) ok = false;
  return ok;
}

/** A service route's error answer: `{ error }` (and a GraphQL error's code and fields); internal errors masked. */
function routeErrorBody(err: unknown, status: number): unknown {
  if (status >= 500) return { error: 'Internal server error' };
  const code = err instanceof GraphQLError ? err.extensions.code : undefined;
  return {
    error: String((err as { message?: unknown } | null)?.message ?? 'Bad request'),
    ...(code ? { code, fields: (err as GraphQLError).extensions.fields } : {}),
  };
}

function servicePlugins<TContext extends BaseContext>(
  opts: ServiceServerOptions<TContext>,
  httpServer: http.Server,
  metrics: ServiceMetrics,
  disposeWebSockets: () => Promise<void>,
): ApolloServerPlugin<TContext>[] {
  return [
    schemaDisclosurePlugin<TContext>({ production: opts.production, serviceSecret: opts.serviceSecret }),
    ApolloServerPluginDrainHttpServer({ httpServer }),
    {
      async serverWillStart() {
        return {
          async drainServer() {
            await disposeWebSockets();
          },
        };
      },
    },
    storableInputPlugin(),
    metricsPlugin(metrics),
    tracingPlugin<TContext>(
      opts.name,
      (ctx, request) =>
        request?.http?.headers.get('traceparent') ?? (ctx as { traceparent?: string } | undefined)?.traceparent,
    ),
    ApolloServerPluginInlineTraceDisabled(),
    // No schema here carries @cacheControl hints; Apollo's cache-control plugin would still wrap every
    // field resolver of every request to look for them.
    ApolloServerPluginCacheControlDisabled(),
    ...(opts.production ? [ApolloServerPluginLandingPageDisabled()] : []),
  ];
}

/** graphql-ws on the service's port and path: the schema-disclosure rule of HTTP, storable input, subscriptions that end with their credentials. */
function attachServiceWebSocket<TContext extends BaseContext>(
  httpServer: http.Server,
  opts: ServiceServerOptions<TContext>,
  formatError: ReturnType<typeof createFormatError>,
) {
  return attachGraphQLWebSocket<{ params: Record<string, unknown> }>(httpServer, {
    path: '/graphql',
    settings: opts.webSocket ?? loadWebSocketSettings({}, { maxConnectionsPerIp: 0 }),
    maxPayloadBytes: opts.bodyLimitBytes,
    logger: opts.logger,
    onConnect: async (params) => ({ params }),
    prepare: async ({ params }, payload, request) => {
      let document;
      try {
        document = parse(payload.query);
      } catch (err) {
        return [new GraphQLError((err as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
      }
      const invalid = validate(opts.schema, document);
      if (invalid.length)
        return invalid.map(
          (e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
        );
      const auth = params.authorization ?? params.Authorization;
      const headers = singleHeaders(request.headers);
      const contextValue = await opts.context({
        authorization: typeof auth === 'string' ? auth : headers.authorization,
        traceparent: headers.traceparent,
        requestId: randomUUID(),
        headers,
        remoteAddress: request.socket.remoteAddress,
      });
      // graphql-ws runs queries too: the same schema-disclosure rule as on HTTP (see schemaDisclosurePlugin).
      if (opts.production && mayDiscloseSchema(payload.query) && disclosesSchema(document, payload.operationName)) {
        const presented = params[SERVICE_SECRET_HEADER] ?? headers[SERVICE_SECRET_HEADER];
        if (!holdsServiceSecret(presented, opts.serviceSecret) && !isServiceViewer(contextValue))
          return [schemaDisclosureRefused()];
      }
      return {
        schema: opts.schema,
        document,
        variableValues: payload.variables,
        operationName: payload.operationName,
        contextValue,
      };
    },
    execute: async (args) => refuseUnstorableExecution(args) ?? execute(args),
    subscribe: async (args) => {
      const refused = refuseUnstorableExecution(args);
      if (refused) return refused;
      const result = await subscribe(args);
      const viewer = (args.contextValue as { viewer?: Viewer | null } | undefined)?.viewer;
      if (!viewer || !(Symbol.asyncIterator in Object(result))) return result;
      return endWithCredentials(result as AsyncIterable<ExecutionResult>, viewer, opts.revocations?.list);
    },
    formatError: (formatted, original) => formatError(formatted, original),
  });
}

/**
 * A subscription's events until the viewer's token expires or its session or key is revoked, then
 * one UNAUTHENTICATED error: a subscription never outlives its credentials (as at the gateway).
 */
function endWithCredentials(
  source: AsyncIterable<ExecutionResult>,
  viewer: Viewer,
  revocations: RevocationList | undefined,
): AsyncGenerator<ExecutionResult> {
  return (async function* () {
    const events = source[Symbol.asyncIterator]();
    let onEnded!: (error: GraphQLError) => void;
    const ended = new Promise<GraphQLError>((resolve) => (onEnded = resolve));
    const unwatch = watchCredentials(viewer, revocations, onEnded);
    try {
      for (;;) {
        const next = await Promise.race([events.next(), ended]);
        if (next instanceof GraphQLError) {
          yield { errors: [next] };
          return;
        }
        if (next.done) return;
        yield next.value;
      }
    } finally {
      unwatch();
      // Not awaited: a source still waiting for its next event may settle its return only then.
      void Promise.resolve(events.return?.()).catch(() => undefined);
    }
  })();
}
