import { fromFloat16Bits, toFloat16Bits } from './float16';
import type { FieldIssue } from './runtime.errors';
import { allocateStorage, byteSizeOf, elementCount, type OipDatatype, type TensorStorage } from './tensor-datatype';

/** A tensor as a client sends it: JSON `data` (flat or nested, row-major) or raw little-endian bytes. */
export interface WireTensor {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown;
  /** base64 of the raw little-endian, row-major bytes. */
  rawData?: string;
  /** Raw bytes already split out of a binary-extension body. */
  rawBytes?: Uint8Array;
  parameters?: Record<string, unknown>;
}

/** A tensor decoded into typed storage, ready for onnxruntime. */
export interface DecodedTensor {
  name: string;
  datatype: OipDatatype;
  shape: number[];
  data: TensorStorage;
}

/** A tensor as the service answers it: JSON `data` or base64 `rawData`. */
export interface EncodedTensor {
  name: string;
  datatype: OipDatatype;
  shape: number[];
  data?: unknown[];
  rawData?: string;
}

const INT_RANGES: Partial<Record<OipDatatype, [number, number]>> = {
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
  UINT32: [0, 0xffffffff],
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  INT32: [-0x80000000, 0x7fffffff],
};

function flatten(data: unknown, out: unknown[]): void {
  if (Array.isArray(data)) for (const item of data) flatten(item, out);
  else out.push(data);
}

function toFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity' || v === 'inf') return Infinity;
  if (v === '-Infinity' || v === '-inf') return -Infinity;
  return undefined;
}

function toBigInt(v: unknown, unsigned: boolean): bigint | undefined {
  let b: bigint;
  if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) b = BigInt(v);
  else if (typeof v === 'bigint') b = v;
  else return undefined;
  const ok = unsigned ? b >= 0n && b < 1n << 64n : b >= -(1n << 63n) && b < 1n << 63n;
  return ok ? b : undefined;
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function fillFromJson(datatype: OipDatatype, values: unknown[], target: TensorStorage): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let ok = true;
    switch (datatype) {
      case 'BOOL':
        if (typeof v === 'boolean') (target as Uint8Array)[i] = v ? 1 : 0;
        else if (v === 0 || v === 1) (target as Uint8Array)[i] = v;
        else ok = false;
        break;
      case 'FP32':
      case 'FP64': {
        const f = toFloat(v);
        if (f === undefined) ok = false;
        else (target as Float32Array)[i] = f;
        break;
      }
      case 'FP16': {
        const f = toFloat(v);
        if (f === undefined) ok = false;
        else (target as Uint16Array)[i] = toFloat16Bits(f);
        break;
      }
      case 'INT64':
      case 'UINT64': {
        const b = toBigInt(v, datatype === 'UINT64');
        if (b === undefined) ok = false;
        else (target as BigInt64Array)[i] = b;
        break;
      }
      case 'BYTES':
        if (typeof v === 'string') (target as string[])[i] = v;
        else ok = false;
        break;
      case 'INT8':
      case 'UINT8':
      case 'INT16':
      case 'UINT16':
      case 'INT32':
      case 'UINT32': {
        const [lo, hi] = INT_RANGES[datatype] as [number, number];
        if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) (target as Int32Array)[i] = v;
        else ok = false;
      }
    }
    if (!ok) return `element ${i} (${describe(v)}) is not a valid ${datatype} value`;
  }
  return undefined;
}

function decodeBytesElements(bytes: Uint8Array, count: number): string[] | string {
  const out: string[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > bytes.byteLength) return `raw BYTES end before element ${i} of ${count}`;
    const len = view.getUint32(offset, true);
    offset += 4;
    if (offset + len > bytes.byteLength) return `raw BYTES element ${i} claims ${len} bytes past the end`;
    out.push(Buffer.from(bytes.buffer, bytes.byteOffset + offset, len).toString('utf8'));
    offset += len;
  }
  if (offset !== bytes.byteLength)
    return `raw BYTES hold ${bytes.byteLength - offset} bytes after the last of ${count} elements`;
  return out;
}

function decodeRaw(datatype: OipDatatype, bytes: Uint8Array, count: number): TensorStorage | string {
  if (datatype === 'BYTES') return decodeBytesElements(bytes, count);
  const expected = count * byteSizeOf(datatype);
  if (bytes.byteLength !== expected) {
    return `raw data has ${bytes.byteLength} bytes, shape needs ${count} × ${byteSizeOf(datatype)} = ${expected}`;
  }
  const storage = allocateStorage(datatype, count) as Exclude<TensorStorage, string[]>;
  // Copying (rather than viewing) also fixes alignment: a Buffer slice may start at any byte offset.
  new Uint8Array(storage.buffer, storage.byteOffset, storage.byteLength).set(bytes);
  return storage;
}

/** The bytes `text` holds when it is well-formed base64 (length a multiple of 4, at most two `=` at the end), else -1. */
function base64ByteLength(text: string): number {
  if (text.length % 4 !== 0) return -1;
  let pad = 0;
  while (pad < text.length && text.charCodeAt(text.length - 1 - pad) === 0x3d /* = */) pad++;
  return pad > 2 ? -1 : (text.length / 4) * 3 - pad;
}

/**
 * Decodes base64 `rawData` of a fixed-size datatype straight into the tensor's own (aligned, fresh)
 * storage: no intermediate Buffer, no copy, no second encoding to compare. The text is checked to be
 * canonical base64 as before (what it holds must encode back to the same text), more cheaply:
 * - its length gives the byte count it holds, compared with the shape's before anything is decoded;
 * - Node's decoder skips characters outside the alphabet (whitespace, `!` ...) and stops at an `=`
 *   inside the text, so any of those leaves fewer bytes written than the length promises;
 * - the base64url characters `-` and `_`, which Node's decoder also takes, are refused by a scan;
 * - the last group, whose unused bits a non-canonical text sets, is encoded back and compared.
 * @returns the storage, or a message for the `rawData` field
 */
