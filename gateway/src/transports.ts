import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import type express from 'express';
import type { ExecutionResult } from 'graphql';
import { GraphQLError, parse, print, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger, RevocationList, TokenVerifier, Viewer } from '../../lib/src/index';
import { REVOKED_TOKEN_MESSAGE, bearerToken, watchRevocation } from '../../lib/src/index';
import type { SubscriptionExecutor } from './subscriptions';
import { SubscriptionEnded, isSubscriptionOperation } from './subscriptions';

export interface TransportOptions {
  executor: () => SubscriptionExecutor;
  apollo: ApolloServer<any>;
  verify?: TokenVerifier;
  logger: Logger;
  requireAuth: boolean;
  heartbeatMs: number;
  traceparentOf: (given?: string) => string;
  /** Counts open subscriptions (metrics). */
  onActiveChange?: (delta: number) => void;
  /** Aborts every open subscription (supergraph reload, shutdown). */
  registry: Set<AbortController>;
  /** Revoked sessions and keys: a subscription of one ends, a WebSocket of one runs nothing more. */
  revocations?: RevocationList;
  /** The client's address for a WebSocket's upgrade request (forwarded to subgraphs as over HTTP). */
  clientIpOf?: (req: http.IncomingMessage) => string | undefined;
}

const revokedError = () => new GraphQLError(REVOKED_TOKEN_MESSAGE, { extensions: { code: 'UNAUTHENTICATED' } });

/**
 * Ends the stream when the viewer's token expires or its session or key is revoked: a subscription
 * never outlives its credentials.
 */
function expiryController(viewer: Viewer | null, registry: Set<AbortController>, revocations?: RevocationList): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  registry.add(controller);
  let timer: NodeJS.Timeout | undefined;
  if (viewer) {
    timer = setTimeout(() => controller.abort(new SubscriptionEnded('Access token expired: subscription ended', 'UNAUTHENTICATED')), Math.max(0, viewer.expiresAt - Date.now()));
    timer.unref();
  }
  const unwatch = watchRevocation(revocations, viewer, () => controller.abort(new SubscriptionEnded(REVOKED_TOKEN_MESSAGE, 'UNAUTHENTICATED')));
  return { controller, dispose: () => (clearTimeout(timer), unwatch(), registry.delete(controller)) };
}

async function viewerOf(verify: TokenVerifier | undefined, authorization: string | undefined): Promise<Viewer | null> {
  const token = bearerToken(authorization);
  return token && verify ? verify(token) : null;
}

/**
 * graphql-ws on the gateway's `/graphql`: auth on connect (`connectionParams.authorization`),
 * subscriptions through the federated executor, queries and mutations through Apollo Server.
 */
export function attachWebSocketTransport(httpServer: http.Server, opts: TransportOptions): { dispose: () => Promise<void> } {
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const cleanup = useServer(
    {
      schema: () => opts.executor().schema,
      onConnect: async (ctx) => {
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const authorization = typeof params.authorization === 'string' ? params.authorization : typeof params.Authorization === 'string' ? params.Authorization : undefined;
        try {
          const viewer = await viewerOf(opts.verify, authorization);
          if (!viewer && opts.requireAuth) return false;
          (ctx.extra as any).viewer = viewer;
          (ctx.extra as any).authorization = authorization;
          (ctx.extra as any).clientIp = opts.clientIpOf?.((ctx.extra as any).request);
          return true;
        } catch {
          return false;
        }
      },
      // The connection was authenticated once; a revocation since then refuses every later operation.
      onSubscribe: (ctx) => {
        const viewer = (ctx.extra as any).viewer as Viewer | null;
        return viewer && opts.revocations?.revokes(viewer) ? [revokedError()] : undefined;
      },
      context: (ctx) => ({
        authorization: (ctx.extra as any).authorization,
        viewer: (ctx.extra as any).viewer,
        traceparent: opts.traceparentOf(),
        requestId: randomUUID(),
        clientIp: (ctx.extra as any).clientIp,
      }),
      execute: async (args) => {
        const res = await opts.apollo.executeOperation({ query: print(args.document), variables: (args.variableValues ?? undefined) as any, operationName: args.operationName ?? undefined }, { contextValue: args.contextValue as any });
        return res.body.kind === 'single' ? (res.body.singleResult as ExecutionResult) : { errors: [new GraphQLError('Incremental delivery is not available over WebSocket')] };
      },
      subscribe: (args) => {
        const context = args.contextValue as any;
        const { controller, dispose } = expiryController(context.viewer, opts.registry, opts.revocations);
        const stream = opts.executor().subscribe({ document: args.document, operationName: args.operationName, variables: args.variableValues as any, context, signal: controller.signal });
        opts.onActiveChange?.(1);
        return (async function* () {
          try {
            yield* stream;
          } finally {
            dispose();
            opts.onActiveChange?.(-1);
          }
        })();
      },
    },
    wsServer,
  );
  return {
    dispose: async () => {
      await cleanup.dispose();
      wsServer.close();
    },
  };
}

