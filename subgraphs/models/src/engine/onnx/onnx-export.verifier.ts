import * as ort from 'onnxruntime-node';
import type { Matrix } from '../math/matrix';
import type { TrainedModel } from '../training/trained-model';
import { predict } from '../training/trained-model';

/** How closely onnxruntime reproduced the in-process model. */
export interface ExportVerification {
  ok: boolean;
  rows: number;
  /** Largest |onnx − trainer| over probabilities, or over predictions relative to max(1, |trainer|). */
  maxDifference: number;
  /** Rows whose ONNX label differs from the trainer's where the trainer's top two classes were not tied within tolerance. */
  labelMismatches: number;
  tolerance: number;
}

/**
 * Runs the exported bytes in onnxruntime (CPU) on `x` and compares the outputs with `predict`.
 * The trainer sees the same float32-rounded inputs onnxruntime receives, so only the graph's
 * float32 arithmetic separates them.
 * @default tolerance 1e-5
 */
export async function verifyOnnxExport(
  model: TrainedModel,
  bytes: Uint8Array,
  x: Matrix,
  tolerance = 1e-5,
): Promise<ExportVerification> {
  const input = Float32Array.from(x.data);
  const expected = predict(model, { data: Float64Array.from(input), rows: x.rows, cols: x.cols });
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = await session.run({ features: new ort.Tensor('float32', input, [x.rows, x.cols]) });
    const output = (name: string): ort.Tensor => {
      const tensor = result[name];
      if (!tensor) throw new Error(`the exported ONNX model has no "${name}" output`);
      return tensor;
    };
    let maxDifference = 0;
    let labelMismatches = 0;
    if (model.task === 'regression') {
      const got = output('prediction').data as Float32Array;
      const want = expected.prediction as Float64Array;
      for (let i = 0; i < want.length; i++)
        maxDifference = Math.max(maxDifference, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
    } else {
      const got = output('probabilities').data as Float32Array;
      const want = expected.probabilities as Float64Array;
      for (let i = 0; i < want.length; i++) maxDifference = Math.max(maxDifference, Math.abs(got[i]! - want[i]!));
      const labels = output('label').data as BigInt64Array;
      const classes = want.length / x.rows;
      const wantLabels = expected.labels as Int32Array;
      for (let r = 0; r < x.rows; r++) {
        if (Number(labels[r]) === wantLabels[r]) continue;
        const sorted = Array.from(want.subarray(r * classes, (r + 1) * classes)).sort((a, b) => b - a);
        if (sorted[0]! - sorted[1]! > tolerance) labelMismatches++;
      }
    }
    return {
      ok: maxDifference <= tolerance && labelMismatches === 0,
      rows: x.rows,
      maxDifference,
      labelMismatches,
      tolerance,
    };
  } finally {
    await session.release();
  }
}