function decodeBase64Into(datatype: OipDatatype, text: unknown, count: number): TensorStorage | string {
  if (typeof text !== 'string') return 'is not base64';
  const size = base64ByteLength(text);
  if (size < 0) return 'is not base64';
  const expected = count * byteSizeOf(datatype);
  if (size !== expected)
    return `raw data has ${size} bytes, shape needs ${count} × ${byteSizeOf(datatype)} = ${expected}`;
  if (text.includes('-') || text.includes('_')) return 'is not base64';
  const storage = allocateStorage(datatype, count) as Exclude<TensorStorage, string[]>;
  const target = Buffer.from(storage.buffer, storage.byteOffset, storage.byteLength);
  if (target.write(text, 'base64') !== expected) return 'is not base64';
  // A last group of 1 or 2 bytes leaves unused bits in its last character; 3 bytes leave none.
  const tail = expected % 3;
  if (tail && target.toString('base64', expected - tail, expected) !== text.slice(text.length - 4))
    return 'is not base64';
  return storage;
}

/**
 * Decodes a wire tensor whose name, datatype and shape are already checked.
 * Problems with the data are added to `issues` under `path`; returns undefined then.
 */
export function decodeTensorData(
  wire: WireTensor,
  datatype: OipDatatype,
  path: string,
  issues: FieldIssue[],
): DecodedTensor | undefined {
  const count = elementCount(wire.shape);
  const sources = [
    wire.data !== undefined && wire.data !== null,
    wire.rawData !== undefined && wire.rawData !== null,
    wire.rawBytes !== undefined,
  ];
  if (sources.filter(Boolean).length !== 1) {
    issues.push({ field: path, message: 'give exactly one of data, rawData or binary data' });
    return undefined;
  }
  const fail = (field: string, message: string): undefined => {
    issues.push({ field: `${path}.${field}`, message });
    return undefined;
  };
  if (wire.data !== undefined && wire.data !== null) {
    const values: unknown[] = [];
    flatten(wire.data, values);
    if (values.length !== count) {
      return fail('data', `has ${values.length} elements, shape [${wire.shape.join(', ')}] needs ${count}`);
    }
    const storage = allocateStorage(datatype, count);
    const problem = fillFromJson(datatype, values, storage);
    if (problem) return fail('data', problem);
    return { name: wire.name, datatype, shape: [...wire.shape], data: storage };
  }
  if (!wire.rawBytes && datatype !== 'BYTES') {
    const storage = decodeBase64Into(datatype, wire.rawData, count);
    if (typeof storage === 'string') return fail('rawData', storage);
    return { name: wire.name, datatype, shape: [...wire.shape], data: storage };
  }
  let bytes: Uint8Array;
  if (wire.rawBytes) bytes = wire.rawBytes;
  else {
    const text = wire.rawData as string;
    if (typeof text !== 'string' || text.length % 4 !== 0) return fail('rawData', 'is not base64');
    bytes = Buffer.from(text, 'base64');
    // Node skips characters outside the alphabet; what it decoded must encode back to the same text.
    if ((bytes as Buffer).toString('base64') !== text) return fail('rawData', 'is not base64');
  }
  const storage = decodeRaw(datatype, bytes, count);
  if (typeof storage === 'string') return fail(wire.rawBytes ? 'binary_data' : 'rawData', storage);
  return { name: wire.name, datatype, shape: [...wire.shape], data: storage };
}

/** Raw little-endian, row-major bytes of a tensor (BYTES elements are 4-byte-length prefixed). */
export function tensorToBytes(tensor: DecodedTensor): Uint8Array {
  if (tensor.datatype === 'BYTES') {
    const parts = (tensor.data as string[]).map((s) => Buffer.from(s, 'utf8'));
    const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.writeUInt32LE(p.length, offset);
      p.copy(out, offset + 4);
      offset += 4 + p.length;
    }
    return out;
  }
  const data = tensor.data as Exclude<TensorStorage, string[]>;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function jsonNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** JSON values of a tensor: numbers, booleans, strings; 64-bit integers beyond 2^53 and non-finite floats as strings. */
export function tensorToJson(tensor: DecodedTensor): unknown[] {
  const d = tensor.data;
  switch (tensor.datatype) {
    case 'BOOL':
      return Array.from(d as Uint8Array, (v) => v !== 0);
    case 'FP16':
      return Array.from(d as Uint16Array, (v) => jsonNumber(fromFloat16Bits(v)));
    case 'FP32':
    case 'FP64':
      return Array.from(d as Float64Array, jsonNumber);
    case 'INT64':
    case 'UINT64':
      return Array.from(d as BigInt64Array, (v) => {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : v.toString();
      });
    case 'BYTES':
      return [...(d as string[])];
    case 'INT8':
    case 'UINT8':
    case 'INT16':
    case 'UINT16':
    case 'INT32':
    case 'UINT32':
      return Array.from(d as Int32Array);
  }
}

/** Encodes an output tensor as JSON `data` or, when `raw`, base64 `rawData`. */
export function encodeTensor(tensor: DecodedTensor, raw: boolean): EncodedTensor {
  const base = { name: tensor.name, datatype: tensor.datatype, shape: [...tensor.shape] };
  if (raw) {
    const bytes = tensorToBytes(tensor);
    return { ...base, rawData: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }
  return { ...base, data: tensorToJson(tensor) };
}
