import type { ConcurrencyLimiter } from './concurrency.limiter';
import type { BatchingOptions } from './dynamic.batcher';
import { EndpointRouter, type RouterConfig } from './endpoint.router';
import type { ModelExecutor } from './model.executor';
import { ModelNotReadyError, VersionNotServedError } from './runtime.errors';
import type { DecodedTensor, WireTensor } from './tensor.codec';
import { MetricsRegistry, type MetricsOptions } from './version.metrics';

export interface EndpointRuntimeConfig extends RouterConfig {
  batching?: BatchingOptions;
}

export interface PredictRequest {
  inputs: readonly WireTensor[];
  routingKey?: string | null;
}

/** The answer to one prediction: the outputs of the version that answered. */
export interface PredictResult {
  version: string;
  outputs: DecodedTensor[];
  latencyMs: number;
  /** The version that received a shadow copy, if any (its answer is never returned). */
  shadow?: string;
}

/** What a shadow run did; the outputs stay here, for measurement only. */
export interface ShadowOutcome {
  version: string;
  latencyMs: number;
  ok: boolean;
  error?: string;
}

export interface EndpointRuntimeOptions {
  metrics?: MetricsOptions;
  /** Metrics to record into (kept by the caller across runtime rebuilds); else a new registry. */
  metricsRegistry?: MetricsRegistry;
  random?: () => number;
  /** The endpoint's replicas: bounds its session runs (batches, with batching on) in flight, shadow runs included; unbounded without. */
  limiter?: ConcurrencyLimiter;
  onShadow?: (outcome: ShadowOutcome) => void;
}

/** Serving state of one endpoint: routing, batching, replicas, shadow traffic and per-version metrics. */
export class EndpointRuntime {
  readonly metrics: MetricsRegistry;
  private readonly router: EndpointRouter;
  private readonly shadows = new Set<Promise<void>>();

  constructor(
    readonly config: EndpointRuntimeConfig,
    private readonly executor: ModelExecutor,
    private readonly options: EndpointRuntimeOptions = {},
  ) {
    this.metrics = options.metricsRegistry ?? new MetricsRegistry(options.metrics);
    this.router = new EndpointRouter(config, (v) => this.notReadyReason(v), options.random);
  }

  /** Why a version cannot take traffic, or undefined when its session is loaded and warm. */
  notReadyReason(version: string): string | undefined {
    const status = this.executor.sessions.status(version);
    return status.state === 'READY' ? undefined : `${status.state.toLowerCase()}: ${status.reason ?? 'not loaded'}`;
  }

  /** Ready when every routed version with traffic is loaded and warm; otherwise the reasons per version. */
  readiness(): { ready: boolean; reasons: Record<string, string> } {
    const reasons: Record<string, string> = {};
    for (const r of this.config.routes) {
      const why = this.notReadyReason(r.version);
      if (why !== undefined) reasons[r.version] = why;
    }
    return { ready: Object.keys(reasons).length === 0, reasons };
  }

  /**
   * Routes, validates and runs a request; a shadow copy runs in the background.
   * @throws NoReadyRouteError, TensorValidationError, or the runtime's error
   */
  async predict(request: PredictRequest): Promise<PredictResult> {
    const started = performance.now();
    const choice = this.router.choose(request.routingKey);
    const metrics = this.metrics.of(choice.version);
    try {
      const inputs = this.executor.decode(choice.version, request.inputs);
      if (choice.shadow) this.startShadow(choice.shadow, request.inputs);
      const outputs = await this.executor.run(choice.version, inputs, this.config.batching, this.options.limiter);
      const latencyMs = performance.now() - started;
      metrics.record(latencyMs, true);
      return { version: choice.version, outputs, latencyMs, shadow: choice.shadow };
    } catch (error) {
      metrics.record(performance.now() - started, false);
      throw error;
    }
  }

  /**
   * Runs a request on one named version of the endpoint (a routed or shadow version), bypassing the
   * router: what an Open Inference Protocol `/versions/{v}/infer` call asks for.
   * @throws ModelNotReadyError, TensorValidationError, VersionNotServedError for a version the endpoint does not serve
   */
  async predictVersion(
    version: string,
    request: PredictRequest,
    endpointName = 'the endpoint',
  ): Promise<PredictResult> {
    if (!this.config.routes.some((r) => r.version === version) && this.config.shadow !== version) {
      throw new VersionNotServedError(endpointName, version);
    }
    const reason = this.notReadyReason(version);
    if (reason !== undefined) throw new ModelNotReadyError(version, reason);
    const started = performance.now();
    const metrics = this.metrics.of(version);
    try {
      const outputs = await this.executor.run(
        version,
        this.executor.decode(version, request.inputs),
        this.config.batching,
        this.options.limiter,
      );
      const latencyMs = performance.now() - started;
      metrics.record(latencyMs, true);
      return { version, outputs, latencyMs };
    } catch (error) {
      metrics.record(performance.now() - started, false);
      throw error;
    }
  }

  /** Resolves when every shadow run started so far has ended. */
  async drainShadows(): Promise<void> {
    while (this.shadows.size > 0) await Promise.all([...this.shadows]);
  }

  private startShadow(version: string, wire: readonly WireTensor[]): void {
    const started = performance.now();
    const run = (async () => {
      let outcome: ShadowOutcome;
      try {
        await this.executor.run(
          version,
          this.executor.decode(version, wire),
          this.config.batching,
          this.options.limiter,
        );
        outcome = { version, latencyMs: performance.now() - started, ok: true };
      } catch (error) {
        outcome = {
          version,
          latencyMs: performance.now() - started,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        };
      }
      this.metrics.of(version).record(outcome.latencyMs, outcome.ok);
      this.options.onShadow?.(outcome);
    })();
    this.shadows.add(run);
    void run.finally(() => this.shadows.delete(run));
  }
}
