import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  durationSeconds: number;
  /** Body check per response; a false answer counts as a mismatch. */
  verifyBody?: (body: string) => boolean;
  /** The n-th request's body and extra headers, in place of `body` (requests that all differ). */
  requestOf?: (n: number) => { body: string; headers: Record<string, string> };
}

export interface LoadResult {
  requests: number;
  /** Completed requests per second over the run. */
  rps: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  /** Socket errors and timeouts. */
  errors: number;
  non2xx: number;
  /** 2xx answers that failed `verifyBody` (GraphQL errors in an HTTP 200). */
  mismatches: number;
}

/** Requests made with `requestOf` in this process: numbers never repeat, not even across runs. */
let requestsMade = 0;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Runs autocannon against a GraphQL endpoint (POST JSON) and computes latency percentiles from every
 * response time (autocannon's own summary has no p95).
 * @returns throughput, latency percentiles and failure counts
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const verify = opts.verifyBody;
  const options: autocannon.Options = {
    url: opts.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: opts.body,
    connections: opts.connections,
    duration: opts.durationSeconds,
    timeout: 30,
    ...(verify ? { verifyBody: (body: unknown) => verify(String(body)) } : {}),
  };
  const requestOf = opts.requestOf;
  if (requestOf) {
    options.requests = [
      {
        setupRequest: (request) => {
          const { body, headers } = requestOf(requestsMade++);
          return { ...request, body, headers: { ...request.headers, ...headers } };
        },
      },
    ];
  }
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err: unknown, res: autocannon.Result) =>
      err ? reject(err as Error) : resolve(res),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  const completed = result.requests.total;
  return {
    requests: completed,
    rps: completed / (result.duration || opts.durationSeconds),
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      mean: latencies.reduce((s, x) => s + x, 0) / (latencies.length || 1),
      max: latencies[latencies.length - 1] ?? Number.NaN,
    },
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches ?? 0,
  };
}
