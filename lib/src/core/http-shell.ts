import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { isJsonPost } from '../graphql-http';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface HttpShellOptions {
  /** The `service` of the health answers. */
  name: string;
  metrics: ServiceMetrics;
  /** express's `trust proxy` (the gateway's client addresses). @default express's (off) */
  trustProxy?: boolean | number | string | string[];
  /** Runs first on every request (request ids, logs, CORS ...); false when it answered the request itself. */
  onRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** Which JSON POSTs to `/graphql` the direct GraphQL handler takes (the others go through express). @default all */
  takesDirect?: (req: http.IncomingMessage) => boolean;
  /** Readiness beyond listening (revocation list loaded, database ping ...): /health/ready answers 200 only when it holds. */
  readiness?: () => boolean | Promise<boolean>;
  /** Liveness beyond answering (a job worker's polling loop still turning): /health/live answers 503 when it fails. */
  liveness?: () => boolean;
  /**
   * How long an idle kept-alive connection stays open. Longer than the gateway's idle socket expiry
   * (`AIC_SUBGRAPH_IDLE_SOCKET_MS`) and a load balancer's idle timeout, so the client side always
   * closes first and never sends a request on a connection this server is closing. @default 65_000
   */
  keepAliveTimeoutMs?: number;
}

/**
 * The HTTP side every process of the platform shares (the gateway and each service): one node:http
 * server in front of express 5, GraphQL JSON POSTs straight from node:http to a direct handler once
 * one is set (everything else through express), `/health/live`, `/health/ready` (503 before listen
 * and once stopping begins), Prometheus `/metrics`, listen with the URL it answers on, and a stop
 * that runs once.
 */
export interface HttpShell {
  app: express.Express;
  httpServer: http.Server;
  /** GraphQL JSON POSTs to `/graphql` go to `handler` from now on (set once Apollo has started). */
  serveGraphQLPosts(handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>): void;
  /** Adds `/health/live`, `/health/ready` (and `/health`, the same), `/metrics` to the express app (where the caller wants them in its route order). */
  mountHealthAndMetrics(): void;
  isReady(): boolean;
  setReady(ready: boolean): void;
  /** Starts listening (port 0 picks a free port) and turns readiness on. @returns the base URL */
  listen(port: number, host?: string): Promise<string>;
  /** Readiness off, then `steps` (each awaited in order) and the remaining sockets closed after the first; runs once. */
  stop(first: () => Promise<void>, then?: () => Promise<void>): Promise<void>;
}

/** Node's own 5 s is the idle time at which clients (the gateway, load balancers) still reuse connections. */
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function createHttpShell(opts: HttpShellOptions): HttpShell {
  const app = express();
  app.disable('x-powered-by');
  // A GraphQL answer is never revalidated by ETag: hashing every response body would be wasted.
  app.set('etag', false);
  if (opts.trustProxy !== undefined) app.set('trust proxy', opts.trustProxy);
  let ready = false;
  let direct: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;
  const handler: NodeHandler = (req, res) => {
    if (opts.onRequest && !opts.onRequest(req, res)) return;
    if (direct && isJsonPost(req, '/graphql') && (opts.takesDirect?.(req) ?? true)) {
      void direct(req, res);
      return;
    }
    app(req, res);
  };
  const httpServer = http.createServer(handler);
  httpServer.keepAliveTimeout = opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  let stopping: Promise<void> | undefined;
  return {
    app,
    httpServer,
    serveGraphQLPosts(h) {
      direct = h;
    },
    mountHealthAndMetrics() {
      app.get('/health/live', (_req, res) => {
        const ok = opts.liveness ? opts.liveness() : true;
        res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'stalled', service: opts.name });
      });
      // `/health`, what most probes and tools try first, answers as readiness does.
      app.get(['/health', '/health/ready'], async (_req, res) => {
        const ok = ready && (opts.readiness ? await opts.readiness() : true);
        res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', service: opts.name });
      });
      app.get('/metrics', async (_req, res) => {
        res.setHeader('content-type', opts.metrics.registry.contentType);
        res.send(await opts.metrics.registry.metrics());
      });
    },
    isReady: () => ready,
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
    stop(first, then) {
      stopping ??= (async () => {
        ready = false;
        await first();
        httpServer.closeAllConnections?.();
        await then?.();
      })();
      return stopping;
    },
  };
}

/**
 * Request logs and the HTTP duration histogram for one request, once it finishes (health checks and
 * scrapes are not logged). `route` gives the metric's route label (never a raw path: bounded cardinality).
 */
export function observeRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  opts: {
    metrics: ServiceMetrics;
    logger: Logger;
    requestId: string;
    traceId: () => string | undefined;
    route: (req: http.IncomingMessage, path: string) => string;
  },
): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    // originalUrl: inside a mounted router (app.use('/graphql', …)) req.url is relative to the mount.
    const path = ((req as express.Request).originalUrl ?? req.url ?? '').split('?')[0]!;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    opts.metrics.httpDuration.observe(
      { method: req.method ?? '', route: opts.route(req, path), status: String(res.statusCode) },
      seconds,
    );
    if (!path.startsWith('/health') && path !== '/metrics')
      opts.logger.info(
        {
          requestId: opts.requestId,
          traceId: opts.traceId(),
          method: req.method,
          path,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
        },
        'request',
      );
  });
}

/** Status of an error an express route passed on (body-parser's 413 and 400 carry one). */
export const routeErrorStatus = (err: unknown): number => {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : 500;
};

/** express's last error handler: `answer` shapes the body for a status (GraphQL errors at the gateway, `{ error }` in services). */
export function routeErrorHandler(
  answer: (err: unknown, status: number) => unknown,
  onError?: (err: unknown, status: number) => void,
): express.ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const status = routeErrorStatus(err);
    onError?.(err, status);
    res.status(status).json(answer(err, status));
  };
}
