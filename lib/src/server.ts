import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BaseContext } from '@apollo/server';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
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
import { createRequestState } from './core/request-state';
import { graphqlPostHandler, isJsonPost, refuseDeepGraphQLRequest } from './graphql-http';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { DEFAULT_MAX_LABEL_VALUES, createServiceMetrics, metricsPlugin } from './metrics';
import { SERVICE_SECRET_HEADER, disclosesSchema, holdsServiceSecret, isServiceViewer, mayDiscloseSchema, schemaDisclosurePlugin, schemaDisclosureRefused } from './schema-disclosure';
import { describeError } from './redact';
import { refuseUnstorableExecution, refuseUnstorableUrl, storableInputPlugin } from './storable-input';
import { startTracing, tracingPlugin } from './tracing';
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
}

export interface ServiceServer {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<any>;
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
 * Never listens until `listen` is called.
 */
export async function createServiceServer<TContext extends BaseContext>(opts: ServiceServerOptions<TContext>): Promise<ServiceServer> {
  const app = express();
  app.disable('x-powered-by');
  // A GraphQL POST answer is never revalidated by ETag; hashing every response body would be wasted.
  app.set('etag', false);
  const metrics = opts.metrics ?? createServiceMetrics(opts.name, { maxLabelValues: opts.metricsMaxLabelValues ?? DEFAULT_MAX_LABEL_VALUES });
  let ready = false;
  // Set once Apollo has started: GraphQL JSON POSTs go straight to it, everything else through express.
  const direct: { graphqlPost?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> } = {};
  const httpServer = http.createServer((req, res) => {
    const requestId = header(req.headers['x-request-id']) ?? randomUUID();
    requestState.of(req).requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // originalUrl: inside a mounted router (app.use('/graphql', …)) req.path is relative to the mount.
      const path = ((req as express.Request).originalUrl ?? req.url ?? '').split('?')[0];
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req as express.Request).route?.path ?? (path.startsWith('/graphql') ? '/graphql' : 'other');
      metrics.httpDuration.observe({ method: req.method ?? '', route: String(route), status: String(res.statusCode) }, seconds);
      if (!path.startsWith('/health') && path !== '/metrics') {
        const traceId = header(req.headers.traceparent)?.split('-')[1];
        opts.logger.info({ requestId, traceId, method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
      }
    });
    if (direct.graphqlPost && isJsonPost(req, '/graphql')) {
      void direct.graphqlPost(req, res);
      return;
    }
    app(req, res);
  });

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: opts.name });
  });
  app.get('/health/ready', async (_req, res) => {
    let ok = ready && (!opts.revocations || opts.revocations.loaded());
    if (ok) for (const check of opts.readinessChecks ?? []) if (!(await check().catch(() => false))) ok = false;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', service: opts.name });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  // GraphQL checks its arguments itself (storableInputPlugin), with GraphQL's error shape.
  app.use((req, res, next) => (req.path.startsWith('/graphql') ? next() : refuseUnstorableUrl(req, res, next)));
  opts.routes?.(app);

  const formatError = createFormatError((err) => opts.logger.error({ err }, 'internal error'));
  const ws = attachGraphQLWebSocket<{ params: Record<string, unknown> }>(httpServer, {
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
      if (invalid.length) return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
      const auth = params.authorization ?? params.Authorization;
      const headers: Record<string, string | undefined> = Object.create(null);
      for (const [k, v] of Object.entries(request.headers)) headers[k] = header(v);
      const contextValue = await opts.context({ authorization: typeof auth === 'string' ? auth : headers.authorization, traceparent: headers.traceparent, requestId: randomUUID(), headers, remoteAddress: request.socket.remoteAddress });
      // graphql-ws runs queries too: the same schema-disclosure rule as on HTTP (see schemaDisclosurePlugin).
      if (opts.production && mayDiscloseSchema(payload.query) && disclosesSchema(document, payload.operationName)) {
        const presented = params[SERVICE_SECRET_HEADER] ?? headers[SERVICE_SECRET_HEADER];
        if (!holdsServiceSecret(presented, opts.serviceSecret) && !isServiceViewer(contextValue)) return [schemaDisclosureRefused()];
      }
      return { schema: opts.schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
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
    plugins: [
      schemaDisclosurePlugin<TContext>({ production: opts.production, serviceSecret: opts.serviceSecret }),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { async serverWillStart() { return { async drainServer() { await ws.dispose(); } }; } },
      storableInputPlugin(),
      metricsPlugin(metrics),
      tracingPlugin(opts.name, (ctx, request) => request?.http?.headers.get('traceparent') ?? ctx?.traceparent),
      ApolloServerPluginInlineTraceDisabled(),
      // No schema here carries @cacheControl hints; Apollo's cache-control plugin would still wrap every
      // field resolver of every request to look for them.
      ApolloServerPluginCacheControlDisabled(),
      ...(opts.production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  const contextOf = (req: http.IncomingMessage) => {
    const headers: Record<string, string | undefined> = Object.create(null);
    for (const [k, v] of Object.entries(req.headers)) headers[k] = header(v);
    return opts.context({ authorization: headers.authorization, traceparent: headers.traceparent, requestId: requestState.of(req).requestId ?? randomUUID(), headers, remoteAddress: req.socket.remoteAddress });
  };
  direct.graphqlPost = graphqlPostHandler({ apollo, bodyLimitBytes: opts.bodyLimitBytes, context: contextOf, onError: (err) => opts.logger.error({ err }, 'unhandled GraphQL request error') });
  app.use(
    '/graphql',
    express.json({ limit: opts.bodyLimitBytes }),
    refuseDeepGraphQLRequest(),
    expressMiddleware(apollo, { context: ({ req }) => contextOf(req) }),
  );
  app.use((err: any, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = typeof err?.status === 'number' ? err.status : 500;
    if (status >= 500) opts.logger.error({ err }, 'unhandled route error');
    const code = err instanceof GraphQLError ? err.extensions.code : undefined;
    res.status(status).json(status >= 500 ? { error: 'Internal server error' } : { error: String(err?.message ?? 'Bad request'), ...(code ? { code, fields: err.extensions.fields } : {}) });
  });

  let stopping: Promise<void> | undefined;
  return {
    app,
    httpServer,
    apollo,
    metrics,
    setReady(r) {
      ready = r;
    },
    async listen(port, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      ready = true;
      const addr = httpServer.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return `http://${shownHost}:${addr.port}`;
    },
    stop() {
      stopping ??= (async () => {
        ready = false;
        await apollo.stop();
        httpServer.closeAllConnections?.();
        await opts.revocations?.close();
        await opts.onStop?.();
      })();
      return stopping;
    },
  };
}

/**
 * A subscription's events until the viewer's token expires or its session or key is revoked, then
 * one UNAUTHENTICATED error: a subscription never outlives its credentials (as at the gateway).
 */
function endWithCredentials(source: AsyncIterable<ExecutionResult>, viewer: Viewer, revocations: RevocationList | undefined): AsyncGenerator<ExecutionResult> {
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

/**
 * Runs a service until SIGTERM/SIGINT: listens, then on a signal turns readiness off, waits
 * `drainDelaySeconds` so load balancers stop routing, drains and exits.
 */
export async function runUntilSignal(server: ServiceServer, opts: { port: number; host: string; drainDelaySeconds: number; logger: Logger; name: string; otlpEndpoint?: string }): Promise<string> {
  // Spans of this service join the caller's trace (the gateway's traceparent) when an OTLP endpoint is set.
  const tracing = opts.otlpEndpoint ? startTracing({ serviceName: opts.name, endpoint: opts.otlpEndpoint }) : undefined;
  const url = await server.listen(opts.port, opts.host);
  opts.logger.info({ url: `${url}/graphql` }, `${opts.name} ready`);
  const shutdown = async (signal: string) => {
    opts.logger.info({ signal }, 'shutting down');
    server.setReady(false);
    await new Promise((r) => setTimeout(r, opts.drainDelaySeconds * 1000));
    await server.stop().catch((err) => opts.logger.error({ err }, 'error while stopping'));
    await tracing?.shutdown().catch((err) => opts.logger.error({ err }, 'error while flushing spans'));
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return url;
}

/**
 * The `catch` of a service's `main()`: writes "<service> failed to start: <error>" to stderr (SQL
 * values masked, secrets scrubbed, see `describeError`) and exits with status 1.
 */
export function exitOnBootFailure(service: string): (error: unknown) => never {
  return (error) => {
    process.stderr.write(`${service} failed to start: ${describeError(error)}\n`);
    process.exit(1);
  };
}
