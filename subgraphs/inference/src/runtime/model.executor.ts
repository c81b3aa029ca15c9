import type { ConcurrencyLimiter } from './concurrency.limiter';
import {
  batchVerdictOf,
  DynamicBatcher,
  type BatchVerdict,
  type BatchingOptions,
  type BatcherStats,
} from './dynamic.batcher';
import type { ModelSignature } from './model-signature';
import type { SessionManager } from './session.manager';
import type { DecodedTensor, WireTensor } from './tensor.codec';
import { decodeInputs } from './tensor.validator';

/**
 * Runs requests on model versions held by a session manager, through one dynamic batcher per
 * version, batching setting and replica limiter. A limiter (an endpoint's replicas) bounds the
 * session runs in flight: single requests without batching, whole batches with it. Callers without
 * a limiter share one unbounded queue per version and setting.
 */
export class ModelExecutor {
  private readonly batchers = new Map<string, DynamicBatcher | null>();

  constructor(readonly sessions: SessionManager) {}

  /** The signature of a loaded version. @throws ModelNotReadyError */
  signature(version: string): ModelSignature {
    return this.sessions.get(version).signature;
  }

  /** Validates and decodes wire tensors for `version`. @throws TensorValidationError, ModelNotReadyError */
  decode(version: string, inputs: readonly WireTensor[]): DecodedTensor[] {
    return decodeInputs(inputs, this.signature(version));
  }

  /**
   * Runs decoded inputs (signature order) on `version`, batched when the settings and model allow,
   * with at most `limiter.limit` session runs of that limiter in flight.
   */
  run(
    version: string,
    inputs: DecodedTensor[],
    batching?: BatchingOptions,
    limiter?: ConcurrencyLimiter,
  ): Promise<DecodedTensor[]> {
    const batcher = batching && batching.maxBatchSize > 1 ? this.batcherFor(version, batching, limiter) : null;
    if (batcher) return batcher.submit(inputs);
    return limiter ? limiter.run(() => this.sessions.run(version, inputs)) : this.sessions.run(version, inputs);
  }

  /** Batching counters of a version under the given settings (and limiter), when it has a batcher. */
  batchStats(version: string, batching: BatchingOptions, limiter?: ConcurrencyLimiter): BatcherStats | undefined {
    return this.batchers.get(this.key(version, batching, limiter))?.stats;
  }

  /** Whether `version` can batch at all (its first input dimension is dynamic and outputs carry it). */
  isBatchable(version: string): boolean {
    return this.verdict(version).layout !== undefined;
  }

  /** The signature's verdict, overruled by what the warm-up probe saw. @throws ModelNotReadyError */
  private verdict(version: string): BatchVerdict {
    const model = this.sessions.get(version);
    const verdict = batchVerdictOf(model.signature);
    return verdict.layout && model.batchRefusal ? { reason: model.batchRefusal } : verdict;
  }

  /**
   * Whether requests to `version` are joined under `batching`: enabled, or why not (batching off,
   * the model's dimensions, a session not loaded on this replica).
   */
  effectiveBatching(version: string, batching?: BatchingOptions): { enabled: boolean; reason: string | null } {
    if (!batching || batching.maxBatchSize <= 1) return { enabled: false, reason: 'batching is off (maxBatchSize 1)' };
    const status = this.sessions.status(version);
    if (status.state !== 'READY')
      return {
        enabled: false,
        reason: `the model is not loaded (${status.state.toLowerCase()}): its signature decides`,
      };
    const verdict = this.verdict(version);
    return verdict.layout ? { enabled: true, reason: null } : { enabled: false, reason: verdict.reason };
  }

  /** Runs whatever batchers still hold and forgets them (call when a version is evicted or on shutdown). */
  flush(version?: string): void {
    for (const [key, batcher] of this.batchers) {
      if (version === undefined || key.startsWith(`${version}|`)) {
        batcher?.flushAll();
        this.batchers.delete(key);
      }
    }
  }

  private key(version: string, b: BatchingOptions, limiter?: ConcurrencyLimiter): string {
    return `${version}|${b.maxBatchSize}|${b.maxQueueDelayMs}|${limiter?.id ?? ''}`;
  }

  private batcherFor(version: string, batching: BatchingOptions, limiter?: ConcurrencyLimiter): DynamicBatcher | null {
    const key = this.key(version, batching, limiter);
    let batcher = this.batchers.get(key);
    if (batcher === undefined) {
      const layout = this.verdict(version).layout;
      const execute = (inputs: DecodedTensor[]) =>
        limiter ? limiter.run(() => this.sessions.run(version, inputs)) : this.sessions.run(version, inputs);
      batcher = layout ? new DynamicBatcher(execute, layout, batching, () => limiter?.limit ?? 1) : null;
      this.batchers.set(key, batcher);
    }
    return batcher;
  }
}
