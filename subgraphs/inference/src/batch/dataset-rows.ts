import {
  ContentFormatError,
  parseCsvRecords,
  parseJsonLines,
  toCsv as writeCsv,
} from '../../../../lib/src/data/records';

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

/** A cell a row cannot be predicted from (the row fails, the job goes on). */
export class RowError extends Error {}

/**
 * A cell as a value of `datatype` (numbers, integer strings for 64-bit integers, booleans, strings).
 * @throws RowError for an empty or invalid cell (no NaN is ever sent)
 */
export function cellValue(value: unknown, datatype: string, where: string): unknown {
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

/** A CSV document with a header row. */
export function toCsv(columns: readonly string[], rows: readonly unknown[][]): string {
  return writeCsv(columns, rows);
}
