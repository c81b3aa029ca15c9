import type { OipDatatype } from '../../runtime/tensor-datatype';

/** A `.npy` file's array: its datatype, shape and row-major element bytes (little-endian). */
export interface NpyArray {
  datatype: NpyDatatype;
  shape: number[];
  /** The element bytes, C order. */
  bytes: Uint8Array;
}

export type NpyDatatype = Extract<OipDatatype, 'FP32' | 'FP64' | 'INT64' | 'INT32' | 'UINT8' | 'BOOL'>;

/** numpy `descr` strings this reader takes, with their datatype and item size. */
const DESCRS: Record<string, { datatype: NpyDatatype; size: number }> = {
  '<f4': { datatype: 'FP32', size: 4 },
  '<f8': { datatype: 'FP64', size: 8 },
  '<i8': { datatype: 'INT64', size: 8 },
  '<i4': { datatype: 'INT32', size: 4 },
  '|u1': { datatype: 'UINT8', size: 1 },
  '|b1': { datatype: 'BOOL', size: 1 },
};

/** The datatypes a `.npy` record can feed, with their numpy name (for messages). */
export const NPY_DESCR_OF: Record<NpyDatatype, string> = {
  FP32: '<f4 (float32)',
  FP64: '<f8 (float64)',
  INT64: '<i8 (int64)',
  INT32: '<i4 (int32)',
  UINT8: '|u1 (uint8)',
  BOOL: '|b1 (bool)',
};

/** Content that is not a `.npy` file this reader can take; the message says why. */
export class NpyFormatError extends Error {}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** True when the bytes start with the `.npy` magic. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Reads a `.npy` file (format versions 1–3): magic, a header dict (`descr`, `fortran_order`, `shape`)
 * and the data. Takes <f4, <f8, <i8, <i4, |u1 and |b1 in C order.
 * @throws NpyFormatError for anything else (Fortran order, big-endian, other dtypes, truncated data)
 */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (!isNpy(bytes)) throw new NpyFormatError('not a .npy file (no \\x93NUMPY magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) throw new NpyFormatError(`.npy format version ${major} is unknown`);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new NpyFormatError('.npy file is truncated');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) throw new NpyFormatError('.npy header is truncated');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new NpyFormatError(`.npy header is not a numpy header dict: ${header.trim().slice(0, 80)}`);
  if (fortran === 'True')
    throw new NpyFormatError('.npy array is in Fortran order: save it in C order (numpy.ascontiguousarray)');
  const type = DESCRS[descr === '<u1' ? '|u1' : descr === '<b1' ? '|b1' : descr];
  if (!type)
    throw new NpyFormatError(
      `.npy dtype ${descr} is not supported (use one of ${Object.keys(DESCRS).join(', ')}, little-endian)`,
    );
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+L?$/.test(s) ? Number.parseInt(s, 10) : NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) throw new NpyFormatError(`.npy shape (${shapeText}) is not valid`);
  const expected = shape.reduce((a, b) => a * b, 1) * type.size;
  const available = bytes.length - dataStart;
  if (available < expected)
    throw new NpyFormatError(
      `.npy data is truncated: shape (${shape.join(', ')}) needs ${expected} bytes, ${available} follow`,
    );
  return { datatype: type.datatype, shape, bytes: bytes.subarray(dataStart, dataStart + expected) };
}

/** Bytes per element of a `.npy` datatype. */
export function npyItemSize(datatype: NpyDatatype): number {
  return datatype === 'FP64' || datatype === 'INT64' ? 8 : datatype === 'FP32' || datatype === 'INT32' ? 4 : 1;
}

/** The elements as JSON-able values (numbers; INT64 as bigint; BOOL as booleans), for an OIP tensor. */
export function npyValues(datatype: NpyDatatype, bytes: Uint8Array): unknown[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / npyItemSize(datatype);
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    switch (datatype) {
      case 'FP32':
        out[i] = view.getFloat32(i * 4, true);
        break;
      case 'FP64':
        out[i] = view.getFloat64(i * 8, true);
        break;
      case 'INT64':
        out[i] = view.getBigInt64(i * 8, true);
        break;
      case 'INT32':
        out[i] = view.getInt32(i * 4, true);
        break;
      case 'UINT8':
        out[i] = bytes[i];
        break;
      case 'BOOL':
        out[i] = bytes[i] !== 0;
        break;
    }
  }
  return out;
}
