import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from '../../../../lib/src/index';
import type { Endpoint } from '../endpoint/endpoint.entity';
import { ConcurrencyLimiter } from '../runtime/concurrency.limiter';
import { EndpointRuntime, type PredictResult } from '../runtime/endpoint.runtime';
import type { ModelExecutor } from '../runtime/model.executor';
import type { WireTensor } from '../runtime/tensor.codec';
import { encodeTensor, type EncodedTensor } from '../runtime/tensor.codec';
import { MetricsRegistry } from '../runtime/version.metrics';
import type { SessionStatus } from '../runtime/session.manager';
import type { ModelSignature } from '../runtime/model-signature';
import type { CachedModelVersionRepository } from './cached-model-version.repository';
import type { InferenceMetrics } from './inference.metrics';
import type { ModelArtifactSource } from './model-artifact.source';

export const PREDICTION_TOPIC = 'INFERENCE_PREDICTION';

/** What subscribers of an endpoint's prediction stream receive. */
export interface PredictionEventPayload {
  endpointId: string;
  organizationId: string;
  modelVersionId: string;
  latencyMs: number;
  routingKey: string | null;
  at: string;
  outputs: EncodedTensor[] | null;
  outputsOmitted: boolean;
}

export interface VersionReadinessInfo extends SessionStatus {
  role: 'route' | 'shadow';
}

export interface ServingRegistryDeps {
  orm: MikroORM;
  cachedVersions: CachedModelVersionRepository;
  executor: ModelExecutor;
  source: ModelArtifactSource;
  metrics: InferenceMetrics;
  logger: Logger;
  publish: (topic: string, id: string, payload: unknown) => void;
  metricsWindowMs: number;
  streamOutputLimit: number;
}

interface Held {
  stamp: string;
  runtime: EndpointRuntime;
}

/**
 * The live side of endpoints: one EndpointRuntime per endpoint (rebuilt when its settings change,
 * keeping its metrics), sessions loaded from the artifact cache, predictions measured, exported
 * and published to subscribers.
 */
export class ServingRegistry {
  private readonly held = new Map<string, Held>();
  private readonly metricsByEndpoint = new Map<string, MetricsRegistry>();
  private readonly limiters = new Map<string, ConcurrencyLimiter>();

  constructor(private readonly deps: ServingRegistryDeps) {}

  /** The runtime of an endpoint as currently configured. */
  runtimeOf(endpoint: Endpoint): EndpointRuntime {
    const stamp = JSON.stringify([
      endpoint.routes,
      endpoint.shadowModelVersionId,
      endpoint.maxBatchSize,
      endpoint.maxQueueDelayMs,
    ]);
    // Replicas resize the endpoint's limiter in place: runs in flight keep their slots, queued ones see the new count.
    const limiter = this.limiterOf(endpoint);
    const current = this.held.get(endpoint.id);
    if (current && current.stamp === stamp) return current.runtime;
    const runtime = new EndpointRuntime(
      {
        routes: endpoint.routes.map((r) => ({ version: r.modelVersionId, weight: r.weight })),
        shadow: endpoint.shadowModelVersionId ?? undefined,
        batching: { maxBatchSize: endpoint.maxBatchSize, maxQueueDelayMs: endpoint.maxQueueDelayMs },
      },
      this.deps.executor,
      {
        metricsRegistry: this.metricsOf(endpoint.id),
        limiter,
        onShadow: (o) => {
          this.deps.metrics.predictions.inc({
            endpoint: endpoint.name,
            model_version: o.version,
            outcome: o.ok ? 'ok' : 'error',
            role: 'shadow',
          });
          this.deps.metrics.latency.observe(
            { endpoint: endpoint.name, model_version: o.version, role: 'shadow' },
            o.latencyMs / 1000,
          );
        },
      },
    );
    this.held.set(endpoint.id, { stamp, runtime });
    return runtime;
  }

  /** Per-version metrics of an endpoint (kept across setting changes). */
  metricsOf(endpointId: string): MetricsRegistry {
    let m = this.metricsByEndpoint.get(endpointId);
    if (!m) {
      m = new MetricsRegistry({ windowMs: this.deps.metricsWindowMs, maxSamples: 100_000 });
      this.metricsByEndpoint.set(endpointId, m);
    }
    return m;
  }

  /** The endpoint's replica limiter, sized to its current `replicas` (kept across setting changes). */
  limiterOf(endpoint: Pick<Endpoint, 'id' | 'replicas'>): ConcurrencyLimiter {
    let limiter = this.limiters.get(endpoint.id);
    if (!limiter) {
      limiter = new ConcurrencyLimiter(endpoint.id, endpoint.replicas);
      this.limiters.set(endpoint.id, limiter);
    } else if (limiter.limit !== endpoint.replicas) {
      limiter.setLimit(endpoint.replicas);
    }
    return limiter;
  }

