import type { TensorSpec } from '../runtime/model-signature';
import { BatchInputKind, type StoredColumnMapping } from './batch-job.entity';
import { RowError, cellValue, type Row } from './dataset-rows';
import { ArchiveFormatError, isTar, isZip, readTar, readZip } from './files/archive.reader';
import {
  MediaFormatError,
  decodeJpeg,
  decodePng,
  decodeWav,
  isJpeg,
  isPng,
  isWav,
  resampleLinear,
  resizeBilinear,
  type DecodedImage,
} from './files/media.decoder';
import {
  NPY_DESCR_OF,
  NpyFormatError,
  isNpy,
  npyItemSize,
  npyValues,
  readNpy,
  type NpyArray,
} from './files/npy.reader';
import { FILE_KINDS, FLOATS, fmt, imageLayout, type ImageLayout } from './mapping-validation';

const DEFAULT_SAMPLE_RATE = 16000;

/** One input of a model for one record: its shape without the batch axis and its row-major values. */
export interface RecordInput {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

/**
 * One record of a job: a table row, or one file of a row's file column (the row itself, one member of
 * a ZIP/TAR, or one slice along the first axis of a `.npy` array). `name` is null in table jobs.
 */
export interface BatchRecord {
  row: Row;
  name: string | null;
  file?: { bytes: Uint8Array } | { npy: NpyArray; index: number | null } | { error: string };
}

/** The mapping whose column holds files, if any. */
export function fileMappingOf(mapping: readonly StoredColumnMapping[]): StoredColumnMapping | undefined {
  return mapping.find((m) => m.kind !== undefined && FILE_KINDS.includes(m.kind));
}

function fileBytes(value: unknown): Uint8Array | string {
  if (value === null || value === undefined || value === '') return 'the cell is empty';
  if (typeof value !== 'string') return 'the cell is not base64 text (a file is given as base64 bytes)';
  if (value.trim() === '') return 'the cell is empty';
  const text = value.trim().replace(/^data:[^,]*;base64,/, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text.replace(/\s+/g, '')))
    return 'the cell is not base64 (a file is given as base64 bytes)';
  return Buffer.from(text, 'base64');
}

function npyRecords(bytes: Uint8Array, name: string, row: Row, rank: number): BatchRecord[] {
  let npy: NpyArray;
  try {
    npy = readNpy(bytes);
  } catch (error) {
    if (!(error instanceof NpyFormatError)) throw error;
    return [{ row, name, file: { error: error.message } }];
  }
  if (npy.shape.length !== rank + 1) return [{ row, name, file: { npy, index: null } }];
  return Array.from({ length: npy.shape[0]! }, (_, k) => ({ row, name: `${name}[${k}]`, file: { npy, index: k } }));
}

/**
 * The records of a job, in a stable order (a resumed job finds the same records at the same index).
 * Table jobs: one per row. File jobs: each row's file column is a file, or a ZIP/TAR whose files are
 * records in archive order; a `.npy` with one more axis than the input's record shape is one record
 * per entry of its first axis. Records are named `<row>`, `<row>/<member>`, `<row>[i]`, `<row>/<member>[i]`
 * (rows from 0). A cell that cannot be read is one record carrying its error.
 */
export function expandRecords(
  rows: readonly Row[],
  mapping: readonly StoredColumnMapping[],
  inputs: readonly TensorSpec[],
): BatchRecord[] {
  const files = fileMappingOf(mapping);
  if (!files) return rows.map((row) => ({ row, name: null }));
  const column = files.columns[0]!;
  const rank = (inputs.find((s) => s.name === files.input)?.shape.length ?? 1) - 1;
  const npy = files.kind === BatchInputKind.NPY;
  return rows.flatMap((row, r): BatchRecord[] => {
    const bytes = fileBytes(row[column]);
    if (typeof bytes === 'string') return [{ row, name: String(r), file: { error: bytes } }];
    if (isZip(bytes) || isTar(bytes)) {
      let members;
      try {
        members = isZip(bytes) ? readZip(bytes) : readTar(bytes);
      } catch (error) {
        if (!(error instanceof ArchiveFormatError)) throw error;
        return [{ row, name: String(r), file: { error: error.message } }];
      }
      return members.flatMap((m) =>
        npy
          ? npyRecords(m.bytes, `${r}/${m.name}`, row, rank)
          : [{ row, name: `${r}/${m.name}`, file: { bytes: m.bytes } }],
      );
    }
    return npy ? npyRecords(bytes, String(r), row, rank) : [{ row, name: String(r), file: { bytes } }];
  });
}

/** Why a record's shape does not fit the input's per-record dimensions, or null. */
function shapeMismatch(shape: readonly number[], spec: TensorSpec): string | null {
  const dims = spec.shape.slice(1);
  if (shape.length === dims.length && dims.every((d, i) => typeof d !== 'number' || d === shape[i])) return null;
  return `has shape ${fmt(shape)}, input "${spec.name}" takes ${fmt(dims)} per record (${fmt(spec.shape)} per batch)`;
}

