import { parse } from 'csv-parse/sync';
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
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (error) {
    throw new SyntheticInputError(`unreadable CSV: ${(error as Error).message}`, 'content');
  }
  if (records.length === 0) throw new SyntheticInputError('CSV has no header row', 'content');
  const [header, ...body] = records;
  return { columns: header, rows: body.map((record) => record.map(parseCell)) };
}

function quote(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes a table as RFC 4180 CSV with a header row; missing values are empty fields. */
export function toCsv(table: Table): string {
  const lines = [table.columns.map(quote).join(',')];
  for (const row of table.rows) lines.push(row.map(quote).join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * Parses JSON Lines (one object per line) into a table whose columns are the union of keys
 * in first-seen order; nested values are kept as JSON text.
 */
export function parseJsonLines(text: string): Table {
  const objects: Record<string, unknown>[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
      objects.push(value as Record<string, unknown>);
    } catch (error) {
      throw new SyntheticInputError(`line ${index + 1} is not a JSON object: ${(error as Error).message}`, 'content');
    }
  });
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
