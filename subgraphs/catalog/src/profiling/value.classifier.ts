/** The inferred type of a column, from the kinds of its non-null values. */
export type ColumnType = 'INTEGER' | 'FLOAT' | 'BOOLEAN' | 'DATE' | 'DATETIME' | 'STRING' | 'NULL';

/** The kind of one non-null value. */
export type ValueKind = 'INTEGER' | 'FLOAT' | 'BOOLEAN' | 'DATE' | 'DATETIME' | 'STRING';

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A classified non-null value: its kind, the key it is counted under, and its number when numeric. */
export interface ClassifiedValue {
  kind: ValueKind;
  key: string;
  number?: number;
}

/**
 * Classifies one cell. CSV cells are text, so numeric, boolean and ISO date texts count as those kinds;
 * JSON strings are classified the same way except that numeric texts stay strings (JSON has numbers).
 * @returns undefined for null, undefined and NaN.
 */
export function classifyValue(value: unknown, fromText: boolean): ClassifiedValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    return { kind: Number.isInteger(value) ? 'INTEGER' : 'FLOAT', key: String(value), number: value };
  }
  if (typeof value === 'boolean') return { kind: 'BOOLEAN', key: String(value) };
  if (typeof value !== 'string') return { kind: 'STRING', key: JSON.stringify(value) };
  if (fromText) {
    if (INTEGER.test(value)) return { kind: 'INTEGER', key: value, number: Number(value) };
    if (FLOAT.test(value)) return { kind: 'FLOAT', key: value, number: Number(value) };
    if (BOOLEAN.test(value)) return { kind: 'BOOLEAN', key: value };
  }
  if (DATE.test(value) && !Number.isNaN(Date.parse(value))) return { kind: 'DATE', key: value };
  if (DATETIME.test(value) && !Number.isNaN(Date.parse(value))) return { kind: 'DATETIME', key: value };
  return { kind: 'STRING', key: value };
}

/** Resolves a column's type from how many values of each kind it holds. */
export function resolveColumnType(kinds: Readonly<Record<ValueKind, number>>): ColumnType {
  const present = (Object.keys(kinds) as ValueKind[]).filter((k) => kinds[k] > 0);
  if (present.length === 0) return 'NULL';
  const only = (...allowed: ValueKind[]): boolean => present.every((k) => allowed.includes(k));
  if (only('INTEGER')) return 'INTEGER';
  if (only('INTEGER', 'FLOAT')) return 'FLOAT';
  if (only('BOOLEAN')) return 'BOOLEAN';
  if (only('DATE')) return 'DATE';
  if (only('DATE', 'DATETIME')) return 'DATETIME';
  return 'STRING';
}