const BOUNDARY = 'graphql';
const part = (json: unknown) => `\r\n--${BOUNDARY}\r\ncontent-type: application/json\r\n\r\n${JSON.stringify(json)}`;

/** Whether a request asks for a subscription over multipart HTTP (Apollo's `subscriptionSpec`). */
export function acceptsMultipartSubscription(accept: string | undefined): boolean {
  return accept !== undefined && /multipart\/mixed/i.test(accept) && /subscriptionSpec/i.test(accept);
}

/**
 * Apollo's multipart HTTP subscription protocol on `POST /graphql` with
 * `Accept: multipart/mixed;subscriptionSpec="1.0"`: one `{"payload": ...}` part per event, a `{}`
 * heartbeat every few seconds, `--graphql--` at the end. Other operations fall through to Apollo.
 */
export function multipartSubscriptionHandler(opts: TransportOptions) {
  return async (req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!acceptsMultipartSubscription(req.headers.accept)) return next();
    const body = req.body as { query?: string; operationName?: string; variables?: Record<string, unknown> } | undefined;
    if (!body?.query) return next();
    let document;
    try {
      document = parse(body.query);
    } catch {
      return next();
    }
    if (!isSubscriptionOperation(document, body.operationName)) return next();
    const executor = opts.executor();
    const validationErrors = validate(executor.schema, document);
    if (validationErrors.length) {
      res.status(400).json({ errors: validationErrors.map((e) => ({ message: e.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) });
      return;
    }
    let viewer: Viewer | null;
    try {
      viewer = await viewerOf(opts.verify, req.headers.authorization);
    } catch (err) {
      res.status(401).json({ errors: [{ message: (err as Error).message, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    if (!viewer && opts.requireAuth) {
      res.status(401).json({ errors: [{ message: 'Subscriptions need an access token', extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    const context = { authorization: req.headers.authorization, viewer, traceparent: opts.traceparentOf(req.headers.traceparent as string | undefined), requestId: (req as any).requestId, clientIp: req.ip };
    const { controller, dispose } = expiryController(viewer, opts.registry, opts.revocations);
    res.on('close', () => controller.abort(new SubscriptionEnded('Client went away', 'SUBSCRIPTION_ENDED')));
    res.writeHead(200, { 'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec=1.0`, 'cache-control': 'no-cache' });
    res.write(part({}));
    const heartbeat = setInterval(() => res.write(part({})), opts.heartbeatMs);
    opts.onActiveChange?.(1);
    try {
      for await (const result of executor.subscribe({ document, operationName: body.operationName, variables: body.variables, context, signal: controller.signal })) {
        if (res.writableEnded || res.destroyed) break;
        const { errors, data } = result;
        res.write(part({ payload: { data: data ?? null, ...(errors?.length ? { errors: errors.map((e) => (e instanceof GraphQLError ? e.toJSON() : e)) } : {}) } }));
      }
    } catch (err) {
      if (!res.writableEnded) res.write(part({ payload: null, errors: [{ message: (err as Error).message, extensions: { code: (err as any)?.extensions?.code ?? 'INTERNAL_SERVER_ERROR' } }] }));
    } finally {
      clearInterval(heartbeat);
      dispose();
      opts.onActiveChange?.(-1);
      if (!res.writableEnded) res.end(`\r\n--${BOUNDARY}--\r\n`);
    }
  };
}
