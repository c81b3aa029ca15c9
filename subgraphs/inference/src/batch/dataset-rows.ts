import { ContentFormatError, parseCsvRecords, parseJsonLines, toCsv as writeCsv } from '../../../../lib/src/data/records';
import type { TensorSpec } from '../runtime/model-signature';
import type { WireTensor } from '../runtime/tensor.codec';
import type { StoredColumnMapping } from './batch-job.entity';

export type Row = Record<string, unknown>;

/** Rows of a CSV (header row) or JSON Lines dataset. */
export function parseDatasetRows(content: string, format: 'CSV' | 'JSONL'): Row[] {
  if (format === 'JSONL') {
    try {
      return parseJsonLines(content);
    } catch (error) {
      if (error instanceof ContentFormatError) throw new Error(`line ${error.line} of the dataset is not JSON`, { cause: error });
      throw error;
    }
  }
  return parseCsvRecords(content, { trim: true });
}

function cell(value: unknown, datatype: string, where: string): unknown {
  if (datatype === 'BYTES') return value === null || value === undefined ? '' : String(value);
  if (datatype === 'BOOL') {
    if (typeof value === 'boolean') return value;
    const s = String(value).toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
    throw new Error(`${where}: ${JSON.stringify(value)} is not a boolean`);
  }
  if (datatype === 'INT64' || datatype === 'UINT64') {
    const s = String(value).trim();
    if (!/^-?\d+$/.test(s)) throw new Error(`${where}: ${JSON.stringify(value)} is not an integer`);
    return s;
  }
  const n = typeof value === 'number' ? value : value === '' || value === null || value === undefined ? NaN : Number(value);
  if (Number.isNaN(n) && !datatype.startsWith('FP')) throw new Error(`${where}: ${JSON.stringify(value)} is not a number`);
  return Number.isFinite(n) ? n : String(n);
}

/**
 * Input tensors for a slice of rows: each mapped input becomes [rows, columns] of the signature's
 * datatype (a missing cell of a float column becomes NaN; other types refuse it).
 */
export function rowsToTensors(rows: readonly Row[], offset: number, mapping: readonly StoredColumnMapping[], inputs: readonly TensorSpec[]): WireTensor[] {
  return mapping.map((m) => {
    const spec = inputs.find((s) => s.name === m.input);
    if (!spec) throw new Error(`the model has no input "${m.input}"`);
    const data: unknown[] = [];
    rows.forEach((row, r) => {
      for (const c of m.columns) data.push(cell(row[c], spec.datatype, `row ${offset + r + 1}, column "${c}"`));
    });
    return { name: m.input, datatype: spec.datatype, shape: [rows.length, m.columns.length], data };
  });
}

/** A CSV document with a header row. */
export function toCsv(columns: readonly string[], rows: readonly unknown[][]): string {
  return writeCsv(columns, rows);
}
