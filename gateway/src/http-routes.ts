import { randomFillSync, randomUUID } from 'node:crypto';
import type http from 'node:http';
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

/** Random bytes for trace ids, drawn from a pool refilled 4 KiB at a time (as crypto.randomUUID does). */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

/** A W3C trace context header: keep the client's, or start a trace. */
export function traceparentOf(given?: string): string {
  if (given && /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(given)) return given;
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
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

/**
 * CORS for an allow-list, request ids, trace context and request logs/metrics, for the express
 * routes and the direct GraphQL path alike.
 * @returns false when it answered the request itself (a CORS preflight)
 */
export function edgeHandler(opts: RouteOptions): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin && opts.corsOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-allow-headers', 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, apollographql-client-version, traceparent');
      res.setHeader('access-control-allow-methods', 'GET, POST, PUT, OPTIONS');
    }
    if (req.method === 'OPTIONS') {
      res.statusCode = 204;
      res.end();
      return false;
    }
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    const traceparent = traceparentOf(req.headers.traceparent as string | undefined);
    (req as any).requestId = requestId;
    (req as any).traceparent = traceparent;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // originalUrl: inside a mounted router (app.use('/graphql', …)) req.url is relative to the mount.
      const path = ((req as express.Request).originalUrl ?? req.url ?? '').split('?')[0];
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      opts.metrics.httpDuration.observe({ method: req.method, route: path.startsWith('/graphql') ? '/graphql' : 'other', status: String(res.statusCode) }, seconds);
      if (!path.startsWith('/health') && path !== '/metrics') opts.logger.info({ requestId, traceId: traceparent.split('-')[1], method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    return true;
  };
}

/** The edge handler as the first express middleware. */
export function mountEdgeMiddleware(app: express.Express, edge: ReturnType<typeof edgeHandler>): void {
  app.use((req, res, next) => {
    if (edge(req, res)) next();
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
