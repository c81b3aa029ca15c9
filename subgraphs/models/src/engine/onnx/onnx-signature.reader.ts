import { onnx } from 'onnx-proto';
import type { ByteSource } from './byte-source';
import { bufferSource, fileSource } from './byte-source';
import { ProtobufFormatError, walkFields } from './protobuf-field.walker';

/** A graph input or output. `shape` entries are sizes, symbolic names, or null when unknown; `shape` itself is null for unknown rank or non-tensors. */
export interface TensorSignature {
  name: string;
  /** ONNX element type name (FLOAT, INT64, ...), or SEQUENCE / MAP / OPTIONAL / SPARSE_TENSOR for non-tensor values. */
  elementType: string;
  shape: (number | string | null)[] | null;
}

/** What a model file declares about itself. */
export interface OnnxSignature {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graphName: string;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  metadata: Record<string, string>;
}

/** The bytes are not an ONNX model. */
export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

/** Larger header messages than this are not plausible and are refused rather than read. */
const MAX_HEADER_MESSAGE = 1 << 20;

const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
} as const;
const GRAPH = { name: 2, initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;
const TENSOR_NAME = 8;
const SPARSE_VALUES = 1;

async function readSmall(source: ByteSource, start: number, end: number, what: string): Promise<Uint8Array> {
  if (end - start > MAX_HEADER_MESSAGE)
    throw new OnnxFormatError(`${what} is implausibly large (${end - start} bytes)`);
  return source.read(start, end - start);
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

async function tensorName(source: ByteSource, start: number, end: number): Promise<string | undefined> {
  for await (const f of walkFields(source, start, end)) {
    if (f.field === TENSOR_NAME && f.wireType === 2)
      return textDecoder.decode(await readSmall(source, f.start, f.end, 'tensor name'));
  }
  return undefined;
}

function elementTypeName(elemType: number): string {
  return onnx.TensorProto.DataType[elemType] ?? `UNKNOWN_${elemType}`;
}

function toSignature(info: onnx.ValueInfoProto): TensorSignature {
  const type = info.type;
  if (!info.name) throw new OnnxFormatError('a graph input or output has no name');
  if (!type || type.tensorType == null) {
    const kind = type?.sequenceType
      ? 'SEQUENCE'
      : type?.mapType
        ? 'MAP'
        : type?.optionalType
          ? 'OPTIONAL'
          : type?.sparseTensorType
            ? 'SPARSE_TENSOR'
            : 'UNDEFINED';
    return { name: info.name, elementType: kind, shape: null };
  }
  const tensor = type.tensorType;
  const shape = tensor.shape
    ? (tensor.shape.dim ?? []).map((d) => {
        const dim = d as onnx.TensorShapeProto.Dimension;
        if (dim.value === 'dimParam' && dim.dimParam) return dim.dimParam;
        if (dim.value === 'dimValue') return Number(dim.dimValue);
        return null;
      })
    : null;
  return { name: info.name, elementType: elementTypeName(tensor.elemType ?? 0), shape };
}

/**
 * Reads the signature of an ONNX model by walking its protobuf fields, decoding only the small
 * header messages: the weights (initializers) are skipped by offset, so files of any size are read
 * with bounded memory. Graph inputs that are initializers (IR < 4 files list them) are not inputs.
 * @throws OnnxFormatError when the bytes are not a well-formed ONNX model
 */
export async function readOnnxSignature(source: ByteSource): Promise<OnnxSignature> {
  try {
    const signature: OnnxSignature = {
      irVersion: 0,
      opsets: [],
      producerName: '',
      producerVersion: '',
      graphName: '',
      inputs: [],
      outputs: [],
      metadata: {},
    };
    let graph: { start: number; end: number } | undefined;
    for await (const f of walkFields(source, 0, source.size)) {
      if (f.field === MODEL.irVersion && f.wireType === 0) signature.irVersion = f.value;
      else if (f.field === MODEL.producerName && f.wireType === 2)
        signature.producerName = textDecoder.decode(await readSmall(source, f.start, f.end, 'producer name'));
      else if (f.field === MODEL.producerVersion && f.wireType === 2)
        signature.producerVersion = textDecoder.decode(await readSmall(source, f.start, f.end, 'producer version'));
      else if (f.field === MODEL.graph && f.wireType === 2) graph = { start: f.start, end: f.end };
      else if (f.field === MODEL.opsetImport && f.wireType === 2) {
        const opset = onnx.OperatorSetIdProto.decode(await readSmall(source, f.start, f.end, 'opset import'));
        signature.opsets.push({ domain: opset.domain, version: Number(opset.version) });
      } else if (f.field === MODEL.metadataProps && f.wireType === 2) {
        const entry = onnx.StringStringEntryProto.decode(await readSmall(source, f.start, f.end, 'metadata entry'));
        signature.metadata[entry.key] = entry.value;
      }
    }
    if (signature.irVersion < 1) throw new OnnxFormatError('no IR version: not an ONNX model');
    if (!graph) throw new OnnxFormatError('no graph: not an ONNX model');
    const initializers = new Set<string>();
    const inputs: onnx.ValueInfoProto[] = [];
    for await (const f of walkFields(source, graph.start, graph.end)) {
      if (f.wireType !== 2) continue;
      if (f.field === GRAPH.name)
        signature.graphName = textDecoder.decode(await readSmall(source, f.start, f.end, 'graph name'));
      else if (f.field === GRAPH.input)
        inputs.push(onnx.ValueInfoProto.decode(await readSmall(source, f.start, f.end, 'graph input')));
      else if (f.field === GRAPH.output)
        signature.outputs.push(
          toSignature(onnx.ValueInfoProto.decode(await readSmall(source, f.start, f.end, 'graph output'))),
        );
      else if (f.field === GRAPH.initializer) {
        const name = await tensorName(source, f.start, f.end);
        if (name) initializers.add(name);
      } else if (f.field === GRAPH.sparseInitializer) {
        for await (const s of walkFields(source, f.start, f.end)) {
          if (s.field !== SPARSE_VALUES || s.wireType !== 2) continue;
          const name = await tensorName(source, s.start, s.end);
          if (name) initializers.add(name);
        }
      }
    }
    signature.inputs = inputs.filter((info) => !initializers.has(info.name)).map(toSignature);
    if (signature.outputs.length === 0) throw new OnnxFormatError('the graph declares no outputs');
    return signature;
  } catch (error) {
    if (error instanceof OnnxFormatError) throw error;
    if (
      error instanceof ProtobufFormatError ||
      error instanceof RangeError ||
      error instanceof TypeError ||
      (error instanceof Error && /invalid wire type|index out of range/i.test(error.message))
    ) {
      throw new OnnxFormatError(`not a valid ONNX model: ${error.message}`);
    }
    throw error;
  }
}

/** {@link readOnnxSignature} of a file, reading it piecewise. */
export async function readOnnxSignatureFromFile(path: string): Promise<OnnxSignature> {
  const source = await fileSource(path);
  try {
    return await readOnnxSignature(source);
  } finally {
    await source.close();
  }
}

/** {@link readOnnxSignature} of bytes in memory. */
export function readOnnxSignatureFromBytes(bytes: Uint8Array): Promise<OnnxSignature> {
  return readOnnxSignature(bufferSource(bytes));
}
