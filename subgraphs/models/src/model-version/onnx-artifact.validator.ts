import * as ort from 'onnxruntime-node';
import type { OnnxSignature } from '../engine/onnx/onnx-signature.reader';
import { OnnxFormatError, readOnnxSignatureFromFile } from '../engine/onnx/onnx-signature.reader';

/**
 * Checks that onnxruntime can load the model file and reads its signature. onnxruntime reads the
 * file itself (native memory), and the signature is read piecewise, so large files are never held
 * in the JavaScript heap.
 * @throws OnnxFormatError with onnxruntime's reason when the file is not a loadable model
 */
export async function validateOnnxFile(path: string): Promise<OnnxSignature> {
  const signature = await readOnnxSignatureFromFile(path);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'disabled',
    });
  } catch (error) {
    throw new OnnxFormatError(`onnxruntime cannot load the model: ${(error as Error).message}`);
  }
  await session.release();
  return signature;
}
