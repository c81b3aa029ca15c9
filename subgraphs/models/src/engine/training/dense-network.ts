import { matMulAddBias } from '../math/matrix';
import type { SeededRandom } from '../math/seeded-random';

/** Activation of hidden layers. */
export type Activation = 'relu' | 'tanh' | 'sigmoid';
/** Output transform; each pairs with its canonical loss (squared error, binary and categorical cross-entropy). */
export type OutputHead = 'identity' | 'sigmoid' | 'softmax';

/** One fully connected layer; weights are row-major [inputSize × outputSize]. */
export interface DenseLayer {
  inputSize: number;
  outputSize: number;
  weights: Float64Array;
  bias: Float64Array;
}

/** A feed-forward network: zero hidden layers is a generalised linear model. */
export interface DenseNetwork {
  layers: DenseLayer[];
  hiddenActivation: Activation;
  head: OutputHead;
}

/**
 * Creates a network with Glorot-uniform weights (He scaling for relu) and zero biases.
 * @param sizes input size, hidden sizes..., output size
 */
export function createNetwork(
  sizes: readonly number[],
  hiddenActivation: Activation,
  head: OutputHead,
  rng: SeededRandom,
): DenseNetwork {
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    const isHidden = l + 2 < sizes.length;
    const limit = isHidden && hiddenActivation === 'relu' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    const weights = Float64Array.from({ length: fanIn * fanOut }, () => rng.uniform(-limit, limit));
    layers.push({ inputSize: fanIn, outputSize: fanOut, weights, bias: new Float64Array(fanOut) });
  }
  return { layers, hiddenActivation, head };
}

function activate(values: Float64Array, activation: Activation): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    values[i]! =
      activation === 'relu' ? (v > 0 ? v : 0) : activation === 'tanh' ? Math.tanh(v) : 1 / (1 + Math.exp(-v));
  }
}

function applyHead(values: Float64Array, rows: number, cols: number, head: OutputHead): void {
  if (head === 'sigmoid') activate(values, 'sigmoid');
  if (head !== 'softmax') return;
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let k = 0; k < cols; k++) max = Math.max(max, values[r * cols + k]!);
    let sum = 0;
    for (let k = 0; k < cols; k++) {
      const e = Math.exp(values[r * cols + k]! - max);
      values[r * cols + k] = e;
      sum += e;
    }
    for (let k = 0; k < cols; k++) values[r * cols + k]! /= sum;
  }
}

/**
 * Runs the network on `rows` inputs.
 * @returns the output of every layer (after its activation or head); the last is the prediction
 */
export function forward(network: DenseNetwork, input: Float64Array, rows: number): Float64Array[] {
  const outputs: Float64Array[] = [];
  let current = input;
  network.layers.forEach((layer, l) => {
    const out = new Float64Array(rows * layer.outputSize);
    matMulAddBias(current, rows, layer.inputSize, layer.weights, layer.outputSize, layer.bias, out);
    if (l + 1 < network.layers.length) activate(out, network.hiddenActivation);
    else applyHead(out, rows, layer.outputSize, network.head);
    outputs.push(out);
    current = out;
  });
  return outputs;
}

function activationDerivative(post: number, activation: Activation): number {
  if (activation === 'relu') return post > 0 ? 1 : 0;
  if (activation === 'tanh') return 1 - post * post;
  return post * (1 - post);
}

/**
 * Gradients of the mean loss over a batch plus (l2 / 2)·‖W‖² (biases unpenalised).
 * `target` holds one row per input in the head's layout: values (identity), 0/1 (sigmoid) or one-hot (softmax).
 * @returns per layer [dWeights, dBias] and the batch's mean data loss
 */
export function backward(
  network: DenseNetwork,
  input: Float64Array,
  rows: number,
  target: Float64Array,
  l2: number,
): { gradients: Float64Array[]; loss: number } {
  const outputs = forward(network, input, rows);
  const last = outputs[outputs.length - 1]!;
  let loss = 0;
  let delta = new Float64Array(last.length);
  for (let i = 0; i < last.length; i++) {
    const p = last[i]!;
    const t = target[i]!;
    if (network.head === 'identity') loss += 0.5 * (p - t) * (p - t);
    else if (network.head === 'sigmoid')
      loss -= t * Math.log(Math.max(p, 1e-300)) + (1 - t) * Math.log(Math.max(1 - p, 1e-300));
    else if (t > 0) loss -= t * Math.log(Math.max(p, 1e-300));
    delta[i] = (p - t) / rows;
  }
  loss /= rows;
  const gradients: Float64Array[] = new Array(network.layers.length * 2);
  for (let l = network.layers.length - 1; l >= 0; l--) {
    const layer = network.layers[l]!;
    const a = l === 0 ? input : outputs[l - 1]!;
    const gw = new Float64Array(layer.weights.length);
    const gb = new Float64Array(layer.outputSize);
    const width = layer.outputSize;
    // Row-major gW[k][j] += a[r][k] · δ[r][j]: the inner loop runs along contiguous memory.
    for (let r = 0; r < rows; r++) {
      const dRow = r * width;
      for (let j = 0; j < width; j++) gb[j]! += delta[dRow + j]!;
      for (let k = 0; k < layer.inputSize; k++) {
        const ark = a[r * layer.inputSize + k]!;
        if (ark === 0) continue;
        const gRow = k * width;
        for (let j = 0; j < width; j++) gw[gRow + j]! += ark * delta[dRow + j]!;
      }
    }
    if (l2 > 0) for (let i = 0; i < gw.length; i++) gw[i]! += l2 * layer.weights[i]!;
    gradients[2 * l] = gw;
    gradients[2 * l + 1] = gb;
    if (l > 0) {
      const previous = new Float64Array(rows * layer.inputSize);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < layer.inputSize; k++) {
          let sum = 0;
          for (let j = 0; j < width; j++) sum += delta[r * width + j]! * layer.weights[k * width + j]!;
          previous[r * layer.inputSize + k] =
            sum * activationDerivative(a[r * layer.inputSize + k]!, network.hiddenActivation);
        }
      }
      delta = previous;
    }
  }
  return { gradients, loss };
}

/** The network's trainable arrays in the order {@link backward} returns their gradients. */
export function parameters(network: DenseNetwork): Float64Array[] {
  return network.layers.flatMap((layer) => [layer.weights, layer.bias]);
}

/** Sum of squared weights (not biases), for the penalised objective. */
export function weightNormSquared(network: DenseNetwork): number {
  let sum = 0;
  for (const layer of network.layers) for (const w of layer.weights) sum += w * w;
  return sum;
}
