import {
  ContentFormatError,
  parseCsvRecords,
  parseJsonLines,
  toCsv as writeCsv,
} from '../../../../lib/src/data/records';
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
      if (error instanceof ContentFormatError)
        throw new Error(`line ${error.line} of the dataset is not JSON`, { cause: error });
      throw error;
    }
  }
  return parseCsvRecords(content, { trim: true });
}

function cell(value: unknown, datatype: string, where: string): unknown {
  if (datatype === 'BYTES') return value === null || value === undefined ? '' : String(value);
  if (datatype === 'BOOL') {
    if (value === '' || value === null || value === undefined) throw new RowError(`${where}: the cell is empty`);
    if (typeof value === 'boolean') return value;
    const s = String(value).toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
    throw new RowError(`${where}: ${JSON.stringify(value)} is not a boolean`);
  }
  if (datatype === 'INT64' || datatype === 'UINT64') {
    const s = String(value).trim();
    if (value === null || value === undefined || s === '') throw new RowError(`${where}: the cell is empty`);
    if (!/^-?\d+$/.test(s)) throw new RowError(`${where}: ${JSON.stringify(value)} is not an integer`);
    return s;
  }
  if (value === '' || value === null || value === undefined) throw new RowError(`${where}: the cell is empty`);
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(n)) throw new RowError(`${where}: ${JSON.stringify(value)} is not a finite number`);
  return n;
}

/** A cell a row cannot be predicted from (the row fails, the job goes on). */
export class RowError extends Error {}

/** Why a row cannot be predicted: the first empty or invalid mapped cell, or null when every cell is usable. */
export function rowProblem(
  row: Row,
  rowNumber: number,
  mapping: readonly StoredColumnMapping[],
  inputs: readonly TensorSpec[],
): { column: string; message: string } | null {
  for (const m of mapping) {
    const spec = inputs.find((s) => s.name === m.input);
    if (!spec) throw new Error(`the model has no input "${m.input}"`);
    for (const c of m.columns) {
      try {
        cell(row[c], spec.datatype, `row ${rowNumber}, column "${c}"`);
      } catch (error) {
        return { column: c, message: error instanceof Error ? error.message : String(error) };
      }
    }
  }
  return null;
}

/**
 * Input tensors for a slice of rows: each mapped input becomes [rows, columns] of the signature's
 * datatype. An empty or invalid cell throws a RowError (check rows with rowProblem first): no NaN is ever sent.
 */
export function rowsToTensors(
  rows: readonly Row[],
  offset: number,
  mapping: readonly StoredColumnMapping[],
  inputs: readonly TensorSpec[],
): WireTensor[] {
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
