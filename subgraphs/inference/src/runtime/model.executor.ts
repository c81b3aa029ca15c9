import { batchLayoutOf, DynamicBatcher, type BatchingOptions, type BatcherStats } from './dynamic.batcher';
import type { ModelSignature } from './model-signature';
import type { SessionManager } from './session.manager';
import type { DecodedTensor, WireTensor } from './tensor.codec';
import { decodeInputs } from './tensor.validator';

/**
 * Runs requests on model versions held by a session manager, through one dynamic batcher per
 * version and batching setting (endpoints sharing a version with the same settings share a queue).
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

  /** Runs decoded inputs (signature order) on `version`, batched when the settings and model allow. */
  run(version: string, inputs: DecodedTensor[], batching?: BatchingOptions): Promise<DecodedTensor[]> {
    const batcher = batching && batching.maxBatchSize > 1 ? this.batcherFor(version, batching) : null;
    if (!batcher) return this.sessions.run(version, inputs);
    return batcher.submit(inputs);
  }

  /** Batching counters of a version under the given settings, when it has a batcher. */
  batchStats(version: string, batching: BatchingOptions): BatcherStats | undefined {
    return this.batchers.get(this.key(version, batching))?.stats;
  }

  /** Whether `version` can batch at all (its first input dimension is dynamic and outputs carry it). */
  isBatchable(version: string): boolean {
    return batchLayoutOf(this.signature(version)) !== undefined;
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

  private key(version: string, b: BatchingOptions): string {
    return `${version}|${b.maxBatchSize}|${b.maxQueueDelayMs}`;
  }

  private batcherFor(version: string, batching: BatchingOptions): DynamicBatcher | null {
    const key = this.key(version, batching);
    let batcher = this.batchers.get(key);
    if (batcher === undefined) {
      const layout = batchLayoutOf(this.signature(version));
      batcher = layout ? new DynamicBatcher((inputs) => this.sessions.run(version, inputs), layout, batching) : null;
      this.batchers.set(key, batcher);
    }
    return batcher;
  }
}
