import type { Tensor } from 'onnxruntime-node';

/** Open Inference Protocol v2 tensor datatypes. */
export const OIP_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

export type OipDatatype = (typeof OIP_DATATYPES)[number];

/** Element storage of a decoded tensor: one typed array per numeric datatype, strings for BYTES. */
export type TensorStorage =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | string[];

interface DatatypeInfo {
  ort: Tensor.Type;
  /** Bytes per element in the raw (little-endian) encoding; 0 for variable-length BYTES. */
  byteSize: number;
}

const INFO: Record<OipDatatype, DatatypeInfo> = {
  BOOL: { ort: 'bool', byteSize: 1 },
  UINT8: { ort: 'uint8', byteSize: 1 },
  UINT16: { ort: 'uint16', byteSize: 2 },
  UINT32: { ort: 'uint32', byteSize: 4 },
  UINT64: { ort: 'uint64', byteSize: 8 },
  INT8: { ort: 'int8', byteSize: 1 },
  INT16: { ort: 'int16', byteSize: 2 },
  INT32: { ort: 'int32', byteSize: 4 },
  INT64: { ort: 'int64', byteSize: 8 },
  FP16: { ort: 'float16', byteSize: 2 },
  FP32: { ort: 'float32', byteSize: 4 },
  FP64: { ort: 'float64', byteSize: 8 },
  BYTES: { ort: 'string', byteSize: 0 },
};

/** True when `value` names an Open Inference Protocol datatype. */
export function isOipDatatype(value: string): value is OipDatatype {
  return (OIP_DATATYPES as readonly string[]).includes(value);
}

/** onnxruntime's tensor type for an OIP datatype. */
export function toOrtType(datatype: OipDatatype): Tensor.Type {
  return INFO[datatype].ort;
}

/** OIP datatype for an onnxruntime tensor type, or undefined for types OIP cannot carry. */
export function fromOrtType(type: string): OipDatatype | undefined {
  const found = OIP_DATATYPES.find((d) => INFO[d].ort === type);
  return found;
}

/** Bytes per element in the raw encoding (0 for BYTES, whose elements are length-prefixed). */
export function byteSizeOf(datatype: OipDatatype): number {
  return INFO[datatype].byteSize;
}

/** A zero-filled storage of `count` elements for `datatype`. */
export function allocateStorage(datatype: OipDatatype, count: number): TensorStorage {
  switch (datatype) {
    case 'BOOL':
    case 'UINT8':
      return new Uint8Array(count);
    case 'UINT16':
    case 'FP16':
      return new Uint16Array(count);
    case 'UINT32':
      return new Uint32Array(count);
    case 'UINT64':
      return new BigUint64Array(count);
    case 'INT8':
      return new Int8Array(count);
    case 'INT16':
      return new Int16Array(count);
    case 'INT32':
      return new Int32Array(count);
    case 'INT64':
      return new BigInt64Array(count);
    case 'FP32':
      return new Float32Array(count);
    case 'FP64':
      return new Float64Array(count);
    case 'BYTES':
      return new Array<string>(count).fill('');
  }
}

/** Number of elements a shape holds (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
