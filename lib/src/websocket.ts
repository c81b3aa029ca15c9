import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs, ExecutionResult, FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { graphqlRequestTooDeep, requestTooDeepError } from './graphql-http';
import type { Logger } from './logger';

/** Limits of a graphql-ws endpoint (`loadWebSocketSettings` reads them from the environment). */
export interface WebSocketSettings {
  /** Largest message, in bytes, until the connection is acknowledged (`connection_init` and pings). */
  initPayloadBytes: number;
  /** A connection without an acknowledged `connection_init` by then is closed with 4408. */
  connectionInitTimeoutMs: number;
  /** Open connections of the endpoint; an upgrade past it is refused with HTTP 503. */
  maxConnections: number;
  /** Open connections from one client address (0: no cap); an upgrade past it is refused with HTTP 429. */
  maxConnectionsPerIp: number;
  /** Subscriptions and queries in flight on one connection; one more is answered `TOO_MANY_OPERATIONS`. */
  maxOperationsPerConnection: number;
  /** Ping interval; a connection that has not answered the previous ping is dropped. */
  keepAliveMs: number;
}

/** An upgrade refused before any WebSocket frame is read. */
export interface UpgradeRefusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/** What one graphql-ws endpoint does with connections and operations; every hook may throw. */
export interface GraphQLWebSocketHandlers<S> {
  /** Before the upgrade is accepted (rate limits): a refusal answers the HTTP request instead. */
  admit?: (request: http.IncomingMessage) => Promise<UpgradeRefusal | undefined>;
  /** `connection_init`: the connection's state, or false to close it with 4403 (so does a throw). */
  onConnect: (params: Record<string, unknown>, request: http.IncomingMessage) => Promise<S | false>;
  /** A `subscribe` message: the execution arguments (with `contextValue`), or the errors to answer it with. */
  prepare: (
    state: S,
    payload: SubscribePayload,
    request: http.IncomingMessage,
  ) => Promise<ExecutionArgs | readonly GraphQLError[]>;
  execute: (args: ExecutionArgs) => Promise<ExecutionResult | FormattedExecutionResult>;
  subscribe: (args: ExecutionArgs) => Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
  /** Shapes every error a client is sent (masking internal messages ...). */
  formatError: (formatted: GraphQLFormattedError, original: unknown) => GraphQLFormattedError;
}

export interface GraphQLWebSocketOptions<S> extends GraphQLWebSocketHandlers<S> {
  path: string;
  settings: WebSocketSettings;
  /** Largest message after the connection is acknowledged: the JSON body limit of the same endpoint over HTTP. */
  maxPayloadBytes: number;
  logger: Logger;
  /** The client address of an upgrade request (behind trusted proxies, the forwarded one). */
  clientIp?: (request: http.IncomingMessage) => string;
}

export interface GraphQLWebSocketEndpoint {
  /** Open connections (for metrics and tests). */
  connections(): number;
  /** Closes every connection with 1001 and stops accepting upgrades. */
  dispose(): Promise<void>;
}

const INTERNAL: GraphQLFormattedError = {
  message: 'Internal server error',
  extensions: { code: 'INTERNAL_SERVER_ERROR' },
};

/** Any error value, as GraphQL-js would print it: GraphQLErrors, formatted errors from Apollo, Errors, anything thrown. */
function formattedOf(error: unknown): GraphQLFormattedError {
  if (error instanceof GraphQLError) return error.toJSON();
  const e = error as Partial<GraphQLFormattedError> | null | undefined;
  if (e && typeof e === 'object' && typeof e.message === 'string') {
    return {
      message: e.message,
      ...(e.locations ? { locations: e.locations } : {}),
      ...(e.path ? { path: e.path } : {}),
      ...(e.extensions ? { extensions: e.extensions } : {}),
    };
  }
  return { message: String(error) };
}

/** @returns `error` as a GraphQLError (graphql-ws sends only those from `onSubscribe`) */
export function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const f = formattedOf(error);
  return new GraphQLError(f.message, {
    path: f.path,
    extensions: f.extensions,
    originalError: error instanceof Error ? error : undefined,
  });
}

