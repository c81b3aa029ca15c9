import type { Matrix } from '../math/matrix';

/** Raised when records cannot be turned into a training table; `field` names the offending column. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Features and a target extracted from records. */
export interface TabularData {
  featureNames: string[];
  x: Matrix;
  /** Regression: the numeric target. */
  target?: Float64Array;
  /** Classification: class index per row into `classes`. */
  labels?: Int32Array;
  classes?: string[];
  /** Rows dropped because a used column was empty or not a number. */
  droppedRows: number;
}

/** How to read the target. */
export type TargetKind = 'regression' | 'classification';

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/**
 * Builds a numeric feature matrix and target from records (CSV rows or JSON objects). Rows with a
 * missing value in any used column are dropped; a feature value that is present but not numeric is
 * an error naming the column. Classification labels are the target values as strings, sorted.
 */
export function buildTabularData(
  records: readonly Record<string, unknown>[],
  featureNames: readonly string[],
  targetName: string,
  kind: TargetKind,
): TabularData {
  if (featureNames.length === 0) throw new DatasetError('at least one feature column is required', 'featureColumns');
  if (featureNames.includes(targetName))
    throw new DatasetError(`target column ${targetName} is also a feature`, 'targetColumn');
  const columns = new Set(records.length > 0 ? Object.keys(records[0]!) : []);
  for (const name of [...featureNames, targetName]) {
    if (!columns.has(name))
      throw new DatasetError(`column ${name} does not exist`, name === targetName ? 'targetColumn' : 'featureColumns');
  }
  const kept: Record<string, unknown>[] = records.filter(
    (row) => !isMissing(row[targetName]) && featureNames.every((f) => !isMissing(row[f])),
  );
  if (kept.length === 0) throw new DatasetError('no complete rows', 'featureColumns');
  const cols = featureNames.length;
  const data = new Float64Array(kept.length * cols);
  kept.forEach((row, r) => {
    featureNames.forEach((name, c) => {
      const value = toNumber(row[name]);
      if (value === undefined)
        throw new DatasetError(
          `column ${name} has a non-numeric value ${JSON.stringify(row[name])} in row ${r + 1}`,
          'featureColumns',
        );
      data[r * cols + c] = value;
    });
  });
  const result: TabularData = {
    featureNames: [...featureNames],
    x: { data, rows: kept.length, cols },
    droppedRows: records.length - kept.length,
  };
  if (kind === 'regression') {
    result.target = Float64Array.from(kept, (row, r) => {
      const value = toNumber(row[targetName]);
      if (value === undefined)
        throw new DatasetError(`target ${targetName} has a non-numeric value in row ${r + 1}`, 'targetColumn');
      return value;
    });
  } else {
    const names = kept.map((row) => String(row[targetName]));
    const classes = [...new Set(names)].sort();
    if (classes.length < 2) throw new DatasetError(`target ${targetName} has fewer than two classes`, 'targetColumn');
    const index = new Map(classes.map((name, i) => [name, i]));
    result.classes = classes;
    result.labels = Int32Array.from(names, (name) => index.get(name) as number);
  }
  return result;
}
