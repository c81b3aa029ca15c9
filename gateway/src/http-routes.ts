import { randomBytes, randomUUID } from 'node:crypto';
import type express from 'express';
import type { ServiceMetrics } from '../../lib/src/index';
import type { Logger } from '../../lib/src/index';
import { streamProxy } from './proxy';

/**
 * REST routes of subgraphs that clients reach on the gateway's origin, as path prefix → subgraph.
 * BEWARE: keep in sync with the services' own routes (docs/api/*.md document them).
 */
export const REST_ROUTES: { prefix: string; service: string; stripPrefix?: boolean }[] = [
  { prefix: '/v2', service: 'inference' },
  { prefix: '/api/v1/lineage', service: 'catalog' },
  { prefix: '/schema-registry', service: 'schemas', stripPrefix: true },
];

/** A W3C trace context header: keep the client's, or start a trace. */
export function traceparentOf(given?: string): string {
  if (given && /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(given)) return given;
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export interface RouteOptions {
  corsOrigins: string[];
  metrics: ServiceMetrics;
  logger: Logger;
  isReady: () => boolean;
  /** Current subgraph name → routing URL (changes on supergraph reload). */
  urls: () => Record<string, string>;
  uploadLimitBytes: number;
  subgraphTimeoutMs: number;
}

/** CORS for an allow-list, request ids and request logs/metrics. */
export function mountEdgeMiddleware(app: express.Express, opts: RouteOptions): void {
  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin && opts.corsOrigins.includes(origin)) {
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
    const traceparent = traceparentOf(req.headers.traceparent as string | undefined);
    (req as any).requestId = requestId;
    (req as any).traceparent = traceparent;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // originalUrl: inside a mounted router (app.use('/graphql', …)) req.path is relative to the mount.
      const path = req.originalUrl.split('?')[0];
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      opts.metrics.httpDuration.observe({ method: req.method, route: path.startsWith('/graphql') ? '/graphql' : 'other', status: String(res.statusCode) }, seconds);
      if (!path.startsWith('/health') && path !== '/metrics') opts.logger.info({ requestId, traceId: traceparent.split('-')[1], method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  });
}

/** Health, metrics, the upload/download proxy and the subgraphs' REST routes. */
export function mountServiceRoutes(app: express.Express, opts: RouteOptions): void {
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/health/ready', (_req, res) => {
    const ready = opts.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', service: 'gateway' });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', opts.metrics.registry.contentType);
    res.send(await opts.metrics.registry.metrics());
  });
  const origin = (service: string, res: express.Response): string | undefined => {
    const base = opts.urls()[service];
    if (!base) res.status(404).json({ error: `No service "${service}" in this supergraph` });
    return base ? new URL(base).origin : undefined;
  };
  app.put('/uploads/:service/:id', (req, res) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > opts.uploadLimitBytes) {
      res.status(413).json({ error: `Content exceeds the limit of ${opts.uploadLimitBytes} bytes` });
      return;
    }
    const base = origin(req.params.service, res);
    if (base) streamProxy(req, res, `${base}/uploads/${encodeURIComponent(req.params.id)}`, 10 * 60_000);
  });
  app.get('/downloads/:service/:token', (req, res) => {
    const base = origin(req.params.service, res);
    if (base) streamProxy(req, res, `${base}/downloads/${encodeURIComponent(req.params.token)}`, 10 * 60_000);
  });
  for (const route of REST_ROUTES) {
    app.use(route.prefix, (req, res) => {
      const base = origin(route.service, res);
      if (!base) return;
      const rest = route.stripPrefix ? req.url : `${route.prefix}${req.url === '/' ? '' : req.url}`;
      streamProxy(req, res, `${base}${rest}`, opts.subgraphTimeoutMs);
    });
  }
}