/**
 * ws checks each frame header against its receiver's limit before buffering the payload, but takes
 * one limit per server. This sets it per connection (ws 8.x keeps it in `_receiver._maxPayload`).
 * @returns false when that field is gone (a ws upgrade changed it): the caller must not go on
 */
function setMessageLimit(socket: WebSocket, bytes: number): boolean {
  const receiver = (socket as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (typeof receiver?._maxPayload !== 'number') return false;
  receiver._maxPayload = bytes;
  return true;
}

function refuseUpgrade(socket: Duplex, refusal: UpgradeRefusal): void {
  const body = JSON.stringify({
    errors: [{ message: refusal.message, extensions: { code: refusal.code, ...refusal.extensions } }],
  });
  const headers = {
    connection: 'close',
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...refusal.headers,
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status] ?? ''}\r\n${head}\r\n${body}`);
}

/**
 * graphql-ws (graphql-transport-ws) on `path` of an HTTP server, hardened: connections are capped
 * in total and per client address before the upgrade; until `connection_init` is acknowledged a
 * message may be `initPayloadBytes` long (ws closes with 1009 on the frame header, before buffering
 * its payload), after it `maxPayloadBytes`; `connection_init` must come within the timeout (4408);
 * a connection runs at most `maxOperationsPerConnection` operations at once; an operation nested too
 * deep (graphqlRequestTooDeep) is refused before `prepare` sees it. Whatever an operation
 * does (a syntax or validation error, a hook or resolver that throws, a thrown non-GraphQLError, a
 * result carrying plain error objects) its client gets an `error` or `next` message with formatted
 * errors, and the connection and its other operations stay up.
 */
export function attachGraphQLWebSocket<S>(
  httpServer: http.Server,
  opts: GraphQLWebSocketOptions<S>,
): GraphQLWebSocketEndpoint {
  const { settings, logger } = opts;
  const format = (errors: readonly unknown[]): GraphQLFormattedError[] =>
    errors.map((error) => {
      try {
        return opts.formatError(formattedOf(error), error);
      } catch (err) {
        logger.error({ err }, 'formatting a WebSocket error failed');
        return INTERNAL;
      }
    });

  type Extra = { socket: WebSocket; request: http.IncomingMessage; state?: S };
  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    connectionInitWaitTimeout: settings.connectionInitTimeoutMs,
    onConnect: async (ctx) => {
      let state: S | false = false;
      try {
        state = await opts.onConnect(ctx.connectionParams ?? {}, ctx.extra.request);
      } catch (err) {
        // A token that could not be checked is not a refusal: 1013 (try again later), not 4403.
        if ((err as { extensions?: { code?: unknown } } | null)?.extensions?.code === 'AUTH_UNAVAILABLE') {
          ctx.extra.socket.close(1013, 'AUTH_UNAVAILABLE: access tokens cannot be verified right now');
          return false;
        }
        logger.debug({ err }, 'WebSocket connection refused');
      }
      if (state === false) return false;
      ctx.extra.state = state;
      return setMessageLimit(ctx.extra.socket, opts.maxPayloadBytes);
    },
    onSubscribe: async (ctx, _id, payload) => {
      try {
        // graphql-ws has registered this operation already: more than the cap means one too many.
        if (Object.keys(ctx.subscriptions).length > settings.maxOperationsPerConnection) {
          return [
            new GraphQLError(
              `This connection already runs ${settings.maxOperationsPerConnection} operations: complete one first`,
              { extensions: { code: 'TOO_MANY_OPERATIONS', limit: settings.maxOperationsPerConnection } },
            ),
          ];
        }
        // Before anything parses, plans or coerces it, as on every HTTP transport.
        const deep = graphqlRequestTooDeep(payload);
        if (deep) {
          const { message, extensions } = requestTooDeepError(deep);
          return [new GraphQLError(message, { extensions })];
        }
        const prepared = await opts.prepare(ctx.extra.state as S, payload, ctx.extra.request);
        if (Array.isArray(prepared))
          return prepared.length
            ? prepared.map(asGraphQLError)
            : [new GraphQLError('Operation refused', { extensions: { code: 'BAD_REQUEST' } })];
        return prepared as ExecutionArgs;
      } catch (err) {
        return [asGraphQLError(err)];
      }
    },
    execute: async (args) => {
      try {
        return (await opts.execute(args)) as ExecutionResult;
      } catch (err) {
        return { errors: [asGraphQLError(err)] };
      }
    },
    subscribe: async (args) => {
      try {
        return await opts.subscribe(args);
      } catch (err) {
        return { errors: [asGraphQLError(err)] };
      }
    },
    onNext: (_ctx, _id, _payload, _args, result) => {
      const { errors, ...rest } = result as ExecutionResult & { errors?: readonly unknown[] };
      return errors?.length ? { ...rest, errors: format(errors) } : rest;
    },
    onError: (_ctx, _id, _payload, errors) => format(errors),
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayloadBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => handleProtocols(protocols),
  });
  let open = 0;
  const perIp = new Map<string, number>();

  function accept(ws: WebSocket, request: http.IncomingMessage) {
    ws.on('error', (err) => logger.debug({ err }, 'WebSocket protocol error'));
    if (!setMessageLimit(ws, settings.initPayloadBytes)) {
      logger.error('ws no longer exposes a per-connection message limit: refusing WebSocket connections');
      ws.close(1011, 'Internal server error');
      return;
    }
    let alive = true;
    ws.on('pong', () => (alive = true));
    const keepAlive =
      settings.keepAliveMs > 0
        ? setInterval(() => {
            if (!alive) return ws.terminate();
            alive = false;
            ws.ping();
          }, settings.keepAliveMs)
        : undefined;
    const closed = server.opened(
      {
        protocol: ws.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (ws.readyState !== ws.OPEN) return resolve();
            // A failed send means the socket is closing: its close handler ends every operation.
            ws.send(data, () => resolve());
          }),
        close: (code, reason) => ws.close(code, reason),
        onMessage: (cb) =>
          ws.on(
            'message',
            (data) =>
              void (async () => {
                try {
                  await cb(String(data));
                } catch (err) {
                  // Operations never get here (their errors become messages): this is a bug, not a client's doing.
                  logger.error({ err }, 'graphql-ws message handling failed');
                  ws.close(CloseCode.InternalServerError, 'Internal server error');
                }
              })(),
          ),
      },
      { socket: ws, request },
    );
    ws.once('close', (code, reason) => {
      clearInterval(keepAlive);
      closed(code, String(reason)).catch((err) => logger.error({ err }, 'closing graphql-ws operations failed'));
    });
  }

  async function upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on('error', () => socket.destroy());
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== opts.path) {
      return refuseUpgrade(socket, {
        status: 404,
        code: 'NOT_FOUND',
        message: `WebSocket connections are served on ${opts.path}`,
      });
    }
    const ip = opts.clientIp?.(request) ?? request.socket.remoteAddress ?? 'unknown';
    if (open >= settings.maxConnections) {
      return refuseUpgrade(socket, {
        status: 503,
        code: 'TOO_MANY_CONNECTIONS',
        message: 'Too many WebSocket connections: try again later',
        headers: { 'retry-after': '5' },
      });
    }
    if (settings.maxConnectionsPerIp > 0 && (perIp.get(ip) ?? 0) >= settings.maxConnectionsPerIp) {
      return refuseUpgrade(socket, {
        status: 429,
        code: 'TOO_MANY_CONNECTIONS',
        message: `At most ${settings.maxConnectionsPerIp} WebSocket connections per client address`,
        extensions: { limit: settings.maxConnectionsPerIp },
      });
    }
    // Counted from here (not from the handshake's end) so concurrent upgrades cannot all pass the check.
    open++;
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    socket.once('close', () => {
      open--;
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left > 0) perIp.set(ip, left);
      else perIp.delete(ip);
    });
    try {
      const refusal = await opts.admit?.(request);
      if (refusal) return refuseUpgrade(socket, refusal);
    } catch (err) {
      logger.error({ err }, 'WebSocket admission failed');
      return refuseUpgrade(socket, { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request));
  }

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) =>
    void upgrade(request, socket, head);
  httpServer.on('upgrade', onUpgrade);
  return {
    connections: () => open,
    async dispose() {
      httpServer.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
