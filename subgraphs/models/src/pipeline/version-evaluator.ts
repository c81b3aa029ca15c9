import * as ort from 'onnxruntime-node';
import { classificationMetrics } from '../engine/metrics/classification.metrics';
import { regressionMetrics } from '../engine/metrics/regression.metrics';
import type { ModelVersion } from '../model-version/model-version.entity';
import type { PreparedData } from '../training/training-data';

/** A version that cannot be compared on this data; the message says why. */
export class IncomparableVersionError extends Error {}

/**
 * Runs a version's ONNX file in onnxruntime on the validation rows and computes the validation
 * metrics. The version must take `features: float[N, d]` with the same columns (and classes).
 */
export async function evaluateVersion(
  version: ModelVersion,
  artifactPath: string,
  prepared: PreparedData,
): Promise<Record<string, number>> {
  const parameters = version.parameters as { featureColumns?: string[]; classes?: string[] };
  const input = version.signatureJson.inputs[0];
  if (!input || input.name !== 'features' || version.signatureJson.inputs.length !== 1)
    throw new IncomparableVersionError(`version ${version.version} does not take a single "features" input`);
  if (JSON.stringify(parameters.featureColumns ?? []) !== JSON.stringify(prepared.schema.featureNames))
    throw new IncomparableVersionError(
      `version ${version.version} uses features ${JSON.stringify(parameters.featureColumns ?? null)}`,
    );
  if (JSON.stringify(parameters.classes ?? null) !== JSON.stringify(prepared.schema.classes ?? null))
    throw new IncomparableVersionError(`version ${version.version} predicts other classes`);
  const { x } = prepared.validation;
  const session = await ort.InferenceSession.create(artifactPath);
  try {
    const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(x.data), [x.rows, x.cols]) });
    const output = (name: string) => {
      const tensor = out[name];
      if (!tensor) throw new IncomparableVersionError(`version ${version.version} has no "${name}" output`);
      return tensor.data as Float32Array;
    };
    if (prepared.schema.classes) {
      const probabilities = Float64Array.from(output('probabilities'));
      return {
        ...classificationMetrics(
          prepared.validation.labels as Int32Array,
          probabilities,
          prepared.schema.classes.length,
        ),
      };
    }
    return {
      ...regressionMetrics(prepared.validation.target as Float64Array, Float64Array.from(output('prediction'))),
    };
  } finally {
    await session.release();
  }
}
