import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import type express from 'express';
import type { DocumentNode, ExecutionResult, GraphQLFormattedError } from 'graphql';
import { GraphQLError, print } from 'graphql';
import type {
  GraphQLWebSocketEndpoint,
  Logger,
  RevocationList,
  TokenVerifier,
  Viewer,
  WebSocketSettings,
} from '../../../lib/src/core';
import {
  REVOKED_TOKEN_MESSAGE,
  asGraphQLError,
  attachGraphQLWebSocket,
  bearerToken,
  watchCredentials,
} from '../../../lib/src/core';
import type { GatewayContext } from '../context';
import type { AuthRequirements } from '../protection/edge-auth';
import { tokenRefusal } from '../protection/edge-verification';
import type { OperationGuard } from '../protection/operation-guard';
import type { RateLimiter } from '../protection/protection';
import { requestIdOf } from '../transport/request-state';
import { rateLimitedBody } from '../protection/protection';
import type { SubscriptionExecutor } from './executor';
import { SubscriptionEnded } from './executor';

export interface TransportOptions {
  executor: () => SubscriptionExecutor;
  apollo: ApolloServer<GatewayContext>;
  verify?: TokenVerifier;
  logger: Logger;
  requireAuth: boolean;
  heartbeatMs: number;
  traceparentOf: (given?: string) => string;
  /** Counts open subscriptions (metrics). */
  onActiveChange?: (delta: number) => void;
  /** Aborts every open subscription (supergraph reload, shutdown). */
  registry: Set<AbortController>;
  /** The edge checks `/graphql` applies, for subscriptions. */
  guard: OperationGuard;
  authRequirements: () => AuthRequirements;
  rateLimiter: RateLimiter;
  /** The client address of a request (trusted proxies taken into account). */
  clientIp: (req: http.IncomingMessage) => string;
  webSocket: WebSocketSettings;
  bodyLimitBytes: number;
  /** Shapes every error sent over graphql-ws and multipart (given the original error too, as Apollo Server gives it). */
  formatError: (formatted: GraphQLFormattedError, original?: unknown) => GraphQLFormattedError;
  /** Revoked sessions and keys: a subscription of one ends, a WebSocket of one runs nothing more. */
  revocations?: RevocationList;
}

async function viewerOf(verify: TokenVerifier | undefined, authorization: string | undefined): Promise<Viewer | null> {
  const token = bearerToken(authorization);
  return token && verify ? verify(token) : null;
}

/** Why a subscription stops when its client completes it or goes away: the stream ends without a last message. */
const CLIENT_GONE = new Error('client gone');

/**
 * Runs a subscription through the federated executor: counted while it runs, ended with
 * UNAUTHENTICATED when the viewer's token expires or its session or key is revoked (a subscription
 * never outlives its credentials),
 * and by `registry` (reload, shutdown) or `until` (the client went away).
 */
function runSubscription(
  opts: TransportOptions,
  args: {
    document: DocumentNode;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
    context: GatewayContext;
  },
  until?: AbortSignal,
): AsyncGenerator<ExecutionResult> {
  const controller = new AbortController();
  const stop = () => controller.abort(CLIENT_GONE);
  const stream = (async function* () {
    const unwatch = watchCredentials(args.context.viewer, opts.revocations, (error) =>
      controller.abort(new SubscriptionEnded(error.message, 'UNAUTHENTICATED')),
    );
    opts.registry.add(controller);
    if (until?.aborted) stop();
    until?.addEventListener('abort', stop, { once: true });
    opts.onActiveChange?.(1);
    try {
      yield* opts.executor().subscribe({
        document: args.document,
        operationName: args.operationName,
        variables: args.variables,
        context: args.context,
        signal: controller.signal,
      });
    } finally {
      unwatch();
      opts.registry.delete(controller);
      until?.removeEventListener('abort', stop);
      opts.onActiveChange?.(-1);
    }
  })();
  // A generator waiting on its upstream would take return() only at its next event, maybe never:
  // abort first so a completed subscription lets go of its subgraph connection now.
  const finish = stream.return.bind(stream);
  stream.return = (value) => {
    stop();
    return finish(value);
  };
  return stream;
}

interface ConnectionState {
  viewer: Viewer | null;
  authorization?: string;
  ip: string;
}

/**
 * graphql-ws on the gateway's `/graphql` (the hardened endpoint of lib/websocket.ts): auth on
 * connect (`connectionParams.authorization`), rate limits on the upgrade and on every operation,
 * subscriptions checked like `/graphql` checks queries and run through the federated executor,
 * queries and mutations run through Apollo Server (its limits, safelist and edge auth apply).
 */
