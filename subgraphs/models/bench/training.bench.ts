// Training throughput of the built-in trainers on a generated 100k-row table; prints markdown.
// Run: npx tsx subgraphs/models/bench/training.bench.ts [rows] [features]
import { performance } from 'node:perf_hooks';
import { SeededRandom } from '../src/engine/math/seeded-random';
import type { Matrix } from '../src/engine/math/matrix';
import { exportToOnnx } from '../src/engine/onnx/onnx-export';
import { verifyOnnxExport } from '../src/engine/onnx/onnx-export.verifier';
import type { LabeledData } from '../src/engine/training/train-model';
import { trainModel } from '../src/engine/training/train-model';
import type { TrainingSpec } from '../src/engine/training/training-spec';

/** A synthetic classification table: Gaussian features, labels from a noisy logistic model. */
function generateTable(rows: number, features: number, seed: number): { x: Matrix; labels: Int32Array } {
  const rng = new SeededRandom(seed);
  const weights = Float64Array.from({ length: features }, () => rng.gaussian());
  const data = new Float64Array(rows * features);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let z = 0;
    for (let c = 0; c < features; c++) {
      const v = rng.gaussian() * (1 + c) + c;
      data[r * features + c] = v;
      z += weights[c]! * ((v - c) / (1 + c));
    }
    labels[r] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x: { data, rows, cols: features }, labels };
}

function split(
  table: { x: Matrix; labels: Int32Array },
  trainRows: number,
): { train: LabeledData; validation: LabeledData } {
  const cols = table.x.cols;
  const part = (from: number, to: number): LabeledData => ({
    x: { data: table.x.data.slice(from * cols, to * cols), rows: to - from, cols },
    labels: table.labels.slice(from, to),
  });
  return { train: part(0, trainRows), validation: part(trainRows, table.x.rows) };
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 100_000);
  const features = Number(process.argv[3] ?? 20);
  const table = generateTable(rows, features, 42);
  const { train, validation } = split(table, Math.floor(rows * 0.9));
  const schema = { featureNames: Array.from({ length: features }, (_, i) => `f${i}`), classes: ['0', '1'] };
  const cases: { name: string; spec: TrainingSpec }[] = [
    {
      name: 'logistic regression (Adam, batch 256)',
      spec: { algorithm: 'LOGISTIC_REGRESSION', epochs: 3, batchSize: 256, learningRate: 0.01 },
    },
    {
      name: 'logistic regression (SGD, batch 32)',
      spec: { algorithm: 'LOGISTIC_REGRESSION', epochs: 2, batchSize: 32, optimizer: 'sgd', learningRate: 0.01 },
    },
    {
      name: 'MLP 64-32 relu (Adam, batch 256)',
      spec: { algorithm: 'MLP_CLASSIFIER', hiddenLayers: [64, 32], epochs: 2, batchSize: 256, learningRate: 0.001 },
    },
    {
      name: 'MLP 16 tanh (Adam, batch 64)',
      spec: {
        algorithm: 'MLP_CLASSIFIER',
        hiddenLayers: [16],
        activation: 'tanh',
        epochs: 2,
        batchSize: 64,
        learningRate: 0.001,
      },
    },
  ];
  const lines = [
    `Training throughput, ${train.x.rows.toLocaleString('en-US')} training rows × ${features} features (validation ${validation.x.rows.toLocaleString('en-US')} rows evaluated after every epoch), Node ${process.version}, one thread.`,
    '',
    '| model | epochs | seconds | samples/s (training) | validation accuracy | ONNX max diff |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const c of cases) {
    const epochTimes: number[] = [];
    let last = performance.now();
    const start = last;
    const result = await trainModel(c.spec, schema, train, validation, {
      onEpoch: () => {
        const now = performance.now();
        epochTimes.push(now - last);
        last = now;
      },
    });
    const seconds = (performance.now() - start) / 1000;
    const epochs = epochTimes.length;
    const check = await verifyOnnxExport(result.model, exportToOnnx(result.model), validation.x);
    lines.push(
      `| ${c.name} | ${epochs} | ${seconds.toFixed(2)} | ${Math.round((train.x.rows * epochs) / seconds).toLocaleString('en-US')} | ${(result.metrics.accuracy ?? NaN).toFixed(4)} | ${check.maxDifference.toExponential(1)} |`,
    );
  }
  lines.push('', 'samples/s counts training rows × epochs over wall time including the per-epoch validation pass.');
  console.log(lines.join('\n'));
}

void main();
