// Worker-thread entry: trains and exports off the service's event loop (see worker-training.ts).
import { parentPort } from 'node:worker_threads';
import { exportToOnnx } from '../engine/onnx/onnx-export';
import { trainModel } from '../engine/training/train-model';
import type { TrainingCheckpoint } from '../engine/training/training-hooks';
import type { ResolvedTrainingSpec } from '../engine/training/training-spec';
import type { PreparedData } from './training-data';

interface TrainRequest {
  type: 'train';
  prepared: PreparedData;
  spec: ResolvedTrainingSpec;
  docString: string;
  checkpoints?: boolean;
  resumeFrom?: TrainingCheckpoint;
}

const port = parentPort;
if (port) {
  const controller = new AbortController();
  let acknowledge: (() => void) | undefined;
  port.on('message', (message: TrainRequest | { type: 'cancel' } | { type: 'ack' }) => {
    if (message.type === 'cancel') {
      controller.abort();
      return;
    }
    if (message.type === 'ack') {
      acknowledge?.();
      return;
    }
    const { prepared, spec, docString, checkpoints, resumeFrom } = message;
    trainModel(spec, prepared.schema, prepared.train, prepared.validation, {
      signal: controller.signal,
      checkpoints,
      resumeFrom,
      // Wait for the service to handle each epoch (persist, publish, prune) before the next one,
      // as an in-process onEpoch is awaited: the worker never runs ahead of its observers.
      onEpoch: (progress) =>
        new Promise<void>((resolve) => {
          acknowledge = resolve;
          port.postMessage({ type: 'epoch', progress });
        }),
    })
      .then((result) => port.postMessage({ type: 'done', result, onnx: exportToOnnx(result.model, { docString }) }))
      .catch((error: Error & { field?: string; epochsCompleted?: number }) =>
        port.postMessage({
          type: 'error',
          name: error.name,
          message: error.message,
          field: error.field,
          epochsCompleted: error.epochsCompleted,
        }),
      );
  });
}
