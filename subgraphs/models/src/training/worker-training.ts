import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DomainError } from '../../../../lib/src/index';
import { verifyOnnxExport } from '../engine/onnx/onnx-export.verifier';
import type { TrainingResult } from '../engine/training/train-model';
import type { EpochReport, TrainingHooks } from '../engine/training/training-hooks';
import { TrainingCancelledError } from '../engine/training/training-hooks';
import type { ResolvedTrainingSpec } from '../engine/training/training-spec';
import type { PreparedData } from './training-data';
import type { ExportedTraining } from './train-and-export';

type WorkerMessage =
  | { type: 'epoch'; progress: EpochReport }
  | { type: 'done'; result: TrainingResult; onnx: Uint8Array }
  | { type: 'error'; name: string; message: string; field?: string; epochsCompleted?: number };

/** A training function: in process (trainAndExport) or in a worker thread (trainInWorker). */
export type TrainFunction = (
  prepared: PreparedData,
  spec: ResolvedTrainingSpec,
  hooks: TrainingHooks,
  docString: string,
) => Promise<ExportedTraining>;

function startWorker(): Worker {
  const entry = path.join(__dirname, `training.worker${path.extname(__filename)}`);
  // Under tsx/vitest the entry is TypeScript: register tsx's CommonJS loader in the thread first.
  const source = entry.endsWith('.ts')
    ? `require('tsx/cjs'); require(${JSON.stringify(entry)});`
    : `require(${JSON.stringify(entry)});`;
  return new Worker(source, { eval: true });
}

/**
 * Trains and exports in a worker thread so a long epoch never blocks the service's event loop.
 * Epoch reports arrive in order and `hooks.onEpoch` runs on this thread; when it throws (a pruned
 * trial) or `hooks.signal` aborts, the worker is told to stop and the call rejects with that error
 * (or TrainingCancelledError). The export is verified against onnxruntime here, like trainAndExport.
 * @throws DomainError ONNX_EXPORT_MISMATCH when onnxruntime disagrees with the trainer
 */
export const trainInWorker: TrainFunction = async (prepared, spec, hooks, docString) => {
  const worker = startWorker();
  let hookError: unknown;
  let chain = Promise.resolve();
  const stop = () => worker.postMessage({ type: 'cancel' });
  const onAbort = () => stop();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const outcome = await new Promise<{ result: TrainingResult; onnx: Uint8Array }>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'epoch') {
          chain = chain.then(async () => {
            if (hookError !== undefined) return void worker.postMessage({ type: 'ack' });
            try {
              await hooks.onEpoch?.(message.progress);
            } catch (error) {
              hookError = error;
              stop();
            }
            worker.postMessage({ type: 'ack' });
          });
        } else if (message.type === 'done') {
          void chain.then(() =>
            hookError !== undefined ? reject(hookError) : resolve({ result: message.result, onnx: message.onnx }),
          );
        } else {
          void chain.then(() => {
            if (hookError !== undefined) return reject(hookError);
            if (message.name === 'TrainingCancelledError')
              return reject(new TrainingCancelledError(message.epochsCompleted ?? 0));
            const error = new Error(message.message) as Error & { field?: string };
            error.name = message.name;
            if (message.field) error.field = message.field;
            reject(error);
          });
        }
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`training worker exited with code ${code}`)));
      if (hooks.signal?.aborted) stop();
      worker.postMessage({
        type: 'train',
        prepared,
        spec,
        docString,
        checkpoints: hooks.checkpoints,
        resumeFrom: hooks.resumeFrom,
      });
    });
    const onnx = new Uint8Array(outcome.onnx);
    const verification = await verifyOnnxExport(outcome.result.model, onnx, prepared.validation.x);
    if (!verification.ok)
      throw new DomainError(
        'ONNX_EXPORT_MISMATCH',
        `onnxruntime output differs from the trained model by ${verification.maxDifference} (${verification.labelMismatches} label mismatches)`,
      );
    return { result: outcome.result, onnx, verification };
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
};
