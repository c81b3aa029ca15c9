import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import { GraphQLError } from 'graphql';
import type { Counter, Histogram } from 'prom-client';
import { stringifyToBytes } from '../../../lib/src/core';
import type { GatewayContext } from '../context';
import type { SubgraphResponse } from './http-fetcher';

export interface SubgraphCallMetrics {
  duration: Histogram<'subgraph' | 'outcome'>;
  failures: Counter<'subgraph' | 'reason'>;
  /** Fetches answered by an identical call already in flight instead of a call of their own. */
  deduplicated?: Counter<'subgraph'>;
}

export interface SubgraphPolicy {
  timeoutMs: number;
  /** Extra attempts for queries after a connection failure (never for mutations). */
  retries: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  /** Identical in-flight queries share one subgraph call (AIC_SUBGRAPH_DEDUPE). */
  dedupe: boolean;
}

type SubgraphFetcher = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string | Buffer },
) => Promise<SubgraphResponse>;
type SubgraphResult = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
type ApolloFetcher = RemoteGraphQLDataSource['fetcher'];
type ApolloFetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];

// Apollo's types name node-fetch's whole Request/Response; the gateway's fetcher sends a string body and
// answers the part Apollo reads (SubgraphResponse). These two are the one place the types meet.
const asApolloFetcher = (fetcher: SubgraphFetcher) => fetcher as unknown as ApolloFetcher;
const asApolloResponse = (res: SubgraphResponse) => res as unknown as ApolloFetcherResponse;
type OperationKind = 'query' | 'mutation' | 'subscription' | 'unknown';

interface Waiter {
  resolve(response: SubgraphResult): void;
  reject(err: unknown): void;
}

/**
 * A subgraph data source that forwards the caller's Authorization, trace and request id, and keeps
 * one subgraph's trouble local: a timeout per call, a retry for idempotent queries after a connection
 * failure, and a circuit breaker that fails fast while the subgraph keeps failing. Failures become
 * GraphQL errors of that fetch (`SUBGRAPH_UNAVAILABLE`, `SUBGRAPH_TIMEOUT`, `CIRCUIT_OPEN`), so the
 * rest of the answer still arrives as partial data with HTTP 200.
 *
 * Identical queries in flight at the same time (same body, same Authorization and client address),
 * within one client request or across concurrent ones, share one call and its parsed answer, as
 * Apollo Router's `deduplicate_query` does; mutations and subscriptions never do. Nothing is kept
 * once the call completes.
 *
 * The HTTP exchange is `RemoteGraphQLDataSource`'s (same headers, body, `errorFromResponse`,
 * `parseBody`, Cache-Control hints) without its per-call node-fetch `Request`/`Headers` objects.
 */
