import { Tensor } from 'onnxruntime-node';
import type { ModelSignature } from './model-signature';
import type { DecodedTensor } from './tensor.codec';
import { allocateStorage, elementCount, fromOrtType, toOrtType, type TensorStorage } from './tensor-datatype';

/** onnxruntime feeds for decoded tensors (no copy: the tensors view the same memory). */
export function toOrtFeeds(inputs: readonly DecodedTensor[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const t of inputs) {
    feeds[t.name] = new Tensor(toOrtType(t.datatype) as 'float32', t.data as Float32Array, t.shape);
  }
  return feeds;
}

/** Decoded tensors from onnxruntime results, in the signature's output order. */
export function fromOrtResults(results: Record<string, Tensor>, signature: ModelSignature): DecodedTensor[] {
  return signature.outputs.map((spec) => {
    const t = results[spec.name];
    if (!t) throw new Error(`onnxruntime returned no output "${spec.name}"`);
    const datatype = fromOrtType(t.type) ?? spec.datatype;
    return { name: spec.name, datatype, shape: t.dims.map(Number), data: t.data as TensorStorage };
  });
}

/**
 * Zero-filled inputs built from a signature, for warming a session up. Dynamic dimensions take the
 * size given for their symbol in `dims`, else 1.
 */
export function zeroInputs(signature: ModelSignature, dims: Record<string, number> = {}): DecodedTensor[] {
  return signature.inputs.map((spec) => {
    const shape = spec.shape.map((d) => (typeof d === 'number' ? d : ((d !== null ? dims[d] : undefined) ?? 1)));
    return {
      name: spec.name,
      datatype: spec.datatype,
      shape,
      data: allocateStorage(spec.datatype, elementCount(shape)),
    };
  });
}