function kindOf(bytes: Uint8Array): string {
  if (isPng(bytes)) return 'a PNG image';
  if (isJpeg(bytes)) return 'a JPEG image';
  if (isWav(bytes)) return 'a WAV file';
  if (isNpy(bytes)) return 'a .npy array';
  return 'not a file this job reads';
}

/** An image in `channels` channels (gray ↔ RGB by ITU-R BT.601 luma, alpha dropped or opaque). */
function toChannels(image: DecodedImage, channels: number): DecodedImage {
  const { width, height, channels: c, pixels } = image;
  if (c === channels) return image;
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    const p = pixels.subarray(i * c, i * c + c);
    const [r, g, b] = c >= 3 ? [p[0]!, p[1]!, p[2]!] : [p[0]!, p[0]!, p[0]!];
    const a = c === 2 ? p[1]! : c === 4 ? p[3]! : 255;
    if (channels === 1) out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      out.set([r, g, b], i * channels);
      if (channels === 4) out[i * channels + 3] = a;
    }
  }
  return { width, height, channels, pixels: out };
}

/**
 * How an image's 0-255 samples become the input's values, per channel: UINT8 inputs take them rounded,
 * float inputs x / 255, or (x / 255 - mean[c]) / std[c] with the mapping's normalisation (a list of one
 * value applies to every channel), as torchvision's Normalize does.
 */
function pixelScale(
  mapping: StoredColumnMapping,
  spec: TensorSpec,
  channels: number,
): (v: number, c: number) => number {
  if (spec.datatype === 'UINT8') {
    if (mapping.mean || mapping.std)
      throw new RowError(`input "${spec.name}" takes UINT8 pixels (0-255): mean and std apply to float inputs only`);
    return (v) => Math.min(255, Math.max(0, Math.round(v)));
  }
  const perChannel = (key: 'mean' | 'std', fallback: number): number[] => {
    const values = mapping[key] ?? [fallback];
    if (values.length !== 1 && values.length !== channels)
      throw new RowError(`${key} has ${values.length} values, input "${spec.name}" has ${channels} channels`);
    return Array.from({ length: channels }, (_, c) => values[values.length === 1 ? 0 : c]!);
  };
  const mean = perChannel('mean', 0);
  const std = perChannel('std', 1);
  return (v, c) => (v / 255 - mean[c]!) / std[c]!;
}

function imageInput(bytes: Uint8Array, spec: TensorSpec, mapping: StoredColumnMapping): RecordInput {
  if (!isPng(bytes) && !isJpeg(bytes))
    throw new RowError(`is ${kindOf(bytes)}, input "${spec.name}" takes PNG or JPEG images`);
  const layout = imageLayout(spec) as ImageLayout;
  const decoded = toChannels(isJpeg(bytes) ? decodeJpeg(bytes) : decodePng(bytes), layout.channels);
  const dims = spec.shape.slice(1);
  const [hDim, wDim] =
    layout.first === false ? [dims[0], dims[1]] : layout.first ? [dims[1], dims[2]] : [dims[0], dims[1]];
  const h = typeof hDim === 'number' ? hDim : decoded.height;
  const w = typeof wDim === 'number' ? wDim : decoded.width;
  const hwc = resizeBilinear(decoded, w, h);
  const c = layout.channels;
  const scale = pixelScale(mapping, spec, c);
  const data: number[] = new Array(hwc.length);
  if (layout.first)
    for (let k = 0; k < c; k++) for (let i = 0; i < h * w; i++) data[k * h * w + i] = scale(hwc[i * c + k]!, k);
  else for (let i = 0; i < hwc.length; i++) data[i] = scale(hwc[i]!, i % c);
  const shape = layout.first === null ? [h, w] : layout.first ? [c, h, w] : [h, w, c];
  return { name: spec.name, datatype: spec.datatype, shape, data };
}

function audioInput(bytes: Uint8Array, spec: TensorSpec, sampleRate: number): RecordInput {
  if (!isWav(bytes)) throw new RowError(`is ${kindOf(bytes)}, input "${spec.name}" takes WAV audio`);
  const audio = decodeWav(bytes);
  const samples = resampleLinear(audio.samples, audio.sampleRate, sampleRate);
  const dims = spec.shape.slice(1);
  const wanted = dims[dims.length - 1];
  if (typeof wanted === 'number' && wanted !== samples.length)
    throw new RowError(
      `is ${samples.length} samples at ${sampleRate} Hz (${(samples.length / sampleRate).toFixed(3)} s), input "${spec.name}" takes ${wanted}`,
    );
  const shape = dims.length === 2 ? [1, samples.length] : [samples.length];
  return { name: spec.name, datatype: spec.datatype, shape, data: Array.from(samples) };
}