  /** Every version an endpoint routes to or shadows. */
  versionsOf(endpoint: Endpoint): { id: string; role: 'route' | 'shadow' }[] {
    const out: { id: string; role: 'route' | 'shadow' }[] = endpoint.routes.map((r) => ({
      id: r.modelVersionId,
      role: 'route',
    }));
    if (endpoint.shadowModelVersionId && !out.some((v) => v.id === endpoint.shadowModelVersionId))
      out.push({ id: endpoint.shadowModelVersionId, role: 'shadow' });
    return out;
  }

  /**
   * Loads (once) every version of an endpoint and waits for loads in progress; failures are kept as
   * each version's status. `reload` retries versions whose load failed.
   */
  async ensureLoaded(endpoint: Endpoint, authorization?: string, reload = false): Promise<void> {
    const em = this.deps.orm.em.fork();
    await Promise.all(
      this.versionsOf(endpoint).map(async ({ id }) => {
        const state = this.deps.executor.sessions.status(id).state;
        if (state === 'READY' || (state === 'FAILED' && !reload)) return;
        // A version already LOADING joins that load (the session manager shares one promise per version).
        if (state !== 'LOADING') this.deps.executor.flush(id);
        await this.deps.executor.sessions
          .load(
            id,
            {
              fetch: async () => {
                const info = await this.deps.source.describe(em, id, endpoint.organizationId, authorization);
                return this.deps.source.bytes(info, authorization);
              },
            },
            { providers: endpoint.executionProviders, warmupDims: endpoint.warmupDims ?? undefined },
          )
          .then(
            (model) => this.rememberSignature(id, model.signature),
            () => undefined,
          );
      }),
    );
  }

  /** Starts loading an endpoint's versions without waiting. */
  loadInBackground(endpoint: Endpoint, authorization?: string, reload = false): void {
    void this.ensureLoaded(endpoint, authorization, reload).catch((err) =>
      this.deps.logger.error({ err, endpoint: endpoint.id }, 'endpoint load failed'),
    );
  }

  /** Whether the endpoint's requests to `versionId` are joined into batches on this replica, or why not. */
  effectiveBatching(endpoint: Endpoint, versionId: string): { enabled: boolean; reason: string | null } {
    return this.deps.executor.effectiveBatching(versionId, {
      maxBatchSize: endpoint.maxBatchSize,
      maxQueueDelayMs: endpoint.maxQueueDelayMs,
    });
  }

  /** Session status of each version of an endpoint. */
  versionStatuses(endpoint: Endpoint): VersionReadinessInfo[] {
    return this.versionsOf(endpoint).map(({ id, role }) => ({ ...this.deps.executor.sessions.status(id), role }));
  }

  /**
   * Runs one prediction: reloads evicted versions first, measures it, exports metrics and publishes
   * the event to the endpoint's stream.
   */
  async predict(
    endpoint: Endpoint,
    inputs: readonly WireTensor[],
    routingKey: string | null | undefined,
    authorization?: string,
    pinnedVersion?: string,
  ): Promise<PredictResult> {
    const runtime = this.runtimeOf(endpoint);
    if (!runtime.readiness().ready) await this.ensureLoaded(endpoint, authorization);
    let result: PredictResult;
    try {
      result = pinnedVersion
        ? await runtime.predictVersion(pinnedVersion, { inputs }, endpoint.name)
        : await runtime.predict({ inputs, routingKey });
    } catch (error) {
      this.deps.metrics.predictions.inc({
        endpoint: endpoint.name,
        model_version: 'none',
        outcome: 'error',
        role: 'route',
      });
      throw error;
    }
    this.deps.metrics.predictions.inc({
      endpoint: endpoint.name,
      model_version: result.version,
      outcome: 'ok',
      role: 'route',
    });
    this.deps.metrics.latency.observe(
      { endpoint: endpoint.name, model_version: result.version, role: 'route' },
      result.latencyMs / 1000,
    );
    const elements = result.outputs.reduce((n, t) => n + t.data.length, 0);
    const omitted = elements > this.deps.streamOutputLimit;
    const event: PredictionEventPayload = {
      endpointId: endpoint.id,
      organizationId: endpoint.organizationId,
      modelVersionId: result.version,
      latencyMs: result.latencyMs,
      routingKey: routingKey ?? null,
      at: new Date().toISOString(),
      outputs: omitted ? null : result.outputs.map((t) => encodeTensor(t, false)),
      outputsOmitted: omitted,
    };
    this.deps.publish(PREDICTION_TOPIC, endpoint.id, event);
    return result;
  }

  /** The served signature of a loaded version. @throws ModelNotReadyError */
  signatureOf(versionId: string): ModelSignature {
    return this.deps.executor.signature(versionId);
  }

  /** Drops an endpoint's runtime and metrics (sessions stay: other endpoints may share them). */
  forget(endpointId: string): void {
    this.held.delete(endpointId);
    this.metricsByEndpoint.delete(endpointId);
    this.limiters.delete(endpointId);
  }

  private async rememberSignature(versionId: string, signature: unknown): Promise<void> {
    const em = this.deps.orm.em.fork();
    await this.deps.cachedVersions.saveServedSignature(em, versionId, signature).catch(() => undefined);
  }
}