export function attachWebSocketTransport(httpServer: http.Server, opts: TransportOptions): GraphQLWebSocketEndpoint {
  // Apollo gets the client's own text (the safelist compares it), not the document printed again.
  const sources = new WeakMap<DocumentNode, string>();
  return attachGraphQLWebSocket<ConnectionState>(httpServer, {
    path: '/graphql',
    settings: opts.webSocket,
    maxPayloadBytes: opts.bodyLimitBytes,
    logger: opts.logger,
    clientIp: opts.clientIp,
    admit: async (req) => {
      const { retryAfterSeconds } = await opts.rateLimiter(req.headers.authorization, opts.clientIp(req));
      if (retryAfterSeconds === undefined) return undefined;
      const { message, extensions } = rateLimitedBody(retryAfterSeconds).errors[0]!;
      return {
        status: 429,
        code: extensions.code,
        message,
        extensions: { retryAfterSeconds },
        headers: { 'retry-after': String(retryAfterSeconds) },
      };
    },
    onConnect: async (params, req) => {
      const authorization =
        typeof params.authorization === 'string'
          ? params.authorization
          : typeof params.Authorization === 'string'
            ? params.Authorization
            : undefined;
      const viewer = await viewerOf(opts.verify, authorization);
      if (!viewer && opts.requireAuth) return false;
      return { viewer, authorization, ip: opts.clientIp(req) };
    },
    prepare: async (state, payload) => {
      const { retryAfterSeconds } = await opts.rateLimiter(state.authorization, state.ip);
      if (retryAfterSeconds !== undefined) {
        const { message, extensions } = rateLimitedBody(retryAfterSeconds).errors[0]!;
        return [new GraphQLError(message, { extensions })];
      }
      // The connection was authenticated once; a revocation since then refuses every later operation.
      if (state.viewer && opts.revocations?.revokes(state.viewer))
        return [new GraphQLError(REVOKED_TOKEN_MESSAGE, { extensions: { code: 'UNAUTHENTICATED' } })];
      if (state.viewer && state.viewer.expiresAt <= Date.now())
        return [
          new GraphQLError('Access token expired: connect again with a fresh token', {
            extensions: { code: 'UNAUTHENTICATED' },
          }),
        ];
      const parsed = opts.guard.parse(payload.query, payload.operationName);
      if ('errors' in parsed) return parsed.errors;
      const schema = opts.executor().schema;
      if (parsed.operation.operation === 'subscription') {
        const refused = opts.guard.check({
          source: payload.query,
          ...parsed,
          variables: payload.variables,
          schema,
          requirements: opts.authRequirements(),
          viewer: state.viewer,
        });
        if (refused.length) return refused;
      } else {
        sources.set(parsed.document, payload.query);
      }
      const contextValue: GatewayContext = {
        authorization: state.authorization,
        viewer: state.viewer,
        traceparent: opts.traceparentOf(),
        requestId: randomUUID(),
        clientIp: state.ip,
      };
      return {
        schema,
        document: parsed.document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue,
      };
    },
    execute: async (args) => {
      const query = sources.get(args.document) ?? print(args.document);
      const res = await opts.apollo.executeOperation(
        {
          query,
          variables: (args.variableValues ?? undefined) as Record<string, unknown> | undefined,
          operationName: args.operationName ?? undefined,
        },
        { contextValue: args.contextValue as GatewayContext },
      );
      return res.body.kind === 'single'
        ? res.body.singleResult
        : {
            errors: [
              { message: 'Incremental delivery is not available over WebSocket', extensions: { code: 'BAD_REQUEST' } },
            ],
          };
    },
    subscribe: async (args) =>
      runSubscription(opts, {
        document: args.document,
        operationName: args.operationName,
        variables: args.variableValues,
        context: args.contextValue as GatewayContext,
      }),
    formatError: (formatted, original) => opts.formatError(formatted, original),
  });
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
  const formatted = (errors: readonly unknown[]) => errors.map((e) => opts.formatError(asGraphQLError(e).toJSON(), e));
  const answer = (res: express.Response, status: number, errors: readonly unknown[]) =>
    res.status(status).json({ errors: formatted(errors) });
  return async (req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!acceptsMultipartSubscription(req.headers.accept)) return next();
    const body = req.body as
      { query?: unknown; operationName?: string; variables?: Record<string, unknown> } | undefined;
    if (typeof body?.query !== 'string') return next();
    const source = body.query;
    const parsed = opts.guard.parse(source, body.operationName);
    // The client asked for a subscription stream: what does not parse (or exceeds the token limit) is answered here.
    if ('errors' in parsed) return answer(res, 400, parsed.errors);
    // Apollo Server answers every other operation type, as for any request.
    if (parsed.operation.operation !== 'subscription') return next();
    let viewer: Viewer | null;
    try {
      viewer = await viewerOf(opts.verify, req.headers.authorization);
    } catch (err) {
      const refusal = tokenRefusal(err);
      const { http: status, ...extensions } = refusal.extensions as { http: { status: number } };
      return answer(res, status.status, [new GraphQLError(refusal.message, { extensions })]);
    }
    if (!viewer && opts.requireAuth)
      return answer(res, 401, [
        new GraphQLError('Subscriptions need an access token', { extensions: { code: 'UNAUTHENTICATED' } }),
      ]);
    const refused = opts.guard.check({
      source,
      ...parsed,
      variables: body.variables,
      schema: opts.executor().schema,
      requirements: opts.authRequirements(),
      viewer,
    });
    if (refused.length) {
      const code = refused[0]!.extensions.code;
      return answer(res, code === 'UNAUTHENTICATED' ? 401 : code === 'FORBIDDEN' ? 403 : 400, refused);
    }
    const context: GatewayContext = {
      authorization: req.headers.authorization,
      viewer,
      traceparent: opts.traceparentOf(req.headers.traceparent as string | undefined),
      requestId: requestIdOf(req),
      clientIp: req.ip,
    };
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    res.writeHead(200, {
      'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec=1.0`,
      'cache-control': 'no-cache',
    });
    res.write(part({}));
    const heartbeat = setInterval(() => res.write(part({})), opts.heartbeatMs);
    try {
      for await (const result of runSubscription(
        opts,
        { document: parsed.document, operationName: body.operationName, variables: body.variables, context },
        gone.signal,
      )) {
        if (res.writableEnded || res.destroyed) break;
        const { errors, data } = result;
        res.write(part({ payload: { data: data ?? null, ...(errors?.length ? { errors: formatted(errors) } : {}) } }));
      }
    } catch (err) {
      if (!res.writableEnded) res.write(part({ payload: null, errors: formatted([err]) }));
    } finally {
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end(`\r\n--${BOUNDARY}--\r\n`);
    }
  };
}