function npyInput(file: { npy: NpyArray; index: number | null }, spec: TensorSpec): RecordInput {
  const { npy, index } = file;
  if (npy.datatype !== spec.datatype)
    throw new RowError(
      `.npy dtype ${NPY_DESCR_OF[npy.datatype]} does not match input "${spec.name}" (${spec.datatype}${spec.datatype in NPY_DESCR_OF ? `: save it as ${NPY_DESCR_OF[spec.datatype as keyof typeof NPY_DESCR_OF]}` : ''})`,
    );
  const shape = index === null ? npy.shape : npy.shape.slice(1);
  const mismatch = shapeMismatch(shape, spec);
  if (mismatch) throw new RowError(`.npy array ${index === null ? '' : 'entry '}${mismatch}`);
  const size = shape.reduce((a, b) => a * b, 1) * npyItemSize(npy.datatype);
  const start = (index ?? 0) * size;
  const data = npyValues(npy.datatype, npy.bytes.subarray(start, start + size));
  if (FLOATS.includes(npy.datatype) && data.some((v) => !Number.isFinite(v)))
    throw new RowError('.npy array holds NaN or infinity');
  return { name: spec.name, datatype: spec.datatype, shape, data };
}

function tensorShape(value: unknown): number[] | null {
  if (!Array.isArray(value)) return [];
  const inner = value.map(tensorShape);
  if (inner.some((s) => s === null)) return null;
  const first = JSON.stringify(inner[0] ?? []);
  return inner.every((s) => JSON.stringify(s) === first) ? [value.length, ...(inner[0] ?? [])] : null;
}

function tensorInput(value: unknown, spec: TensorSpec, where: string): RecordInput {
  let parsed = value;
  if (typeof value === 'string') {
    if (value.trim() === '') throw new RowError('the cell is empty');
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new RowError('the cell is not a JSON tensor ({"shape": [...], "data": [...]} or a nested array)');
    }
  }
  let shape: number[] | null;
  let data: unknown;
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const t = parsed as { shape?: unknown; data?: unknown };
    shape =
      Array.isArray(t.shape) && t.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)
        ? (t.shape as number[])
        : null;
    if (!shape) throw new RowError('the tensor has no "shape" of non-negative integers');
    data = t.data;
  } else {
    shape = tensorShape(parsed);
    if (!shape || shape.length === 0)
      throw new RowError('the cell is not a JSON tensor ({"shape": [...], "data": [...]} or a nested array)');
    data = parsed;
  }
  const flat = Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [];
  const count = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== count)
    throw new RowError(`the tensor's shape ${fmt(shape)} needs ${count} values, it has ${flat.length}`);
  const mismatch = shapeMismatch(shape, spec);
  if (mismatch) throw new RowError(`the tensor ${mismatch}`);
  return { name: spec.name, datatype: spec.datatype, shape, data: flat.map((v) => cellValue(v, spec.datatype, where)) };
}

/**
 * A record's input tensors (without the batch axis), or why it cannot be predicted. Nothing that does
 * not fit (an empty or invalid cell, a file of the wrong kind or shape, NaN) reaches the model.
 */
export function recordInputs(
  record: BatchRecord,
  recordNumber: number,
  mapping: readonly StoredColumnMapping[],
  inputs: readonly TensorSpec[],
): { inputs: RecordInput[] } | { column: string; message: string } {
  const out: RecordInput[] = [];
  for (const m of mapping) {
    const spec = inputs.find((s) => s.name === m.input);
    if (!spec) throw new Error(`the model has no input "${m.input}"`);
    const kind = m.kind ?? BatchInputKind.COLUMNS;
    const column = m.columns[0]!;
    const label = record.name === null ? `row ${recordNumber}` : `record "${record.name}"`;
    try {
      if (kind === BatchInputKind.COLUMNS) {
        const data = m.columns.map((c) => {
          try {
            return cellValue(record.row[c], spec.datatype, `${label}, column "${c}"`);
          } catch (error) {
            throw Object.assign(error as Error, { column: c });
          }
        });
        out.push({ name: spec.name, datatype: spec.datatype, shape: [m.columns.length], data });
        continue;
      }
      if (kind === BatchInputKind.TENSOR) {
        out.push(tensorInput(record.row[column], spec, `${label}, column "${column}"`));
        continue;
      }
      const file = record.file;
      if (!file) throw new Error('a file record has no file');
      if ('error' in file) throw new RowError(file.error);
      if ('npy' in file) out.push(npyInput(file, spec));
      else if (kind === BatchInputKind.NPY)
        throw new RowError(`is ${kindOf(file.bytes)}, input "${spec.name}" takes .npy arrays`);
      else if (kind === BatchInputKind.IMAGE) out.push(imageInput(file.bytes, spec, m));
      else out.push(audioInput(file.bytes, spec, m.sampleRate ?? DEFAULT_SAMPLE_RATE));
    } catch (error) {
      if (!(error instanceof RowError || error instanceof MediaFormatError)) throw error;
      const c = (error as { column?: string }).column ?? column;
      const message = error.message.startsWith(label) ? error.message : `${label}, column "${c}": ${error.message}`;
      return { column: c, message };
    }
  }
  return { inputs: out };
}
