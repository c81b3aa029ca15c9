import type { FieldError } from '../../../../lib/src/index';
import type { Dim, TensorSpec } from '../runtime/model-signature';
import { BatchInputKind, type StoredColumnMapping } from './batch-job.entity';
import type { ColumnMappingInput } from './batch-job.input';
import { NPY_DESCR_OF } from './files/npy.reader';

/** The kinds whose column holds files; a job has at most one such mapping, and its files are its records. */
export const FILE_KINDS: readonly BatchInputKind[] = [BatchInputKind.NPY, BatchInputKind.IMAGE, BatchInputKind.AUDIO];
export const FLOATS = ['FP16', 'FP32', 'FP64'];

/** Where an image input keeps its channels: first (NCHW), last (NHWC) or none (gray [batch, H, W]). */
export interface ImageLayout {
  channels: number;
  first: boolean | null;
}

/**
 * A submitted mapping as the job stores it, and what is wrong with it on its own (before the model is
 * known): no mapping, a mapping without columns, `mean`/`std` on a kind other than IMAGE, empty, or a
 * `std` that is not positive. @returns the stored mapping and the field errors (none when it may go on)
 */
export function readMapping(input: readonly ColumnMappingInput[]): {
  mapping: StoredColumnMapping[];
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  if (input.length === 0) errors.push({ field: 'mapping', message: 'map at least one model input to columns' });
  input.forEach((m, i) => {
    const at = `mapping[${i}]`;
    if (m.columns.length === 0) errors.push({ field: `${at}.columns`, message: 'needs at least one column' });
    for (const key of ['mean', 'std'] as const) {
      const values = m[key];
      if (values === undefined || values === null) continue;
      const kind = m.kind ?? BatchInputKind.COLUMNS;
      if (kind !== BatchInputKind.IMAGE)
        errors.push({ field: `${at}.${key}`, message: `only IMAGE inputs take ${key} (this mapping is ${kind})` });
      else if (values.length === 0)
        errors.push({ field: `${at}.${key}`, message: 'needs one value per channel (or 1 for all channels)' });
      else if (values.some((v) => !Number.isFinite(v)))
        errors.push({ field: `${at}.${key}`, message: 'must be finite numbers' });
      else if (key === 'std' && values.some((v) => v <= 0)) {
        const k = values.findIndex((v) => v <= 0);
        errors.push({ field: `${at}.std`, message: `every std must be greater than 0 (std[${k}] is ${values[k]})` });
      }
    }
  });
  const mapping = input.map((m): StoredColumnMapping => ({
    input: m.input,
    columns: m.columns,
    ...(m.kind ? { kind: m.kind } : {}),
    ...(m.sampleRate !== undefined && m.sampleRate !== null ? { sampleRate: m.sampleRate } : {}),
    ...(m.mean !== undefined && m.mean !== null ? { mean: m.mean } : {}),
    ...(m.std !== undefined && m.std !== null ? { std: m.std } : {}),
  }));
  return { mapping, errors };
}

export const fmt = (shape: readonly Dim[]) => `[${shape.map((d) => d ?? '?').join(', ')}]`;

/** Where an image input keeps its channels, or why it takes no images. */
export function imageLayout(spec: TensorSpec): ImageLayout | string {
  const dims = spec.shape.slice(1);
  const isChannels = (d: Dim | undefined) => d === 1 || d === 3 || d === 4;
  if (dims.length === 2) return { channels: 1, first: null };
  if (dims.length !== 3)
    return `takes ${fmt(spec.shape)}, not images ([batch, C, H, W], [batch, H, W, C] or [batch, H, W])`;
  // [1, 2, 3] could be either: 3 channels win, then channels first (NCHW, as ONNX exports most often are).
  const first = isChannels(dims[0]) && !(dims[2] === 3 && dims[0] !== 3);
  if (first) return { channels: dims[0] as number, first: true };
  if (isChannels(dims[2])) return { channels: dims[2] as number, first: false };
  return `takes ${fmt(spec.shape)}: neither its second nor its last axis is a fixed 1, 3 or 4 channels`;
}

/**
 * Checks a job's mapping against the model's inputs before the job is created: every input mapped
 * once, each kind fitting its input's rank and datatype, COLUMNS only for [batch, features] inputs
 * with as many columns as features. @returns the field errors (none when the job can run)
 */
