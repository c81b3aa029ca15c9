/** One cell of a tabular dataset; `null` is a missing value. */
export type Cell = number | string | boolean | null;

/** SDV/SDMetrics semantic types, plus `pii` for columns never sampled from the source. */
export type SdType = 'numerical' | 'datetime' | 'categorical' | 'boolean' | 'id' | 'pii';

/** What kind of personal data a PII column holds, which decides how fake values are made. */
export type PiiKind = 'EMAIL' | 'PHONE' | 'PERSON_NAME' | 'FIRST_NAME' | 'LAST_NAME' | 'IDENTIFIER' | 'OTHER';

/** Column metadata: its semantic type and, for datetimes, the text layout to write back. */
export interface ColumnMeta {
  name: string;
  sdtype: SdType;
  /** `date` writes `YYYY-MM-DD`, `datetime` writes full ISO-8601. */
  datetimeFormat?: 'date' | 'datetime';
  piiKind?: PiiKind;
  /** A PII column whose source values the job was not allowed to read: faked from its name alone. */
  unread?: boolean;
}

/** A table held row-major: `rows[i][j]` is the value of `columns[j]` in row `i`. */
export interface Table {
  columns: string[];
  rows: Cell[][];
}

/** Error for input that a caller can fix, pointing at the offending field. */
export class SyntheticInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SyntheticInputError';
  }
}

/**
 * The values of one column, in row order.
 * @throws SyntheticInputError when the column does not exist.
 */
export function columnValues(table: Table, column: string): Cell[] {
  const index = table.columns.indexOf(column);
  if (index < 0) throw new SyntheticInputError(`unknown column "${column}"`, column);
  return table.rows.map((row) => row[index] ?? null);
}

/** True for `null`, `undefined`, `NaN` and the empty string: the ways a missing value arrives. */
export function isMissing(value: unknown): value is null | undefined {
  return value === null || value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value));
}

/** A stable key for comparing categorical values across tables (`"True"` and `true` are the same category). */
export function categoryKey(value: Cell): string {
  if (isMissing(value)) return '\u0000null';
  return String(value);
}
