import { onnx } from 'onnx-proto';
import type { InferenceSession } from 'onnxruntime-node';
import { fromOrtType, type OipDatatype } from './tensor-datatype';

/** A dimension: a fixed size, a named symbolic size (`batch`) or an unnamed dynamic size (null). */
export type Dim = number | string | null;

/** Name, datatype and shape of one model input or output. */
export interface TensorSpec {
  name: string;
  datatype: OipDatatype;
  shape: Dim[];
}

/** The tensors a model takes and gives. */
export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

function normalizeDim(d: number | string): Dim {
  if (typeof d === 'number') return d < 0 ? null : d;
  return d === '' ? null : d;
}

function specsOf(metadata: readonly InferenceSession.ValueMetadata[]): TensorSpec[] {
  return metadata.map((m) => {
    if (!m.isTensor) throw new Error(`"${m.name}" is not a tensor: only tensor inputs and outputs can be served`);
    const datatype = fromOrtType(m.type);
    if (!datatype) throw new Error(`"${m.name}" has element type ${m.type}, which the inference protocol cannot carry`);
    return { name: m.name, datatype, shape: m.shape.map(normalizeDim) };
  });
}

/** The signature onnxruntime reports for a loaded session. */
export function signatureFromSession(session: InferenceSession): ModelSignature {
  return { inputs: specsOf(session.inputMetadata), outputs: specsOf(session.outputMetadata) };
}

/** True when a dimension is not fixed. */
export function isDynamic(d: Dim): boolean {
  return typeof d !== 'number';
}

/** OIP datatypes by ONNX element type (TensorProto.DataType). */
const ONNX_ELEMENT_TYPES: Partial<Record<number, OipDatatype>> = {
  1: 'FP32',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'BYTES',
  9: 'BOOL',
  10: 'FP16',
  11: 'FP64',
  12: 'UINT32',
  13: 'UINT64',
};

/**
 * The inputs an ONNX file declares (graph inputs that are not initializers), read without opening a
 * session. An element type the protocol cannot carry keeps the ONNX number as its datatype name,
 * so that two such models still compare.
 */
export function inputsFromOnnx(bytes: Uint8Array): TensorSpec[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const graph = onnx.ModelProto.decode(view).graph;
  const initialized = new Set((graph?.initializer ?? []).map((t) => t.name));
  return (graph?.input ?? [])
    .filter((i) => !initialized.has(i.name))
    .map((i) => {
      const tensor = i.type?.tensorType;
      const elemType = tensor?.elemType ?? 0;
      return {
        name: i.name ?? '',
        datatype: ONNX_ELEMENT_TYPES[elemType] ?? (`ONNX_${elemType}` as OipDatatype),
        shape: (tensor?.shape?.dim ?? []).map((d): Dim => {
          if (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0) return Number(d.dimValue);
          return d.dimParam ? d.dimParam : null;
        }),
      };
    });
}

/** `x FP32 [batch, 3], mask BOOL [?]`: inputs as a person reads them. */
export function describeInputs(specs: readonly TensorSpec[]): string {
  return specs.map((s) => `${s.name} ${s.datatype} [${s.shape.map((d) => d ?? '?').join(', ')}]`).join(', ');
}

/**
 * True unless every request one accepts the other accepts too: the same names, datatypes and
 * ranks, fixed sizes equal, dynamic where the other is dynamic (whatever their symbolic names).
 */
export function inputsDiffer(a: readonly TensorSpec[], b: readonly TensorSpec[]): boolean {
  return !(
    a.length === b.length &&
    a.every((x) => {
      const y = b.find((s) => s.name === x.name);
      return (
        y !== undefined &&
        y.datatype === x.datatype &&
        y.shape.length === x.shape.length &&
        x.shape.every((d, i) => (isDynamic(d) ? isDynamic(y.shape[i]!) : d === y.shape[i]))
      );
    })
  );
}
