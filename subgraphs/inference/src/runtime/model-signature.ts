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
