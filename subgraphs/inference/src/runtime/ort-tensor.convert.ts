import { Tensor } from 'onnxruntime-node';
import type { ModelSignature } from './model-signature';
import type { DecodedTensor } from './tensor.codec';
import { allocateStorage, elementCount, fromOrtType, toOrtType, type TensorStorage } from './tensor-datatype';

/**
 * FP16 tensors hold IEEE binary16 bits in a Uint16Array here. Where the runtime has `Float16Array`
 * (Node 24), onnxruntime-common turns such data into a Float16Array, which onnxruntime-node's binding
 * reads as empty ("not enough space: expected 4, got 0"), and float16 outputs arrive as Float16Array
 * (values, not bits). `ortTensor` gives the binding the bits; `float16Bits` turns outputs back into bits.
 * The session thread (worker.session.ts) does the same in its own source.
 */
export function ortTensor(type: Tensor.Type, data: TensorStorage, dims: readonly number[]): Tensor {
  const tensor = new Tensor(type as 'float32', data as Float32Array, dims);
  if (type === 'float16' && !(tensor.data instanceof Uint16Array)) {
    Object.defineProperty(tensor, 'data', { value: float16Bits(data as Uint16Array) });
  }
  return tensor;
}

/** The binary16 bits of float16 data, whether it came as bits (Uint16Array) or as a Float16Array. */
export function float16Bits(data: ArrayBufferView): Uint16Array {
  if (data instanceof Uint16Array) return data;
  // A Float16Array's memory is the binary16 bits: view it, copying nothing.
  return new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
}

/** onnxruntime feeds for decoded tensors (no copy: the tensors view the same memory). */
export function toOrtFeeds(inputs: readonly DecodedTensor[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const t of inputs) feeds[t.name] = ortTensor(toOrtType(t.datatype) as Tensor.Type, t.data, t.shape);
  return feeds;
}

/** Decoded tensors from onnxruntime results, in the signature's output order. */
export function fromOrtResults(results: Record<string, Tensor>, signature: ModelSignature): DecodedTensor[] {
  return signature.outputs.map((spec) => {
    const t = results[spec.name];
    if (!t) throw new Error(`onnxruntime returned no output "${spec.name}"`);
    const datatype = fromOrtType(t.type) ?? spec.datatype;
    const data = t.type === 'float16' ? float16Bits(t.data as Uint16Array) : (t.data as TensorStorage);
    return { name: spec.name, datatype, shape: t.dims.map(Number), data };
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