export function mappingProblems(mapping: readonly StoredColumnMapping[], inputs: readonly TensorSpec[]): FieldError[] {
  const errors: FieldError[] = [];
  const takes = inputs.map((s) => `${s.name} ${s.datatype} ${fmt(s.shape)}`).join(', ');
  let files = 0;
  mapping.forEach((m, i) => {
    const at = `mapping[${i}]`;
    const kind = m.kind ?? BatchInputKind.COLUMNS;
    const spec = inputs.find((s) => s.name === m.input);
    if (!spec)
      return void errors.push({
        field: `${at}.input`,
        message: `the model has no input "${m.input}" (it takes ${takes})`,
      });
    if (mapping.findIndex((o) => o.input === m.input) !== i)
      errors.push({ field: `${at}.input`, message: `input "${m.input}" is mapped twice` });
    const problem = (message: string) => errors.push({ field: `${at}.kind`, message: `input "${m.input}" ${message}` });
    if (m.sampleRate !== undefined && kind !== BatchInputKind.AUDIO)
      errors.push({ field: `${at}.sampleRate`, message: 'only AUDIO inputs take a sample rate' });
    if (m.sampleRate !== undefined && !(Number.isInteger(m.sampleRate) && m.sampleRate >= 1 && m.sampleRate <= 768000))
      errors.push({ field: `${at}.sampleRate`, message: 'must be an integer from 1 to 768000 (Hz)' });
    if (kind !== BatchInputKind.COLUMNS && m.columns.length !== 1)
      errors.push({ field: `${at}.columns`, message: `kind ${kind} reads exactly one column` });
    if (FILE_KINDS.includes(kind) && ++files === 2)
      errors.push({
        field: `${at}.kind`,
        message: 'only one mapping may read files (NPY, IMAGE or AUDIO): its files are the records',
      });
    const dims = spec.shape.slice(1);
    switch (kind) {
      case BatchInputKind.COLUMNS:
        if (spec.shape.length !== 2)
          problem(
            `takes ${fmt(spec.shape)} per batch, not [batch, features]: map one column of files or tensors with kind IMAGE, AUDIO, NPY or TENSOR`,
          );
        else if (typeof dims[0] === 'number' && dims[0] !== m.columns.length)
          errors.push({
            field: `${at}.columns`,
            message: `input "${m.input}" takes ${dims[0]} values per row (${fmt(spec.shape)}), ${m.columns.length} columns are mapped`,
          });
        break;
      case BatchInputKind.TENSOR:
        if (spec.datatype === 'BYTES') problem('takes BYTES: map it with kind COLUMNS');
        break;
      case BatchInputKind.NPY:
        if (!(spec.datatype in NPY_DESCR_OF))
          problem(
            `takes ${spec.datatype}, which .npy records cannot carry (${Object.values(NPY_DESCR_OF).join(', ')})`,
          );
        break;
      case BatchInputKind.IMAGE: {
        const layout = imageLayout(spec);
        if (typeof layout === 'string') problem(layout);
        if (![...FLOATS, 'UINT8'].includes(spec.datatype))
          problem(`takes ${spec.datatype}: images feed FP16/FP32/FP64 or UINT8 inputs`);
        for (const key of ['mean', 'std'] as const) {
          const values = m[key];
          if (values === undefined) continue;
          if (spec.datatype === 'UINT8')
            errors.push({
              field: `${at}.${key}`,
              message: `input "${m.input}" takes UINT8 pixels (0-255): ${key} applies to float inputs only`,
            });
          else if (typeof layout !== 'string' && values.length !== 1 && values.length !== layout.channels)
            errors.push({
              field: `${at}.${key}`,
              message: `has ${values.length} values, input "${m.input}" (${fmt(spec.shape)}) has ${layout.channels} channel${layout.channels === 1 ? '' : 's'}: give ${layout.channels === 1 ? '1 value' : `${layout.channels} values (or 1 for all)`}`,
            });
        }
        break;
      }
      case BatchInputKind.AUDIO:
        if (!(dims.length === 1 || (dims.length === 2 && dims[0] === 1)))
          problem(`takes ${fmt(spec.shape)}, not audio ([batch, samples] or [batch, 1, samples])`);
        if (!FLOATS.includes(spec.datatype)) problem(`takes ${spec.datatype}: audio feeds FP16/FP32/FP64 inputs`);
        break;
    }
  });
  for (const spec of inputs)
    if (!mapping.some((m) => m.input === spec.name))
      errors.push({
        field: 'mapping',
        message: `model input "${spec.name}" (${spec.datatype} ${fmt(spec.shape)}) is not mapped`,
      });
  return errors;
}
