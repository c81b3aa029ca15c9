import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import type { Counter, Histogram } from 'prom-client';
import type { GatewayContext } from './context';

export interface SubgraphCallMetrics {
  duration: Histogram<'subgraph' | 'outcome'>;
  failures: Counter<'subgraph' | 'reason'>;
}

export interface SubgraphPolicy {
  timeoutMs: number;
  /** Extra attempts for queries after a connection failure (never for mutations). */
  retries: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
}

const MUTATION = /^\s*mutation\b/;

/**
 * A subgraph data source that forwards the caller's Authorization, trace and request id, and keeps
 * one subgraph's trouble local: a timeout per call, a retry for idempotent queries after a connection
 * failure, and a circuit breaker that fails fast while the subgraph keeps failing. Failures become
 * GraphQL errors of that fetch (`SUBGRAPH_UNAVAILABLE`, `SUBGRAPH_TIMEOUT`, `CIRCUIT_OPEN`), so the
 * rest of the answer still arrives as partial data with HTTP 200.
 */
export class ResilientDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly breaker;
  constructor(private readonly opts: { name: string; url: string; policy: SubgraphPolicy; metrics: SubgraphCallMetrics; fetcher: (url: string, init: any) => Promise<unknown> }) {
    super({ url: opts.url, fetcher: opts.fetcher as any });
    this.breaker = circuitBreaker(handleWhen((err) => !isClientError(err)), { halfOpenAfter: opts.policy.breakerHalfOpenAfterMs, breaker: new ConsecutiveBreaker(opts.policy.breakerThreshold) });
  }

  /** @returns the breaker's state, for tests and diagnostics */
  get circuitState(): 'closed' | 'open' | 'half-open' | 'isolated' {
    return ({ [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'isolated' } as const)[this.breaker.state];
  }

  override willSendRequest({ request, context }: { request: { http?: { headers: { set(k: string, v: string): void } } }; context: Partial<GatewayContext> }) {
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    if (context.traceparent) request.http?.headers.set('traceparent', context.traceparent);
    if (context.requestId) request.http?.headers.set('x-request-id', context.requestId);
    if (context.clientIp) request.http?.headers.set('x-forwarded-for', context.clientIp);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const started = process.hrtime.bigint();
    const attempts = MUTATION.test(options.request.query ?? '') ? 1 : 1 + this.opts.policy.retries;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await this.breaker.execute(() => super.process(options));
        this.opts.metrics.duration.observe({ subgraph: this.opts.name, outcome: response.errors?.length ? 'error' : 'ok' }, Number(process.hrtime.bigint() - started) / 1e9);
        return response;
      } catch (err) {
        // A 4xx answer is the request's fault, not the subgraph's: report it as the gateway always has.
        if (isClientError(err)) throw err;
        lastError = err;
        if (err instanceof BrokenCircuitError || isTimeout(err)) break;
      }
    }
    const { code, message, reason } = describeFailure(this.opts.name, lastError);
    this.opts.metrics.failures.inc({ subgraph: this.opts.name, reason });
    this.opts.metrics.duration.observe({ subgraph: this.opts.name, outcome: reason }, Number(process.hrtime.bigint() - started) / 1e9);
    return { errors: [{ message, extensions: { code } }] } as any;
  }
}

function isClientError(err: unknown): boolean {
  const status = (err as { extensions?: { response?: { status?: number } } })?.extensions?.response?.status;
  return typeof status === 'number' && status < 500;
}

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; cause?: { name?: string }; message?: string };
  return e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || /timeout|aborted/i.test(e?.message ?? '');
}

function describeFailure(name: string, err: unknown): { code: string; message: string; reason: string } {
  if (err instanceof BrokenCircuitError) return { code: 'CIRCUIT_OPEN', message: `${name} is failing; calls are paused for a moment`, reason: 'circuit_open' };
  if (isTimeout(err)) return { code: 'SUBGRAPH_TIMEOUT', message: `${name} did not answer in time`, reason: 'timeout' };
  return { code: 'SUBGRAPH_UNAVAILABLE', message: `${name} is unavailable`, reason: 'unavailable' };
}
