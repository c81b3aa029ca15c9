import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLDataSource } from '@apollo/gateway';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { Gauge } from 'prom-client';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Logger, TokenVerifier, Viewer } from '../../lib/src/index';
import { bearerToken, createServiceMetrics, createTokenVerifier, metricsPlugin, subgraphUrls } from '../../lib/src/index';
import type { GatewayConfig } from './config';
import { streamProxy } from './proxy';
import type { SubscriptionExecutor } from './subscriptions';
import { createSubscriptionExecutor } from './subscriptions';
import { attachWebSocketTransport, multipartSubscriptionHandler } from './transports';

export interface GatewayContext {
  authorization?: string;
  traceparent: string;
  requestId: string;
  viewer: Viewer | null;
}

/**
 * REST routes of subgraphs that clients reach on the gateway's origin, as path prefix → subgraph.
 * BEWARE: keep in sync with the services' own routes (docs/api/*.md document them).
 */
const REST_ROUTES: { prefix: string; service: string; stripPrefix?: string }[] = [
  { prefix: '/v2', service: 'inference' },
  { prefix: '/api/v1/lineage', service: 'catalog' },
  { prefix: '/schema-registry', service: 'schemas', stripPrefix: '/schema-registry' },
];

export interface Gateway {
  app: express.Express;
  httpServer: http.Server;
  listen(port: number, host?: string): Promise<string>;
  stop(): Promise<void>;
  setReady(ready: boolean): void;
}

class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: { request: { http?: { headers: { set(k: string, v: string): void } } }; context: Partial<GatewayContext> }) {
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    if (context.traceparent) request.http?.headers.set('traceparent', context.traceparent);
    if (context.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }
}

/** A W3C trace context header: keep the client's, or start a trace. */
function traceparentOf(given: string | undefined): string {
  if (given && /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(given)) return given;
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

function formatGatewayError(production: boolean) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
    if (production && (extensions.code === 'INTERNAL_SERVER_ERROR' || !extensions.code)) {
      return { ...formatted, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', ...(extensions.serviceName ? { serviceName: extensions.serviceName } : {}) } };
    }
    return { ...formatted, extensions };
  };
}

/**
 * The gateway: `@apollo/gateway` over a composed supergraph behind Apollo Server 5 and express 5,
 * with edge token verification, CORS allow-list, CSRF prevention, health routes, metrics, and the
 * upload/download and REST proxies to the owning services. Never listens until `listen`.
 */
export async function createGateway(config: GatewayConfig, deps: { supergraphSdl: string; logger: Logger; verify?: TokenVerifier }): Promise<Gateway> {
  const urls = subgraphUrls(deps.supergraphSdl);
  const verify = deps.verify ?? (config.auth.jwksUrl ? createTokenVerifier({ jwksUrl: config.auth.jwksUrl, issuer: config.auth.issuer, audience: config.auth.audience }) : undefined);
  const metrics = createServiceMetrics('gateway');
  const timedFetch = ((input: any, init: any) => fetch(input, { ...init, signal: AbortSignal.timeout(config.subgraphTimeoutMs) })) as any;
  const gateway = new ApolloGateway({
    supergraphSdl: deps.supergraphSdl,
    buildService: ({ url }) => new ForwardingDataSource({ url, fetcher: timedFetch }),
  });
  const dataSources: Record<string, GraphQLDataSource> = Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, new ForwardingDataSource({ url, fetcher: timedFetch })]));
  let executor: SubscriptionExecutor | undefined;
  const subscriptionExecutor = () => (executor ??= createSubscriptionExecutor({ supergraphSdl: deps.supergraphSdl, dataSources, urls, logger: deps.logger }));
  const openSubscriptions = new Set<AbortController>();
  const activeSubscriptions = new Gauge({ name: 'graphql_active_subscriptions', help: 'Open subscriptions (graphql-ws and multipart)', registers: [metrics.registry] });

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let ready = false;

  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin && config.corsOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-allow-headers', 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, apollographql-client-version, traceparent');
      res.setHeader('access-control-allow-methods', 'GET, POST, PUT, OPTIONS');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    (req as any).requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ method: req.method, route: req.path.startsWith('/graphql') ? '/graphql' : 'other', status: String(res.statusCode) }, seconds);
      if (!req.path.startsWith('/health') && req.path !== '/metrics') deps.logger.info({ requestId, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  });
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/health/ready', (_req, res) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', service: 'gateway' });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  app.put('/uploads/:service/:id', (req, res) => {
    const base = urls[req.params.service];
    if (!base) {
      res.status(404).json({ error: `No service "${req.params.service}"` });
      return;
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > config.uploadLimitBytes) {
      res.status(413).json({ error: `Content exceeds the limit of ${config.uploadLimitBytes} bytes` });
      return;
    }
    streamProxy(req, res, `${new URL(base).origin}/uploads/${encodeURIComponent(req.params.id)}`, 10 * 60_000);
  });
  app.get('/downloads/:service/:token', (req, res) => {
    const base = urls[req.params.service];
    if (!base) {
      res.status(404).json({ error: `No service "${req.params.service}"` });
      return;
    }
    streamProxy(req, res, `${new URL(base).origin}/downloads/${encodeURIComponent(req.params.token)}`, 10 * 60_000);
  });
  for (const route of REST_ROUTES) {
    app.use(route.prefix, (req, res) => {
      const base = urls[route.service];
      if (!base) {
        res.status(404).json({ error: `No service "${route.service}" in this supergraph` });
        return;
      }
      const rest = route.stripPrefix ? req.url : `${route.prefix}${req.url === '/' ? '' : req.url}`;
      streamProxy(req, res, `${new URL(base).origin}${rest}`, config.subgraphTimeoutMs);
    });
  }

  const apollo: ApolloServer<GatewayContext> = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    formatError: formatGatewayError(config.production),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { async serverWillStart() { return { async drainServer() { for (const c of openSubscriptions) c.abort(); await ws.dispose(); } }; } },
      metricsPlugin(metrics),
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });
  const transportOptions = {
    executor: subscriptionExecutor,
    apollo,
    verify,
    logger: deps.logger,
    requireAuth: config.subscriptionsRequireAuth,
    heartbeatMs: config.multipartHeartbeatMs,
    traceparentOf,
    registry: openSubscriptions,
    onActiveChange: (d: number) => activeSubscriptions.inc(d),
  };
  const ws = attachWebSocketTransport(httpServer, transportOptions);
  await apollo.start();

  app.use(
    '/graphql',
    express.json({ limit: config.bodyLimitBytes }),
    multipartSubscriptionHandler(transportOptions),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GatewayContext> => {
        const authorization = req.headers.authorization;
        let viewer: Viewer | null = null;
        try {
          const token = bearerToken(authorization);
          if (token && verify) viewer = await verify(token);
        } catch (err) {
          throw new GraphQLError((err as Error).message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
        }
        return { authorization, viewer, traceparent: traceparentOf(req.headers.traceparent as string | undefined), requestId: (req as any).requestId };
      },
    }),
  );
  app.get('/', (_req, res) => res.redirect('/graphql'));
  app.use((err: any, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = typeof err?.status === 'number' ? err.status : 500;
    res.status(status).json({ errors: [{ message: status === 413 ? 'Request body too large' : status >= 500 ? 'Internal server error' : String(err?.message), extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  let stopping: Promise<void> | undefined;
  return {
    app,
    httpServer,
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
      return `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${addr.port}`;
    },
    stop() {
      stopping ??= (async () => {
        ready = false;
        await apollo.stop();
        httpServer.closeAllConnections?.();
      })();
      return stopping;
    },
  };
}

