import type { Matrix } from '../math/matrix';
import type { SeededRandom } from '../math/seeded-random';
import type { DenseNetwork } from './dense-network';
import { backward, parameters } from './dense-network';
import { createOptimizer } from './optimizer';
import type { ResolvedTrainingSpec } from './training-spec';
import { TrainingCancelledError } from './training-hooks';

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
  afterEpoch: (epoch: number, trainLoss: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const optimizer = createOptimizer(spec.optimizer, { learningRate: spec.learningRate });
  const params = parameters(network);
  const targetWidth = target.length / x.rows;
  const order = Int32Array.from({ length: x.rows }, (_, i) => i);
  const batchSize = Math.min(spec.batchSize, x.rows);
  const batchX = new Float64Array(batchSize * x.cols);
  const batchY = new Float64Array(batchSize * targetWidth);
  let lastYield = Date.now();
  for (let epoch = 1; epoch <= spec.epochs; epoch++) {
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
    await afterEpoch(epoch, lossSum / x.rows);
    await yieldToEventLoop();
    lastYield = Date.now();
  }
}
