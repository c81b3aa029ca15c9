import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLPostOptions, HttpShell, Logger, TokenVerifier, Viewer } from '../../../lib/src/core';
import { bearerToken, graphqlPostHandler, refuseDeepGraphQLRequest, routeErrorHandler } from '../../../lib/src/core';
import type { GatewayContext } from '../context';
import { tokenRefusal } from '../protection/edge-verification';
import type { RateLimiter } from '../protection/protection';
import { rateLimitMiddleware, rateLimitedBody } from '../protection/protection';
import type { multipartSubscriptionHandler } from '../subscriptions/transports';
import { traceparentOf } from './http-routes';
import { sendRouteError } from './proxy';
import { requestIdOf, requestState } from './request-state';

export interface GraphQLRoutesOptions {
  apollo: ApolloServer<GatewayContext>;
  verify?: TokenVerifier;
  rateLimiter: RateLimiter;
  /** Answers multipart subscription requests (others go on to Apollo). */
  multipart: ReturnType<typeof multipartSubscriptionHandler>;
  bodyLimitBytes: number;
  logger: Logger;
  /** Executes the JSON POSTs in place of Apollo (the inbound deduplication); Apollo's own when unset. */
  execute?: GraphQLPostOptions<GatewayContext>['execute'];
}

/**
 * `/graphql` on both paths of the HTTP shell: JSON POSTs straight from node:http (rate limits before
 * the body is read), GET and multipart through express with the same pre-parse checks; then `/` to
 * `/graphql`, the 404 of every other path and the GraphQL-shaped answer of a route error.
 */
export function mountGraphQLRoutes(shell: HttpShell, opts: GraphQLRoutesOptions): void {
  const { app } = shell;
  const { apollo, rateLimiter } = opts;
  const contextOf = async (req: express.Request): Promise<GatewayContext> => {
    const authorization = req.headers.authorization;
    const known = requestState.peek(req);
    let viewer: Viewer | null = known?.viewer ?? null;
    try {
      const token = bearerToken(authorization);
      if (token && opts.verify && !viewer) viewer = await opts.verify(token);
    } catch (err) {
      throw tokenRefusal(err);
    }
    return {
      authorization,
      viewer,
      traceparent: known?.traceparent ?? traceparentOf(req.headers.traceparent as string | undefined),
      requestId: requestIdOf(req),
      clientIp: req.ip,
    };
  };
  // GET and multipart meet the pre-parse checks of direct POSTs (graphqlPostHandler); graphql-ws, lib's endpoint.
  app.use(
    '/graphql',
    rateLimitMiddleware(rateLimiter),
    express.json({ limit: opts.bodyLimitBytes }),
    refuseDeepGraphQLRequest(),
    opts.multipart,
    expressMiddleware(apollo, { context: ({ req }) => contextOf(req) }),
  );
  shell.serveGraphQLPosts(
    graphqlPostHandler<GatewayContext>({
      apollo,
      bodyLimitBytes: opts.bodyLimitBytes,
      // express's request methods (req.ip under `trust proxy`) on the plain node:http request, as express itself does.
      admit: async (req, res) => {
        Object.setPrototypeOf(req, app.request);
        const ip = (req as express.Request).ip ?? req.socket.remoteAddress ?? 'unknown';
        const verdict = await rateLimiter(req.headers.authorization, ip);
        requestState.of(req).viewer = verdict.viewer;
        if (verdict.retryAfterSeconds === undefined) return true;
        const text = JSON.stringify(rateLimitedBody(verdict.retryAfterSeconds));
        res.writeHead(429, {
          'retry-after': String(verdict.retryAfterSeconds),
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
        return false;
      },
      context: (req) => contextOf(req as express.Request),
      onError: (err) => opts.logger.error({ err }, 'unhandled GraphQL request error'),
      execute: opts.execute,
    }),
  );
  app.get('/', (_req, res) => res.redirect('/graphql'));
  app.use((req, res) =>
    sendRouteError(
      res,
      404,
      'NOT_FOUND',
      `No route ${req.method} ${requestState.peek(req)?.checkedPath?.path ?? ''} on this gateway`,
    ),
  );
  app.use(routeErrorHandler(routeErrorBody));
}

/** A route error as GraphQL errors: 413 `PAYLOAD_TOO_LARGE`, 5xx masked as `INTERNAL_SERVER_ERROR`, the rest `BAD_REQUEST` with its message. */
function routeErrorBody(err: unknown, status: number): unknown {
  const message =
    status === 413
      ? 'Request body too large'
      : status >= 500
        ? 'Internal server error'
        : String((err as { message?: unknown } | null)?.message);
  const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
  return { errors: [{ message, extensions: { code } }] };
}
