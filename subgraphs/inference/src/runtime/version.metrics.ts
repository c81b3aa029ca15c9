/** Latency and traffic of one model version over a sliding window. */
export interface VersionMetricsSnapshot {
  version: string;
  /** Requests since start (including shadow copies for a shadow version). */
  requests: number;
  errors: number;
  windowRequests: number;
  windowErrors: number;
  /** Latency percentiles in the window, in milliseconds (nearest rank); null without samples. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  meanMs: number | null;
  /** Requests per second over the window (or since the first sample, when that is shorter). */
  throughput: number;
  windowMs: number;
}

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

/** Per-version request counters and latency samples within a sliding time window. */
export class VersionMetrics {
  private readonly samples: Sample[] = [];
  private head = 0;
  private requests = 0;
  private errors = 0;
  private firstAt?: number;

  constructor(
    readonly version: string,
    private readonly windowMs: number,
    private readonly maxSamples: number,
    private readonly now: () => number,
  ) {}

  /** Records one request's latency and outcome. */
  record(latencyMs: number, ok: boolean): void {
    const at = this.now();
    this.firstAt ??= at;
    this.requests += 1;
    if (!ok) this.errors += 1;
    this.samples.push({ at, ms: latencyMs, ok });
    this.prune(at);
  }

  /** Counters, and percentiles over the last `windowMs` (at most the kept window). */
  snapshot(windowMs = this.windowMs): VersionMetricsSnapshot {
    const now = this.now();
    this.prune(now);
    const since = now - windowMs;
    const live = this.samples.slice(this.head).filter((s) => s.at >= since);
    const latencies = live.map((s) => s.ms).sort((a, b) => a - b);
    const span = Math.min(windowMs, this.windowMs, Math.max(1, now - (this.firstAt ?? now)));
    return {
      version: this.version,
      requests: this.requests,
      errors: this.errors,
      windowRequests: live.length,
      windowErrors: live.filter((s) => !s.ok).length,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      meanMs: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null,
      throughput: live.length === 0 ? 0 : (live.length * 1000) / span,
      windowMs: Math.min(windowMs, this.windowMs),
    };
  }

  /** Latencies and the error count within the last `windowMs`. */
  window(windowMs = this.windowMs): { latencies: number[]; errors: number } {
    const since = this.now() - windowMs;
    const live = this.samples.slice(this.head).filter((s) => s.at >= since);
    return { latencies: live.map((s) => s.ms), errors: live.filter((s) => !s.ok).length };
  }

  private prune(now: number): void {
    const cutoff = now - this.windowMs;
    while (
      this.head < this.samples.length &&
      (this.samples[this.head]!.at < cutoff || this.samples.length - this.head > this.maxSamples)
    ) {
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.samples.length) {
      this.samples.splice(0, this.head);
      this.head = 0;
    }
  }
}

export interface MetricsOptions {
  /** @default 60000 */
  windowMs?: number;
  /** Samples kept per version, newest first. @default 10000 */
  maxSamples?: number;
  now?: () => number;
}

/** Metrics for every version an endpoint (or the service) has served. */
export class MetricsRegistry {
  private readonly byVersion = new Map<string, VersionMetrics>();

  constructor(private readonly options: MetricsOptions = {}) {}

  /** The metrics of `version`, created on first use. */
  of(version: string): VersionMetrics {
    let m = this.byVersion.get(version);
    if (!m) {
      m = new VersionMetrics(
        version,
        this.options.windowMs ?? 60_000,
        this.options.maxSamples ?? 10_000,
        this.options.now ?? Date.now,
      );
      this.byVersion.set(version, m);
    }
    return m;
  }

  /** Snapshots of every version seen, over the last `windowMs` (default: the kept window). */
  snapshot(windowMs?: number): VersionMetricsSnapshot[] {
    return [...this.byVersion.values()].map((m) => m.snapshot(windowMs));
  }
}
