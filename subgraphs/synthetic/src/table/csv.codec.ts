import {
  ContentFormatError,
  parseCsvTable,
  parseJsonLines as parseJsonLineObjects,
  toCsv as writeCsv,
} from '../../../../lib/src/data/records';
import type { Cell, Table } from './table.types';
import { SyntheticInputError } from './table.types';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Reads one CSV field: empty is missing, numeric text becomes a number, anything else stays text. */
export function parseCell(text: string): Cell {
  if (text === '') return null;
  if (NUMBER.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  return text;
}

/**
 * Parses CSV with a header row into a table.
 * @throws SyntheticInputError when the text has no header or rows of uneven width.
 */
export function parseCsv(text: string): Table {
  let parsed: { columns: string[]; rows: string[][] };
  try {
    parsed = parseCsvTable(text);
  } catch (error) {
    throw new SyntheticInputError(`unreadable CSV: ${(error as Error).message}`, 'content');
  }
  if (parsed.columns.length === 0) throw new SyntheticInputError('CSV has no header row', 'content');
  return { columns: parsed.columns, rows: parsed.rows.map((record) => record.map(parseCell)) };
}

/** Writes a table as RFC 4180 CSV with a header row; missing values are empty fields. */
export function toCsv(table: Table): string {
  return writeCsv(table.columns, table.rows);
}

/**
 * Parses JSON Lines (one object per line) into a table whose columns are the union of keys
 * in first-seen order; nested values are kept as JSON text.
 */
export function parseJsonLines(text: string): Table {
  let objects: Record<string, unknown>[];
  try {
    objects = parseJsonLineObjects(text);
  } catch (error) {
    if (error instanceof ContentFormatError)
      throw new SyntheticInputError(`line ${error.line} is not a JSON object: ${error.reason}`, 'content');
    throw error;
  }
  return tableFromObjects(objects);
}

/** Builds a table from plain objects (the shape of `vega-datasets` JSON files and JSONL rows). */
export function tableFromObjects(objects: Record<string, unknown>[]): Table {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const object of objects) {
    for (const key of Object.keys(object)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const rows = objects.map((object) =>
    columns.map((column): Cell => {
      const value = object[column];
      if (value === undefined || value === null) return null;
      if (typeof value === 'number') return Number.isFinite(value) ? value : null;
      if (typeof value === 'string' || typeof value === 'boolean') return value;
      return JSON.stringify(value);
    }),
  );
  return { columns, rows };
}
