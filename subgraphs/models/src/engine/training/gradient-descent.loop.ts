import type { Matrix } from '../math/matrix';
import type { SeededRandom } from '../math/seeded-random';
import type { DenseNetwork } from './dense-network';
import { backward, parameters } from './dense-network';
import { createOptimizer } from './optimizer';
import type { ResolvedTrainingSpec } from './training-spec';
import type { TrainingCheckpoint } from './training-hooks';
import { TrainingCancelledError } from './training-hooks';

/** Where a run continues from: the epoch already done, with its parameters and optimizer state. */
export type ResumePoint = Pick<TrainingCheckpoint, 'epoch' | 'params' | 'optimizer'>;

/** Copies of the parameters and optimizer state after an epoch (see TrainingCheckpoint). */
export type SnapshotFn = () => ResumePoint;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** How often a long epoch gives the event loop a turn, so that an abort can arrive mid-epoch. */
const YIELD_EVERY_MS = 50;

/**
 * Mini-batch training of `network` on standardized inputs; `target` is in the head's layout.
 * Batches are reshuffled every epoch with `rng`. `afterEpoch` runs after each epoch and is awaited.
 * @throws TrainingCancelledError when `signal` aborts (checked between batches)
 */
export async function runGradientDescent(
  network: DenseNetwork,
  x: Matrix,
  target: Float64Array,
  spec: ResolvedTrainingSpec,
  rng: SeededRandom,
  afterEpoch: (epoch: number, trainLoss: number, snapshot: SnapshotFn) => Promise<void>,
  signal?: AbortSignal,
  resumeFrom?: ResumePoint,
): Promise<void> {
  const optimizer = createOptimizer(spec.optimizer, { learningRate: spec.learningRate });
  const params = parameters(network);
  const targetWidth = target.length / x.rows;
  const order = Int32Array.from({ length: x.rows }, (_, i) => i);
  const batchSize = Math.min(spec.batchSize, x.rows);
  const batchX = new Float64Array(batchSize * x.cols);
  const batchY = new Float64Array(batchSize * targetWidth);
  let lastYield = Date.now();
  let first = 1;
  if (resumeFrom) {
    // Replay the batch order of the epochs done (the shuffles are the generator's only draws), then
    // put back the parameters and the optimizer state they left.
    for (let epoch = 1; epoch <= resumeFrom.epoch; epoch++) rng.shuffle(order);
    if (resumeFrom.params.length !== params.length || resumeFrom.params.some((p, i) => p.length !== params[i]!.length))
      throw new RangeError('the checkpoint does not fit this network');
    resumeFrom.params.forEach((p, i) => params[i]!.set(p));
    optimizer.restore(resumeFrom.optimizer);
    first = resumeFrom.epoch + 1;
  }
  const snapshot: SnapshotFn = () => ({
    epoch: 0,
    params: params.map((p) => Float64Array.from(p)),
    optimizer: optimizer.snapshot(),
  });
  for (let epoch = first; epoch <= spec.epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < x.rows; start += batchSize) {
      if (signal?.aborted) throw new TrainingCancelledError(epoch - 1);
      const size = Math.min(batchSize, x.rows - start);
      for (let i = 0; i < size; i++) {
        const row = order[start + i]!;
        batchX.set(x.data.subarray(row * x.cols, (row + 1) * x.cols), i * x.cols);
        batchY.set(target.subarray(row * targetWidth, (row + 1) * targetWidth), i * targetWidth);
      }
      const { gradients, loss } = backward(
        network,
        batchX.subarray(0, size * x.cols),
        size,
        batchY.subarray(0, size * targetWidth),
        spec.l2,
      );
      optimizer.step(params, gradients);
      lossSum += loss * size;
      if (Date.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
    }
    if (!Number.isFinite(lossSum))
      throw new RangeError(`training diverged at epoch ${epoch} (loss is not finite): lower the learning rate`);
    await afterEpoch(epoch, lossSum / x.rows, () => ({ ...snapshot(), epoch }));
    await yieldToEventLoop();
    lastYield = Date.now();
  }
}
