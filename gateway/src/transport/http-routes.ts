import { randomFillSync, randomUUID } from 'node:crypto';
import type http from 'node:http';
import type express from 'express';
import type { ServiceMetrics } from '../../../lib/src/core';
import { observeRequest } from '../../../lib/src/core';
import type { Logger } from '../../../lib/src/core';
import { sendRouteError, streamProxy } from './proxy';
import type { CheckedPath } from './request-path';
import { checkRequestPath } from './request-path';
import { requestState } from './request-state';

/** A subgraph REST API clients reach on the gateway's origin. */
export interface RestRoute {
  /** Path prefix on the gateway (matched case-sensitively, on a segment boundary). */
  prefix: string;
  service: string;
  /** What the prefix becomes on the service: the route forwards only below it. */
  upstream: string;
  /** When set, the first segment after the prefix must be one of these (the API's own roots). */
  only?: string[];
}

/**
 * REST routes of subgraphs that clients reach on the gateway's origin, as path prefix → subgraph.
 * BEWARE: keep in sync with the services' own routes (docs/api/*.md document them).
 */
export const REST_ROUTES: RestRoute[] = [
  { prefix: '/v2', service: 'inference', upstream: '/v2' },
  { prefix: '/api/v1/lineage', service: 'catalog', upstream: '/api/v1/lineage' },
  // The Confluent API sits at the schemas service's root, beside its /graphql, /internal and /metrics.
  {
    prefix: '/schema-registry',
    service: 'schemas',
    upstream: '',
    only: ['subjects', 'schemas', 'config', 'compatibility'],
  },
];

/**
 * The service path a REST route forwards a checked gateway path to (the query string goes along as is).
 * @returns the raw path on the service, or undefined when the path is outside the route
 */
export function restTarget(route: RestRoute, checked: CheckedPath): string | undefined {
  const { path } = checked;
  if (path !== route.prefix && !path.startsWith(`${route.prefix}/`)) return undefined;
  const rest = path.slice(route.prefix.length);
  if (route.only && !route.only.includes(rest.split('/')[1] ?? '')) return undefined;
  return `${route.upstream}${rest}` || '/';
}

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

export interface EdgeOptions {
  corsOrigins: string[];
  metrics: ServiceMetrics;
  logger: Logger;
}

export interface RouteOptions {
  /** Adds /health/live, /health/ready, /health (as ready) and /metrics (the HTTP shell's), after the path check. */
  mountHealthAndMetrics: () => void;
  /** Current subgraph name → routing URL (changes on supergraph reload). */
  urls: () => Record<string, string>;
  uploadLimitBytes: number;
  /** The request body limit of the REST routes (the same as GraphQL's). */
  bodyLimitBytes: number;
  subgraphTimeoutMs: number;
  /** Rewrites upstream error answers (production: no internal address reaches a client). */
  scrubError?: (text: string) => string;
}

/**
 * CORS for an allow-list, request ids, trace context and request logs/metrics, first on every
 * request (the HTTP shell's `onRequest`): the express routes and the direct GraphQL path alike.
 * @returns false when it answered the request itself (a CORS preflight)
 */
export function edgeHandler(opts: EdgeOptions): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin && opts.corsOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader(
        'access-control-allow-headers',
        'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, apollographql-client-version, traceparent',
      );
      res.setHeader('access-control-allow-methods', 'GET, POST, PUT, OPTIONS');
    }
    if (req.method === 'OPTIONS') {
      res.statusCode = 204;
      res.end();
      return false;
    }
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    const traceparent = traceparentOf(req.headers.traceparent as string | undefined);
    const state = requestState.of(req);
    state.requestId = requestId;
    state.traceparent = traceparent;
    res.setHeader('x-request-id', requestId);
    observeRequest(req, res, {
      metrics: opts.metrics,
      logger: opts.logger,
      requestId,
      traceId: () => traceparent.split('-')[1],
      route: (_req, path) => (path.startsWith('/graphql') ? '/graphql' : 'other'),
    });
    return true;
  };
}

/** The path `refuseUnsafePaths` checked (it runs before every route that reads it). */
const checkedPathOf = (req: express.Request): CheckedPath => {
  const checked = requestState.peek(req)?.checkedPath;
  if (!checked) throw new Error('refuseUnsafePaths did not run before this route');
  return checked;
};

/**
 * Refuses, with 400 `BAD_REQUEST`, every request whose target could mean another path once decoded
 * or normalised (`checkRequestPath`), before any route sees it; keeps the checked path for the proxies.
 */
export function refuseUnsafePaths(req: express.Request, res: express.Response, next: express.NextFunction): void {
  const verdict = checkRequestPath(req.originalUrl ?? req.url ?? '');
  if (!verdict.ok) {
    req.resume();
    sendRouteError(res, 400, 'BAD_REQUEST', `Request path refused: ${verdict.reason}`);
    return;
  }
  requestState.of(req).checkedPath = verdict.value;
  next();
}

/** The path check, then health, metrics, the upload/download proxy and the subgraphs' REST routes. */
export function mountServiceRoutes(app: express.Express, opts: RouteOptions): void {
  app.use(refuseUnsafePaths);
  opts.mountHealthAndMetrics();
  const notFound = (res: express.Response, message: string) => sendRouteError(res, 404, 'NOT_FOUND', message);
  // A service name comes from the client: only the supergraph's own names count, never inherited keys.
  const origin = (service: string, res: express.Response): string | undefined => {
    const urls = opts.urls();
    const base = Object.hasOwn(urls, service) ? urls[service] : undefined;
    if (!base) {
      notFound(res, `No service "${service}" in this supergraph`);
      return undefined;
    }
    return new URL(base).origin;
  };
  const transfer = { timeoutMs: 10 * 60_000, maxBodyBytes: opts.uploadLimitBytes, scrubError: opts.scrubError };
  app.put('/uploads/:service/:id', (req, res) => {
    const base = origin(req.params.service, res);
    if (base)
      streamProxy(req, res, { ...transfer, origin: base, path: `/uploads/${encodeURIComponent(req.params.id)}` });
    else req.resume();
  });
  app.get('/downloads/:service/:token', (req, res) => {
    const base = origin(req.params.service, res);
    if (base)
      streamProxy(req, res, { ...transfer, origin: base, path: `/downloads/${encodeURIComponent(req.params.token)}` });
  });
  app.use((req, res, next) => {
    const checked = checkedPathOf(req);
    const route = REST_ROUTES.find((r) => checked.path === r.prefix || checked.path.startsWith(`${r.prefix}/`));
    if (!route) return next();
    const target = restTarget(route, checked);
    if (target === undefined) {
      req.resume();
      notFound(res, `No route ${checked.path} on the ${route.service} API`);
      return;
    }
    const base = origin(route.service, res);
    if (!base) return void req.resume();
    streamProxy(req, res, {
      origin: base,
      path: `${target}${checked.search}`,
      timeoutMs: opts.subgraphTimeoutMs,
      maxBodyBytes: opts.bodyLimitBytes,
      scrubError: opts.scrubError,
    });
  });
}