export class ResilientDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly breaker;
  /** In-flight queries by dedupe key; the map is per data source, so per subgraph URL. */
  private readonly inFlight = new Map<string, Waiter[]>();
  private readonly observe: Record<string, { observe(seconds: number): void }> = {};
  private readonly failed: Record<string, { inc(): void }> = {};
  private readonly shared?: { inc(): void };

  constructor(
    private readonly opts: {
      name: string;
      url: string;
      policy: SubgraphPolicy;
      metrics: SubgraphCallMetrics;
      fetcher: SubgraphFetcher;
    },
  ) {
    super({ url: opts.url, fetcher: asApolloFetcher(opts.fetcher) });
    this.breaker = circuitBreaker(
      handleWhen((err) => !isClientError(err)),
      {
        halfOpenAfter: opts.policy.breakerHalfOpenAfterMs,
        breaker: new ConsecutiveBreaker(opts.policy.breakerThreshold),
      },
    );
    this.shared = opts.metrics.deduplicated?.labels(opts.name);
  }

  /** @returns the breaker's state, for tests and diagnostics */
  get circuitState(): 'closed' | 'open' | 'half-open' | 'isolated' {
    return (
      {
        [CircuitState.Closed]: 'closed',
        [CircuitState.Open]: 'open',
        [CircuitState.HalfOpen]: 'half-open',
        [CircuitState.Isolated]: 'isolated',
      } as const
    )[this.breaker.state];
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResult> {
    const { query, variables, operationName, extensions } = options.request;
    if (!query) throw new Error('Missing query');
    const kind = operationKind(query);
    const headers = this.headersFor(options);
    if (kind !== 'query' || !this.opts.policy.dedupe) {
      // Not a sharing key: a tensor's megabytes of rawData go out as bytes, never as one large string.
      const bytes = stringifyToBytes({ query, variables, operationName, extensions });
      return this.withCacheHint(options, await this.call(headers, bytes, kind === 'query'));
    }
    const body = JSON.stringify({ query, variables, operationName, extensions });

    // traceparent and x-request-id name the request, they never change the answer: a shared call
    // carries the first caller's. Every other header sent to the subgraph is part of the key.
    const { traceparent: _t, 'x-request-id': _r, ...answerHeaders } = headers;
    const key = `${body}\n${JSON.stringify(answerHeaders)}`;
    const waiting = this.inFlight.get(key);
    if (waiting) {
      this.shared?.inc();
      return this.withCacheHint(
        options,
        await new Promise<SubgraphResult>((resolve, reject) => waiting.push({ resolve, reject })),
      );
    }
    const waiters: Waiter[] = [];
    this.inFlight.set(key, waiters);
    let response: SubgraphResult;
    try {
      response = await this.call(headers, body, true);
    } catch (err) {
      this.inFlight.delete(key);
      for (const w of waiters) w.reject(err);
      throw err;
    }
    this.inFlight.delete(key);
    // The executor merges answers into its result tree in place: every waiter gets its own copy,
    // made now, before any of them (or this caller) runs on.
    for (const w of waiters) w.resolve(copyResponse(response));
    return this.withCacheHint(options, response);
  }

  /** One call with the breaker, a timeout and, for queries, retries after connection failures. */
  private async call(
    headers: Record<string, string>,
    body: string | Buffer,
    idempotent: boolean,
  ): Promise<SubgraphResult> {
    const started = process.hrtime.bigint();
    const attempts = idempotent ? 1 + this.opts.policy.retries : 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await this.breaker.execute(() => this.send(headers, body));
        this.durationOf(response.errors?.length ? 'error' : 'ok').observe(
          Number(process.hrtime.bigint() - started) / 1e9,
        );
        return response;
      } catch (err) {
        // A 4xx answer is the request's fault, not the subgraph's: report it as the gateway always has,
        // and let a refused credential (401/403) be the response's status on every execution path.
        if (isClientError(err)) throw withRefusalStatus(err);
        lastError = err;
        if (err instanceof BrokenCircuitError || isTimeout(err)) break;
      }
    }
    const { code, message, reason } = describeFailure(this.opts.name, lastError);
    (this.failed[reason] ??= this.opts.metrics.failures.labels(this.opts.name, reason)).inc();
    this.durationOf(reason).observe(Number(process.hrtime.bigint() - started) / 1e9);
    return { errors: [{ message, extensions: { code } }] };
  }

  /**
   * A subgraph's 4xx answer as an error of this fetch, with `serviceName` and a code a client can act
   * on: the subgraph's own first GraphQL error when it sent one (a 413 `PAYLOAD_TOO_LARGE`, a 401
   * `UNAUTHENTICATED` ...), else a code for the status; never a codeless error the gateway would mask
   * as INTERNAL_SERVER_ERROR. `extensions.response` (status, URL, body) helps in dev; production
   * answers drop it.
   */
  override async errorFromResponse(
    response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0],
  ): Promise<GraphQLError> {
    const base = await super.errorFromResponse(response);
    const upstream = base.extensions.response as { status: number; body?: unknown };
    const errors = (upstream.body as { errors?: unknown } | undefined)?.errors;
    const first = Array.isArray(errors)
      ? (errors[0] as { message?: unknown; extensions?: { code?: unknown } } | undefined)
      : undefined;
    const code =
      typeof first?.extensions?.code === 'string'
        ? first.extensions.code
        : ((base.extensions.code as string | undefined) ?? codeForStatus(upstream.status));
    const message = typeof first?.message === 'string' && first.message ? first.message : base.message;
    return new GraphQLError(message, { extensions: { ...base.extensions, code, serviceName: this.opts.name } });
  }

  private durationOf(outcome: string) {
    return (this.observe[outcome] ??= this.opts.metrics.duration.labels(this.opts.name, outcome));
  }

  /** What the caller's context forwards, plus any header the executor asked for. */
  private headersFor(options: GraphQLDataSourceProcessOptions<GatewayContext>): Record<string, string> {
    const headers: Record<string, string> = {};
    const given = options.request.http?.headers;
    if (given) for (const [name, value] of given) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    const context = options.context as Partial<GatewayContext>;
    if (context.authorization) headers.authorization = context.authorization;
    if (context.traceparent) headers.traceparent = context.traceparent;
    if (context.requestId) headers['x-request-id'] = context.requestId;
    if (context.clientIp) headers['x-forwarded-for'] = context.clientIp;
    return headers;
  }

  private async send(headers: Record<string, string>, body: string | Buffer): Promise<SubgraphResult> {
    const res = (await this.fetcher(this.url, { method: 'POST', headers, body })) as unknown as SubgraphResponse;
    if (REFUSALS.has(res.status)) {
      const refused = await this.refusal(res);
      if (refused) return refused;
    }
    if (!res.ok) throw await this.errorFromResponse(asApolloResponse(res));
    const parsed = await this.parseBody(asApolloResponse(res));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
    return { ...(parsed as SubgraphResult), http: asApolloResponse(res) };
  }

  /**
   * A subgraph that refuses the caller (a revoked token, a throttled address) answers GraphQL errors
   * with a 401, 403 or 429: they reach the client as its errors, codes and extensions kept, and the
   * status becomes the response's (Apollo Server reads `extensions.http`, never sends it). Another body
   * goes the usual way (errorFromResponse).
   */
  private async refusal(res: SubgraphResponse): Promise<SubgraphResult | undefined> {
    const text = await res.text();
    let parsed: { errors?: unknown } | undefined;
    try {
      parsed = JSON.parse(text) as { errors?: unknown };
    } catch {
      parsed = undefined;
    }
    // The subgraph fetcher's text() can be read again by errorFromResponse.
    if (!Array.isArray(parsed?.errors) || parsed.errors.length === 0) return undefined;
    const code = codeForStatus(res.status);
    // `response` as errorFromResponse gives it (the exchange, for development; production answers drop it).
    const response = { url: this.url, status: res.status, statusText: res.statusText, body: parsed };
    const errors = (parsed.errors as { message?: string; extensions?: Record<string, unknown> }[]).map((e) => ({
      ...e,
      message: String(e.message ?? ''),
      extensions: { code, ...e.extensions, response, http: { status: res.status } },
    }));
    return { errors, http: asApolloResponse(res) } as SubgraphResult;
  }

  /** The subgraph's Cache-Control restricts the caller's cache policy, as `RemoteGraphQLDataSource` does. */
  private withCacheHint(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
    response: SubgraphResult,
  ): SubgraphResult {
    // Only incoming operations carry a request context (health checks and schema loading do not).
    if (!this.honorSubgraphCacheControlHeader || !response.http || !('incomingRequestContext' in options))
      return response;
    const policy = options.incomingRequestContext?.overallCachePolicy as
      { restrict?(hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' }): void } | undefined;
    if (!policy?.restrict) return response;
    const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
    for (const part of (response.http.headers.get('cache-control') ?? '').split(',')) {
      const [name, value] = part.trim().split(/\s*=\s*/, 2);
      if (name === 'max-age' && value !== undefined && /^"?[0-9]+"?$/.test(value))
        hint.maxAge = Number(value.replace(/"/g, ''));
      if (name === 'private') hint.scope = 'PRIVATE';
      if (name === 'public') hint.scope = 'PUBLIC';
    }
    policy.restrict(hint);
    return response;
  }
}

/** @returns the operation type of a subgraph operation text as the query planner writes it */
function operationKind(query: string): OperationKind {
  const m = /^\s*(query|mutation|subscription)\b|^\s*\{/.exec(query);
  if (!m) return 'unknown';
  return (m[1] as OperationKind | undefined) ?? 'query';
}

/** A deep copy of a JSON value (what a subgraph answer is); much cheaper than JSON.parse or structuredClone. */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyJson((value as Record<string, unknown>)[key]);
  return out;
}

function copyResponse(response: SubgraphResult): SubgraphResult {
  const { http, ...rest } = response;
  return { ...(copyJson(rest) as SubgraphResult), ...(http ? { http } : {}) };
}

/** Statuses by which a subgraph refuses the caller rather than fails. */
const REFUSALS = new Set([401, 403, 429]);

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  408: 'SUBGRAPH_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/** @returns the error code of an HTTP status without a GraphQL body */
function codeForStatus(status: number): string {
  return Object.hasOwn(STATUS_CODES, status)
    ? STATUS_CODES[status]!
    : status >= 500
      ? 'SUBGRAPH_UNAVAILABLE'
      : 'BAD_REQUEST';
}

function isClientError(err: unknown): boolean {
  const status = (err as { extensions?: { response?: { status?: number } } })?.extensions?.response?.status;
  return typeof status === 'number' && status < 500;
}

/**
 * A subgraph's refusal (401, 403, 429) becomes the client's status (Apollo Server reads
 * `extensions.http` and never sends it); other 4xx answers (413 ...) are errors of the fetch only.
 */
function withRefusalStatus(err: unknown): unknown {
  const status = (err as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
  const extensions = (err as { extensions?: Record<string, unknown> }).extensions;
  if (extensions && status !== undefined && REFUSALS.has(status)) extensions.http = { status };
  return err;
}

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; cause?: { name?: string }; message?: string };
  return e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || /timeout|aborted/i.test(e?.message ?? '');
}

function describeFailure(name: string, err: unknown): { code: string; message: string; reason: string } {
  if (err instanceof BrokenCircuitError)
    return {
      code: 'CIRCUIT_OPEN',
      message: `${name} is failing; calls are paused for a moment`,
      reason: 'circuit_open',
    };
  if (isTimeout(err)) return { code: 'SUBGRAPH_TIMEOUT', message: `${name} did not answer in time`, reason: 'timeout' };
  return { code: 'SUBGRAPH_UNAVAILABLE', message: `${name} is unavailable`, reason: 'unavailable' };
}
